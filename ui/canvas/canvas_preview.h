// A live view of a running job drawn over the document: e.g. the x0 prediction after a diffusion
// step (placed over the crop it covers), or a drag edit with its tracked handles and targets. The
// engine bridge converts the engine's PreviewImage into this; the canvas draws the latest one.
#pragma once
#include <QImage>
#include <QList>
#include <QMetaType>
#include <QPointF>
#include <QRect>
#include <QString>

class QPainter;

namespace latentshop::ui {

class ViewTransform;

struct CanvasPreview {
  QImage image;             // RGB(A); any size: it is scaled to `placement`
  QRect placement;          // document pixels it covers; empty = the whole document
  int step = 0;             // shown as "step/total" in the corner badge when total > 0
  int total = 0;
  QList<QPointF> points;    // document pixels (drag handles), drawn as filled dots
  QList<QPointF> targets;   // same length as points, or empty; drawn as rings with an arrow
  QString label;            // e.g. "Inpaint (Telea)"; shown in the badge

  bool isNull() const { return image.isNull() && points.isEmpty(); }
};

// Draws `preview` for a document of `documentSize` through `view` into a painter set up in widget
// (logical) coordinates: the image (smooth-scaled), then points and arrows, then the badge in the
// top-left corner of `viewport`.
void drawCanvasPreview(QPainter& painter, const ViewTransform& view, const QSize& documentSize,
                       const CanvasPreview& preview, const QRect& viewport);

}  // namespace latentshop::ui

Q_DECLARE_METATYPE(latentshop::ui::CanvasPreview)
