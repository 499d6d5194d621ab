#include "ui/canvas/canvas_preview.h"

#include <cmath>

#include <QCoreApplication>
#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>

#include "ui/canvas/view_transform.h"

namespace latentshop::ui {

namespace {

void drawArrow(QPainter& p, QPointF from, QPointF to) {
  const QPointF d = to - from;
  const double len = std::hypot(d.x(), d.y());
  if (len < 1.0) return;
  p.drawLine(from, to);
  const QPointF u = d / len;
  const QPointF n(-u.y(), u.x());
  const double head = std::min(12.0, len / 2);
  QPainterPath tip;
  tip.moveTo(to);
  tip.lineTo(to - u * head + n * head * 0.45);
  tip.lineTo(to - u * head - n * head * 0.45);
  tip.closeSubpath();
  p.fillPath(tip, p.pen().color());
}

}  // namespace

void drawCanvasPreview(QPainter& p, const ViewTransform& view, const QSize& documentSize,
                       const CanvasPreview& preview, const QRect& viewport) {
  p.save();
  if (!preview.image.isNull()) {
    const QRect place = preview.placement.isEmpty() ? QRect(QPoint(0, 0), documentSize) : preview.placement;
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(view.imageToWidget(QRectF(place)), preview.image);
  }

  p.setRenderHint(QPainter::Antialiasing, true);
  const QColor handle(235, 64, 52), target(52, 120, 235);
  for (int i = 0; i < preview.points.size(); ++i) {
    const QPointF a = view.imageToWidget(preview.points[i]);
    if (i < preview.targets.size()) {
      const QPointF b = view.imageToWidget(preview.targets[i]);
      p.setPen(QPen(QColor(255, 255, 255, 220), 2.0));
      drawArrow(p, a, b);
      p.setPen(QPen(target, 2.5));
      p.setBrush(Qt::NoBrush);
      p.drawEllipse(b, 6.0, 6.0);
    }
    p.setPen(QPen(Qt::white, 1.5));
    p.setBrush(handle);
    p.drawEllipse(a, 5.0, 5.0);
  }

  if (preview.total > 0 || !preview.label.isEmpty()) {
    QString text = preview.label;
    if (preview.total > 0)
      text += (text.isEmpty() ? QString() : QStringLiteral("  ")) +
              QCoreApplication::translate("Canvas", "preview %1/%2").arg(preview.step).arg(preview.total);
    const QFontMetrics fm(p.font());
    const QRect box(viewport.left() + 10, viewport.top() + 10, fm.horizontalAdvance(text) + 16, fm.height() + 8);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0, 0, 0, 160));
    p.drawRoundedRect(box, 4, 4);
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, text);
  }
  p.restore();
}

}  // namespace latentshop::ui
