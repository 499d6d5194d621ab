// Whole-document geometry: crop, resize, canvas size, rotate by quarter turns, flip. Each maps a
// DocumentContent (the original, every layer with its offset, mask, keep-out, the masks results
// keep, drag points) to a new one of another size, as GIMP's and Krita's Image menus do for all
// layers at once. Pure functions on shared copies; Document::transformContent() makes one undo
// step of the result (ui/document/document_transform.cpp).
#pragma once
#include <QColor>
#include <QPoint>
#include <QRect>
#include <QSize>

#include "ui/document/document.h"

namespace latentshop::ui {

// Keeps `rect` (clipped to the document): layers are cut to it (a layer outside it becomes an
// empty 1x1 transparent layer at the origin, so the stack keeps its shape), masks and points move.
DocumentContent cropContent(const DocumentContent& content, const QRect& rect);

// Scales everything to `size` (smooth for pixels, masks too; offsets and points scaled).
DocumentContent resizeContent(const DocumentContent& content, const QSize& size);

// A canvas of `size` with the old image at `offset` (may be negative: the canvas shrinks on that
// side); new area of the original filled with `fill` (transparent when its alpha is 0). Layers,
// masks and points move by `offset`; masks are 0 in the new area.
DocumentContent resizeCanvas(const DocumentContent& content, const QSize& size, const QPoint& offset,
                             const QColor& fill);

// Quarter turns clockwise (1, 2, 3; negative counts anticlockwise).
DocumentContent rotateContent(const DocumentContent& content, int quarterTurnsClockwise);

DocumentContent flipContent(const DocumentContent& content, bool horizontal);

// Where the old image goes on a canvas of `size` for an anchor (Qt::AlignLeft/HCenter/Right |
// AlignTop/VCenter/Bottom), as Canvas size dialogs place it.
QPoint anchoredOffset(const QSize& oldSize, const QSize& size, Qt::Alignment anchor);

}  // namespace latentshop::ui
