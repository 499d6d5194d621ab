// Main window: tools in the tool bar (each with its options dock, whose tab picks the tool), the
// docks (mask, inpaint and the tool panels tabbed on the right; layers and history on the left)
// and the status bar (position, size, zoom, file work with Cancel, the running edit's progress).
#include <QAction>
#include <QActionGroup>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

#include "app/gui/main_window.h"
#include "ui/canvas/canvas.h"
#include "ui/panels/brush_panel.h"
#include "ui/panels/history_panel.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/layers_panel.h"
#include "ui/tools/mask_brush_tool.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

void MainWindow::addTool(Tool* tool, QWidget* optionsPanel, bool activate) {
  QIcon icon = tool->icon();
  if (icon.isNull() && tool == brush_) icon = themedIcon(IconId::Brush);
  auto* a = new QAction(icon, tool->name(), this);
  a->setCheckable(true);
  a->setShortcut(tool->shortcut());
  a->setToolTip(tool->shortcut().isEmpty() ? tool->name()
                                           : QStringLiteral("%1 (%2)").arg(tool->name(), tool->shortcut().toString(QKeySequence::NativeText)));
  addAction(a);
  toolGroup_->addAction(a);
  toolBar_->addAction(a);
  actions_.insert(QStringLiteral("tool.") + tool->id(), a);
  QDockWidget* dock = optionsPanel ? addDockPanel(optionsPanel, tool->name(), Qt::RightDockWidgetArea) : nullptr;
  connect(a, &QAction::triggered, this, [this, tool, dock] {
    canvas_->setTool(tool);
    if (dock) {  // bring the tool's options to the front of its tab group
      dock->show();
      dock->raise();
    }
  });
  if (activate) {
    a->setChecked(true);
    canvas_->setTool(tool);
  }
  if (dock) {
    toolDocks_.insert(dock, a);
    // Bringing a tool's tab to the front picks the tool: the panel's instructions ("click a
    // handle…") then do what they say instead of painting mask.
    // (A tab behind another stays isVisible(); visibilityChanged says what the user sees.)
    connect(dock, &QDockWidget::visibilityChanged, a, [this, a, dock](bool visible) {
      toolDockShown_[dock] = visible;
      if (visible && !a->isChecked()) a->trigger();
    });
  }
}

QDockWidget* MainWindow::addDockPanel(QWidget* panel, const QString& title, Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(QStringLiteral("dock.") + title.toLower().remove(QLatin1Char(' ')));
  auto* scroll = new QScrollArea(dock);
  scroll->setWidget(panel);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  dock->setWidget(scroll);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetFloatable);
  addDockWidget(area, dock);
  // Tool panels share one tabbed place under the Mask panel instead of squeezing each other.
  if (area == Qt::RightDockWidgetArea && toolDockAnchor_) {
    tabifyDockWidget(toolDockAnchor_, dock);
    toolDockAnchor_->raise();
  }
  if (panelsMenu_) panelsMenu_->addAction(dock->toggleViewAction());
  if (area == Qt::RightDockWidgetArea) {
    // A panel without a tool of its own (Inpaint, Instruct) coming to the front while a tool
    // whose panel is now hidden is active (drag) goes back to the mask brush they work with.
    connect(dock, &QDockWidget::visibilityChanged, this, [this, dock](bool visible) {
      if (!visible || toolDocks_.contains(dock)) return;
      // Looked at once the tab switch is complete (the old tab reports hidden after the new one).
      QTimer::singleShot(0, this, [this] {
        for (auto it = toolDocks_.cbegin(); it != toolDocks_.cend(); ++it)
          if (it.value()->isChecked() && !toolDockShown_.value(it.key()))
            if (QAction* brush = actions_.value(QStringLiteral("tool.") + brush_->id())) brush->trigger();
      });
    });
  }
  return dock;
}

