// Rasterising a round brush into an 8-bit mask. A stroke segment is the capsule of points within
// `radius` of the segment a-b (so a stroke has no gaps or dab spacing, whatever the mouse speed);
// a pixel's coverage is taken at its centre (x + 0.5, y + 0.5):
//   d <= radius * hardness      -> 1
//   d >= radius                 -> 0
//   in between                  -> smoothstep falloff
// With hardness 1 the brush is binary: exactly the pixels whose centres lie within `radius`.
// Painting keeps the maximum of the old value and the coverage; erasing keeps the minimum of the
// old value and 1 - coverage, so overlapping segments of one stroke never build up.
#pragma once
#include <QImage>
#include <QPointF>
#include <QRect>

namespace latentshop::ui {

struct BrushShape {
  double radius = 10.0;   // image pixels (brush size / 2)
  double hardness = 1.0;  // 0..1
  bool erase = false;
};

// Coverage in [0, 1] at distance `d` from the stroke's centre line.
double brushCoverage(double d, double radius, double hardness);

// Paints segment a->b (image coordinates) into `mask` (Format_Grayscale8). Returns the rectangle
// of pixels that were examined (a superset of those changed; empty when off the image).
QRect rasterizeBrushSegment(QImage& mask, QPointF a, QPointF b, const BrushShape& shape);

}  // namespace latentshop::ui
