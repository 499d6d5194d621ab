#include "ui/tools/mask_brush_tool.h"

#include <algorithm>
#include <cmath>

#include <QPainter>

#include "ui/canvas/canvas.h"
#include "ui/canvas/view_transform.h"
#include "ui/document/document.h"

namespace latentshop::ui {

MaskBrushTool::MaskBrushTool(QObject* parent) : Tool(parent) {}

void MaskBrushTool::setSettings(const BrushSettings& s) {
  BrushSettings next = s;
  next.size = std::clamp(next.size, BrushSettings::kMinSize, BrushSettings::kMaxSize);
  next.hardness = std::clamp(next.hardness, 0.0, 1.0);
  if (next == settings_) return;
  const QRectF before = outlineRect();
  settings_ = next;
  requestRepaint(before | outlineRect());
  Q_EMIT settingsChanged(settings_);
}

void MaskBrushTool::setSize(double size) {
  BrushSettings s = settings_;
  s.size = size;
  setSettings(s);
}

void MaskBrushTool::setHardness(double hardness) {
  BrushSettings s = settings_;
  s.hardness = hardness;
  setSettings(s);
}

void MaskBrushTool::setErase(bool erase) {
  BrushSettings s = settings_;
  s.erase = erase;
  setSettings(s);
}

void MaskBrushTool::setKeepOut(bool keepOut) {
  BrushSettings s = settings_;
  s.keepOut = keepOut;
  setSettings(s);
}

void MaskBrushTool::decreaseSize() { setSize(std::min(settings_.size - 1.0, std::round(settings_.size / 1.15))); }
void MaskBrushTool::increaseSize() { setSize(std::max(settings_.size + 1.0, std::round(settings_.size * 1.15))); }

void MaskBrushTool::activate(Canvas* canvas) {
  Tool::activate(canvas);
  lastStrokeEnd_.reset();
}

void MaskBrushTool::deactivate() {
  if (stroking_ && document()) document()->endMaskStroke(strokeText());
  stroking_ = false;
  hoverWidget_.reset();
  Tool::deactivate();
}

BrushShape MaskBrushTool::shape() const {
  BrushShape s;
  s.radius = settings_.size / 2.0;
  s.hardness = settings_.hardness;
  s.erase = strokeErases_;
  return s;
}

void MaskBrushTool::paintSegment(QPointF a, QPointF b) {
  Document* doc = document();
  if (!doc || !doc->isStroking()) return;
  const QRect dirty = rasterizeBrushSegment(doc->strokeMask(), a, b, shape());
  doc->strokeUpdated(dirty);
}

void MaskBrushTool::pointerPress(const PointerEvent& e) {
  Document* doc = document();
  if (!doc || doc->isNull() || stroking_) return;
  if (e.button != Qt::LeftButton && e.button != Qt::RightButton) return;
  stroking_ = true;
  strokeErases_ = settings_.erase != (e.button == Qt::RightButton);
  strokeKeepOut_ = settings_.keepOut;
  doc->beginMaskStroke(strokeKeepOut_ ? MaskTarget::KeepOut : MaskTarget::Hole);
  const QPointF start = (e.modifiers & Qt::ShiftModifier) && lastStrokeEnd_ ? *lastStrokeEnd_ : e.imagePos;
  paintSegment(start, e.imagePos);
  last_ = e.imagePos;
}

void MaskBrushTool::pointerMove(const PointerEvent& e) {
  const QRectF before = outlineRect();
  hoverWidget_ = e.widgetPos;
  requestRepaint(before | outlineRect());
  if (!stroking_) return;
  paintSegment(last_, e.imagePos);
  last_ = e.imagePos;
}

void MaskBrushTool::pointerRelease(const PointerEvent& e) {
  if (!stroking_) return;
  if ((e.button == Qt::LeftButton || e.button == Qt::RightButton) && e.imagePos != last_) paintSegment(last_, e.imagePos);
  stroking_ = false;
  lastStrokeEnd_ = e.imagePos;
  if (Document* doc = document()) doc->endMaskStroke(strokeText());
  Q_EMIT strokeFinished();
}

void MaskBrushTool::pointerLeave() {
  const QRectF before = outlineRect();
  hoverWidget_.reset();
  requestRepaint(before);
}

QString MaskBrushTool::strokeText() const {
  if (strokeKeepOut_) return strokeErases_ ? tr("Erase keep-out") : tr("Paint keep-out");
  return strokeErases_ ? tr("Erase mask") : tr("Paint mask");
}

QRectF MaskBrushTool::outlineRect() const {
  if (!hoverWidget_ || !canvas()) return QRectF();
  const double r = settings_.size / 2.0 * canvas()->view().widgetScale() + 3.0;
  return QRectF(*hoverWidget_ - QPointF(r, r), QSizeF(2 * r, 2 * r));
}

void MaskBrushTool::paint(QPainter& p, const ViewTransform& view) {
  if (!hoverWidget_) return;
  const double r = settings_.size / 2.0 * view.widgetScale();
  const QPointF c = *hoverWidget_;
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setBrush(Qt::NoBrush);
  // Two rings (dark + light) stay visible over any image.
  p.setPen(QPen(QColor(0, 0, 0, 170), 1.0));
  p.drawEllipse(c, r + 1.0, r + 1.0);
  // White for the hole mask, green for the keep-out mask.
  p.setPen(QPen(settings_.keepOut ? QColor(60, 230, 150, 240) : QColor(255, 255, 255, 230), settings_.keepOut ? 1.5 : 1.0));
  p.drawEllipse(c, r, r);
  if (settings_.hardness < 0.999 && r > 6.0) {
    const double inner = r * settings_.hardness;
    p.setPen(QPen(QColor(255, 255, 255, 110), 1.0, Qt::DashLine));
    p.drawEllipse(c, inner, inner);
  }
  // A small cross marks the centre (the system cursor is hidden over the canvas).
  p.setPen(QPen(QColor(255, 255, 255, 230), 1.0));
  p.drawLine(c + QPointF(-3, 0), c + QPointF(3, 0));
  p.drawLine(c + QPointF(0, -3), c + QPointF(0, 3));
  if (settings_.erase) {
    p.setPen(QPen(QColor(0, 0, 0, 200), 1.0));
    p.drawLine(c + QPointF(r * 0.5, -r * 0.5), c + QPointF(r * 0.5 + 6, -r * 0.5));
  }
  p.restore();
}

QCursor MaskBrushTool::cursor() const { return QCursor(Qt::BlankCursor); }

}  // namespace latentshop::ui
