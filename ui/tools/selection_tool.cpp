#include "ui/tools/selection_tool.h"

#include <QPainter>
#include <QPainterPath>

#include "ui/canvas/canvas.h"
#include "ui/canvas/view_transform.h"
#include "ui/document/document.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

SelectionTool::SelectionTool(QObject* parent) : Tool(parent) {}

QIcon SelectionTool::icon() const { return themedIcon(IconId::Select); }

void SelectionTool::setShape(SelectionShape shape) {
  if (shape_ == shape) return;
  shape_ = shape;
  Q_EMIT shapeChanged(shape);
}

void SelectionTool::setMode(SelectionMode mode) {
  if (mode_ == mode) return;
  mode_ = mode;
  Q_EMIT modeChanged(mode);
}

void SelectionTool::pointerPress(const PointerEvent& e) {
  Document* doc = document();
  if (!doc || doc->isNull() || dragging_) return;
  if (e.button != Qt::LeftButton && e.button != Qt::RightButton) return;
  dragging_ = true;
  const bool invert = e.button == Qt::RightButton || (e.modifiers & Qt::AltModifier);
  subtracting_ = (mode_ == SelectionMode::Subtract) != invert;
  constrain_ = e.modifiers & Qt::ShiftModifier;
  start_ = current_ = e.imagePos;
  lasso_ = QPolygonF({e.imagePos});
  requestRepaint();
}

void SelectionTool::pointerMove(const PointerEvent& e) {
  if (!dragging_) return;
  current_ = e.imagePos;
  constrain_ = e.modifiers & Qt::ShiftModifier;
  if (shape_ == SelectionShape::Lasso && (lasso_.isEmpty() || QLineF(lasso_.last(), e.imagePos).length() >= 0.5))
    lasso_ << e.imagePos;
  requestRepaint();
}

void SelectionTool::pointerRelease(const PointerEvent& e) {
  if (!dragging_) return;
  current_ = e.imagePos;
  if (shape_ == SelectionShape::Lasso) lasso_ << e.imagePos;
  commit();
  dragging_ = false;
  lasso_.clear();
  requestRepaint();
}

QPolygonF SelectionTool::outline() const {
  if (!dragging_) return {};
  if (shape_ == SelectionShape::Lasso) return lasso_.size() >= 3 ? lasso_ : QPolygonF();
  QPointF end = current_;
  if (constrain_) {
    const double side = std::max(std::abs(end.x() - start_.x()), std::abs(end.y() - start_.y()));
    end = QPointF(start_.x() + (end.x() >= start_.x() ? side : -side), start_.y() + (end.y() >= start_.y() ? side : -side));
  }
  const QRectF r = QRectF(start_, end).normalized();
  if (r.width() < 1.0 || r.height() < 1.0) return {};
  if (shape_ == SelectionShape::Rectangle) return QPolygonF(r);
  QPainterPath path;
  path.addEllipse(r);
  return path.toFillPolygon();
}

void SelectionTool::commit() {
  Document* doc = document();
  const QPolygonF shape = outline();
  if (!doc || doc->isNull() || shape.isEmpty()) return;
  const SelectionMode mode = subtracting_ ? SelectionMode::Subtract : SelectionMode::Add;
  const QString what = shape_ == SelectionShape::Rectangle ? tr("rectangle") : shape_ == SelectionShape::Ellipse ? tr("ellipse") : tr("lasso");
  doc->replaceMask(mergeShapeIntoMask(doc->mask(), shape, mode),
                   mode == SelectionMode::Add ? tr("Add %1 to mask").arg(what) : tr("Subtract %1 from mask").arg(what));
}

void SelectionTool::paint(QPainter& p, const ViewTransform& view) {
  const QPolygonF shape = dragging_ && shape_ == SelectionShape::Lasso ? lasso_ : outline();
  if (shape.size() < 2) return;
  QPolygonF widget;
  for (const QPointF& pt : shape) widget << view.imageToWidget(pt);
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  // Marching-ants style: a dark and a light dash so it shows on any photo.
  p.setBrush(subtracting_ ? QColor(0, 0, 0, 40) : QColor(255, 255, 255, 30));
  p.setPen(QPen(QColor(0, 0, 0, 200), 1.0));
  p.drawPolygon(widget);
  p.setPen(QPen(Qt::white, 1.0, Qt::DashLine));
  p.drawPolygon(widget);
  p.restore();
}

QImage mergeShapeIntoMask(const QImage& mask, const QPolygonF& shape, SelectionMode mode) {
  QImage out = mask.convertToFormat(QImage::Format_Grayscale8);
  const QRect box = shape.boundingRect().toAlignedRect().adjusted(-1, -1, 1, 1).intersected(out.rect());
  if (box.isEmpty()) return out;
  QImage cover(box.size(), QImage::Format_Alpha8);
  cover.fill(Qt::transparent);
  {
    QPainter p(&cover);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(Qt::NoPen);
    p.setBrush(Qt::black);
    p.translate(-box.topLeft());
    p.drawPolygon(shape);
  }
  for (int y = 0; y < box.height(); ++y) {
    const uchar* c = cover.constScanLine(y);
    uchar* m = out.scanLine(box.top() + y) + box.left();
    for (int x = 0; x < box.width(); ++x)
      m[x] = mode == SelectionMode::Add ? std::max(m[x], c[x]) : std::min<uchar>(m[x], uchar(255 - c[x]));
  }
  return out;
}

}  // namespace latentshop::ui
