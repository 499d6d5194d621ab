// The mask brush: paints (or erases) the document's working mask with a round brush of a given
// size and hardness. One press-move-release is one undo step (Document::beginMaskStroke/
// endMaskStroke), holding only the stroke's changed rectangle. The right button erases while held;
// Shift+press draws a straight line from the end of the previous stroke. The outline of the brush
// follows the cursor. In keep-out mode the same strokes paint the document's keep-out mask instead
// (green ring), the region content-aware removal never copies from.
#pragma once
#include <optional>

#include "ui/tools/brush_raster.h"
#include "ui/tools/tool.h"

namespace latentshop::ui {

struct BrushSettings {
  double size = 40.0;      // diameter in image pixels, [kMinSize, kMaxSize]
  double hardness = 0.8;   // 0..1 (1: hard binary edge)
  bool erase = false;
  bool keepOut = false;    // paints the keep-out mask (never a source for content-aware removal)

  static constexpr double kMinSize = 1.0;
  static constexpr double kMaxSize = 2000.0;
  bool operator==(const BrushSettings& o) const {
    return size == o.size && hardness == o.hardness && erase == o.erase && keepOut == o.keepOut;
  }
};

class MaskBrushTool : public Tool {
  Q_OBJECT
public:
  explicit MaskBrushTool(QObject* parent = nullptr);

  QString id() const override { return QStringLiteral("mask-brush"); }
  QString name() const override { return tr("Mask brush"); }
  QKeySequence shortcut() const override { return QKeySequence(Qt::Key_B); }

  const BrushSettings& settings() const { return settings_; }
  void setSettings(const BrushSettings& s);
  void setSize(double size);
  void setHardness(double hardness);
  void setErase(bool erase);
  void setKeepOut(bool keepOut);
  // '[' / ']': one step of ~15 % (at least 1 px) down/up.
  void decreaseSize();
  void increaseSize();

  void activate(Canvas* canvas) override;
  void deactivate() override;
  void pointerPress(const PointerEvent& e) override;
  void pointerMove(const PointerEvent& e) override;
  void pointerRelease(const PointerEvent& e) override;
  void pointerLeave() override;
  void paint(QPainter& painter, const ViewTransform& view) override;
  QCursor cursor() const override;
  bool isBusy() const override { return stroking_; }

Q_SIGNALS:
  void settingsChanged(const latentshop::ui::BrushSettings& settings);
  void strokeFinished();

private:
  void paintSegment(QPointF a, QPointF b);
  QRectF outlineRect() const;  // widget coordinates of the hover outline
  QString strokeText() const;  // the undo step's name
  BrushShape shape() const;

  BrushSettings settings_;
  bool stroking_ = false;
  bool strokeErases_ = false;
  bool strokeKeepOut_ = false;
  QPointF last_;
  std::optional<QPointF> lastStrokeEnd_;
  std::optional<QPointF> hoverWidget_;
};

}  // namespace latentshop::ui
