// Selection to mask: rectangle, ellipse and lasso selections that add to or subtract from the
// document's working mask, as a painter's marquee tools do. Drag out the shape (the lasso follows
// the pointer; release closes it); on release the shape is rasterised (anti-aliased) and merged
// into the mask in one undo step named after the shape. Alt (or the right button) subtracts;
// Shift with a rectangle or ellipse keeps it square / round.
#pragma once
#include <QPolygonF>

#include "ui/tools/tool.h"

namespace latentshop::ui {

enum class SelectionShape { Rectangle, Ellipse, Lasso };
enum class SelectionMode { Add, Subtract };

class SelectionTool : public Tool {
  Q_OBJECT
public:
  explicit SelectionTool(QObject* parent = nullptr);

  QString id() const override { return QStringLiteral("select"); }
  QString name() const override { return tr("Select"); }
  QKeySequence shortcut() const override { return QKeySequence(Qt::Key_M); }
  QIcon icon() const override;

  SelectionShape shape() const { return shape_; }
  void setShape(SelectionShape shape);
  SelectionMode mode() const { return mode_; }
  void setMode(SelectionMode mode);

  void pointerPress(const PointerEvent& e) override;
  void pointerMove(const PointerEvent& e) override;
  void pointerRelease(const PointerEvent& e) override;
  void paint(QPainter& painter, const ViewTransform& view) override;
  bool isBusy() const override { return dragging_; }

  // The shape's outline in document pixels (what a release would select); empty when none.
  QPolygonF outline() const;

Q_SIGNALS:
  void shapeChanged(latentshop::ui::SelectionShape shape);
  void modeChanged(latentshop::ui::SelectionMode mode);

private:
  void commit();

  SelectionShape shape_ = SelectionShape::Rectangle;
  SelectionMode mode_ = SelectionMode::Add;
  bool dragging_ = false;
  bool subtracting_ = false;  // this drag's mode (Alt / right button invert the panel's)
  bool constrain_ = false;    // Shift: square / circle
  QPointF start_;
  QPointF current_;
  QPolygonF lasso_;
};

// The mask after merging `shape` (a closed polygon in document pixels) into `mask` (Grayscale8):
// added (max) or subtracted (min with the inverse), anti-aliased. Only the shape's bounding box
// is touched.
QImage mergeShapeIntoMask(const QImage& mask, const QPolygonF& shape, SelectionMode mode);

}  // namespace latentshop::ui
