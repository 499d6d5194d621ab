// Helpers for masks held as QImage (Format_Grayscale8): bounds, differences, and the engine's mask
// operations (engine/pipelines/mask_ops.h, OpenCV) applied to a QImage without copying its pixels.
#pragma once
#include <QImage>
#include <QRect>

namespace latentshop::ui {

// A zeroed Grayscale8 mask of `size`.
QImage emptyMask(const QSize& size);
// Whether any pixel of a Grayscale8 image is non-zero (fast: 8 bytes at a time).
bool anyNonZero(const QImage& mask);
// Bounding box of the non-zero pixels of a Grayscale8 image (empty when none).
QRect nonZeroBounds(const QImage& mask);
// Bounding box of the pixels where two Grayscale8 images of one size differ, inside `within`
// (empty: everywhere). Empty when they are equal.
QRect differenceBounds(const QImage& a, const QImage& b, const QRect& within = QRect());
// Grown (px > 0) or shrunk (px < 0) binary mask, same size (exact Euclidean discs).
QImage grownMask(const QImage& mask, int px);
// 255 - mask.
QImage invertedMask(const QImage& mask);

}  // namespace latentshop::ui
