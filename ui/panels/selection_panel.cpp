#include "ui/panels/selection_panel.h"

#include <QButtonGroup>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRadioButton>
#include <QVBoxLayout>

#include "ui/tools/selection_tool.h"

namespace latentshop::ui {

SelectionPanel::SelectionPanel(SelectionTool* tool, QWidget* parent) : QWidget(parent), tool_(tool) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(8);
  auto* shapeRow = new QHBoxLayout;
  auto* shapeGroup = new QButtonGroup(this);
  const QString names[3] = {tr("Rectangle"), tr("Ellipse"), tr("Lasso")};
  for (int i = 0; i < 3; ++i) {
    shapes_[i] = new QRadioButton(names[i], this);
    shapeGroup->addButton(shapes_[i], i);
    shapeRow->addWidget(shapes_[i]);
  }
  shapeRow->addStretch(1);
  shapes_[int(tool_->shape())]->setChecked(true);
  auto* modeRow = new QHBoxLayout;
  add_ = new QRadioButton(tr("Add to mask"), this);
  subtract_ = new QRadioButton(tr("Subtract"), this);
  auto* modeGroup = new QButtonGroup(this);
  modeGroup->addButton(add_, 0);
  modeGroup->addButton(subtract_, 1);
  (tool_->mode() == SelectionMode::Add ? add_ : subtract_)->setChecked(true);
  modeRow->addWidget(add_);
  modeRow->addWidget(subtract_);
  modeRow->addStretch(1);
  auto* hint = new QLabel(tr("Drag on the image to select; the selection becomes mask (the region an edit changes). "
                             "Alt or the right button subtracts; Shift keeps a rectangle square and an ellipse round. "
                             "Image \u2192 Crop to selection crops to the mask."),
                          this);
  hint->setWordWrap(true);
  hint->setForegroundRole(QPalette::PlaceholderText);
  layout->addLayout(shapeRow);
  layout->addLayout(modeRow);
  layout->addWidget(hint);
  layout->addStretch(1);

  connect(shapeGroup, &QButtonGroup::idClicked, tool_, [this](int id) { tool_->setShape(SelectionShape(id)); });
  connect(modeGroup, &QButtonGroup::idClicked, tool_,
          [this](int id) { tool_->setMode(id == 0 ? SelectionMode::Add : SelectionMode::Subtract); });
  connect(tool_, &SelectionTool::shapeChanged, this, [this](SelectionShape s) { shapes_[int(s)]->setChecked(true); });
  connect(tool_, &SelectionTool::modeChanged, this,
          [this](SelectionMode m) { (m == SelectionMode::Add ? add_ : subtract_)->setChecked(true); });
}

QRadioButton* SelectionPanel::shapeButton(int shape) const { return shapes_[std::clamp(shape, 0, 2)]; }

}  // namespace latentshop::ui
