// The drag-points tool (DragDiffusion's handle → target clicks, drag_ui.py's get_points): a click
// adds a handle, the next click its target (an arrow is drawn from one to the other). Points can be
// moved by dragging them and deleted with a right-click on them or Delete / Backspace (the pair of
// the last point touched); Esc drops a handle that has no target yet. clearPairs() removes all.
//
// Points are stored as the clicked pixel's (x, y) in document pixels — the same integers the CLI's
// --points takes; the engine converts them to the model's feature grid (engine/pipelines/
// drag_geometry.h). The movable region is the document mask, painted with the mask brush.
#pragma once
#include <optional>

#include <QList>
#include <QPointF>

#include "ui/document/layer.h"
#include "ui/tools/tool.h"

namespace latentshop::ui {

class DragTool : public Tool {
  Q_OBJECT
public:
  explicit DragTool(QObject* parent = nullptr);
  ~DragTool() override;

  QString id() const override { return QStringLiteral("drag-points"); }
  QString name() const override { return tr("Drag points"); }
  QKeySequence shortcut() const override { return QKeySequence(Qt::Key_D); }
  QIcon icon() const override;

  // ---- Points -------------------------------------------------------------------------------
  const QList<DragPair>& pairs() const { return pairs_; }
  void setPairs(const QList<DragPair>& pairs);
  void clearPairs();
  // A handle placed without its target yet.
  std::optional<QPointF> pendingHandle() const { return pending_; }
  // Complete pairs only (a pending handle is not part of the edit).
  int pairCount() const { return int(pairs_.size()); }
  // Removes pair `index` (no-op when out of range).
  void removePair(int index);
  // While a job runs the points are drawn faded (the preview shows the tracked handles).
  void setFaded(bool faded);

  // Pixel radius (logical) within which a press grabs a point.
  static constexpr double kGrabRadius = 9.0;

  void activate(Canvas* canvas) override;
  void deactivate() override;
  void pointerPress(const PointerEvent& e) override;
  void pointerMove(const PointerEvent& e) override;
  void pointerRelease(const PointerEvent& e) override;
  bool keyPress(QKeyEvent* e) override;
  void paint(QPainter& painter, const ViewTransform& view) override;
  QCursor cursor() const override;
  bool isBusy() const override { return grabbed_.has_value(); }

Q_SIGNALS:
  void pairsChanged();

protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

private:
  // A point: pair index and which end (-1 index = the pending handle).
  struct PointRef {
    int pair = -1;
    bool target = false;
  };
  std::optional<PointRef> hitTest(QPointF widgetPos) const;
  QPointF pointAt(const PointRef& ref) const;
  void setPoint(const PointRef& ref, QPointF imagePos);
  QPointF clampToImage(QPointF imagePos) const;
  void deleteRef(const PointRef& ref);

  QList<DragPair> pairs_;
  std::optional<QPointF> pending_;
  std::optional<PointRef> grabbed_;
  QPointF grabOffset_;  // grabbed point minus the press position (image pixels)
  std::optional<PointRef> lastTouched_;
  std::optional<PointRef> hover_;
  bool moved_ = false;
  bool faded_ = false;
};

}  // namespace latentshop::ui