void MainWindow::buildDocks() {
  QDockWidget* maskDock = addDockPanel(brushPanel_, tr("Mask"), Qt::RightDockWidgetArea);
  QDockWidget* inpaintDock = addDockPanel(inpaint_, tr("Inpaint"), Qt::RightDockWidgetArea);
  splitDockWidget(maskDock, inpaintDock, Qt::Vertical);
  toolDockAnchor_ = inpaintDock;
  setTabPosition(Qt::RightDockWidgetArea, QTabWidget::North);
  // The mask panel's content has a fixed height: give the rest to the panels below it.
  maskDock->widget()->setMaximumHeight(brushPanel_->sizeHint().height() + 4);
  // Layers and history on the left, as tall as the window: the list of edits grows there.
  QDockWidget* layersDock = addDockPanel(layersPanel_, tr("Layers"), Qt::LeftDockWidgetArea);
  QDockWidget* historyDock = addDockPanel(historyPanel_, tr("History"), Qt::LeftDockWidgetArea);
  splitDockWidget(layersDock, historyDock, Qt::Vertical);
  maskDock_ = maskDock;
  layersDock_ = layersDock;
  historyDock_ = historyDock;
  applyDefaultDockSizes();
}

void MainWindow::applyDefaultDockSizes() {
  resizeDocks({maskDock_}, {360}, Qt::Horizontal);
  resizeDocks({layersDock_}, {270}, Qt::Horizontal);
  resizeDocks({layersDock_, historyDock_}, {540, 320}, Qt::Vertical);
}

void MainWindow::buildStatusBar() {
  positionLabel_ = new QLabel(this);
  sizeLabel_ = new QLabel(this);
  zoomLabel_ = new QLabel(this);
  zoomLabel_->setMinimumWidth(60);
  zoomLabel_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  busyLabel_ = new QLabel(this);
  busyBar_ = new QProgressBar(this);
  busyBar_->setRange(0, 0);  // indeterminate
  busyBar_->setMaximumWidth(120);
  busyBar_->setMaximumHeight(14);
  busyBar_->setTextVisible(false);
  busyLabel_->setVisible(false);
  busyBar_->setVisible(false);
  // Shown only when file work takes longer than 100 ms.
  busyTimer_ = new QTimer(this);
  busyTimer_->setSingleShot(true);
  busyTimer_->setInterval(100);
  connect(busyTimer_, &QTimer::timeout, this, [this] {
    busyLabel_->setVisible(true);
    busyBar_->setVisible(true);
    busyCancel_->setVisible(bool(cancelWait_));
  });
  busyCancel_ = new QToolButton(this);
  busyCancel_->setObjectName(QStringLiteral("busyCancel"));
  busyCancel_->setText(tr("Cancel"));
  busyCancel_->setToolTip(tr("Stop opening this file (Esc); the current image stays"));
  busyCancel_->setAutoRaise(true);
  busyCancel_->setVisible(false);
  connect(busyCancel_, &QToolButton::clicked, this, &MainWindow::cancelFileWait);
  // The running edit's progress, visible whatever the docks show.
  jobLabel_ = new QLabel(this);
  jobLabel_->setObjectName(QStringLiteral("jobStatus"));
  jobBar_ = new QProgressBar(this);
  jobBar_->setObjectName(QStringLiteral("jobStatusBar"));
  jobBar_->setMaximumWidth(140);
  jobBar_->setMaximumHeight(14);
  jobBar_->setTextVisible(false);
  jobLabel_->setVisible(false);
  jobBar_->setVisible(false);
  statusBar()->addPermanentWidget(jobLabel_);
  statusBar()->addPermanentWidget(jobBar_);
  statusBar()->addPermanentWidget(busyLabel_);
  statusBar()->addPermanentWidget(busyBar_);
  statusBar()->addPermanentWidget(busyCancel_);
  statusBar()->addPermanentWidget(positionLabel_);
  statusBar()->addPermanentWidget(sizeLabel_);
  statusBar()->addPermanentWidget(zoomLabel_);
}

}  // namespace latentshop::ui
