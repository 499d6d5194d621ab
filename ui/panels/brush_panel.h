// Options of the mask brush and the mask: brush size / hardness / paint-or-erase, the overlay's
// colour, opacity and visibility, and whole-mask commands (invert, clear, grow, shrink). Brush
// settings go straight to the MaskBrushTool (and follow it when '['/']' change the size); mask
// commands are signals the main window routes to the document's undoable edits.
#pragma once
#include <QColor>
#include <QWidget>

class QCheckBox;
class QSlider;
class QSpinBox;
class QToolButton;

namespace latentshop::ui {

class MaskBrushTool;
struct BrushSettings;

class BrushPanel : public QWidget {
  Q_OBJECT
public:
  explicit BrushPanel(MaskBrushTool* tool, QWidget* parent = nullptr);

  void setMaskStyle(const QColor& color, double opacity);
  QColor maskColor() const { return color_; }
  double maskOpacity() const;
  void setMaskVisible(bool visible);
  int growAmount() const;  // px for Grow/Shrink
  void setGrowAmount(int px);

  QSpinBox* sizeBox() const { return size_; }
  QSpinBox* hardnessBox() const { return hardness_; }
  QToolButton* keepOutButton() const { return keepOutTarget_; }

Q_SIGNALS:
  void maskStyleChanged(const QColor& color, double opacity);
  void maskVisibleChanged(bool visible);
  void invertRequested();
  void clearRequested();
  void clearKeepOutRequested();
  void growRequested(int px);  // negative: shrink

private:
  void showSettings(const BrushSettings& s);
  void updateColorButton();

  MaskBrushTool* tool_;
  QSlider* sizeSlider_;
  QSpinBox* size_;
  QSlider* hardnessSlider_;
  QSpinBox* hardness_;
  QToolButton* paint_;
  QToolButton* erase_;
  QToolButton* holeTarget_;
  QToolButton* keepOutTarget_;
  QToolButton* colorButton_;
  QSlider* opacity_;
  QCheckBox* visible_;
  QSpinBox* grow_;
  QColor color_ = QColor(255, 40, 60);
  bool updating_ = false;
};

}  // namespace latentshop::ui
