// Options of the Select tool (ui/tools/selection_tool.h): the shape (rectangle, ellipse, lasso)
// and whether a selection adds to or subtracts from the mask, with a line saying how.
#pragma once
#include <QWidget>

class QRadioButton;

namespace latentshop::ui {

class SelectionTool;

class SelectionPanel : public QWidget {
  Q_OBJECT
public:
  explicit SelectionPanel(SelectionTool* tool, QWidget* parent = nullptr);
  QRadioButton* shapeButton(int shape) const;  // a SelectionShape value
  QRadioButton* subtractButton() const { return subtract_; }

private:
  SelectionTool* tool_;
  QRadioButton* shapes_[3];
  QRadioButton* add_;
  QRadioButton* subtract_;
};

}  // namespace latentshop::ui
