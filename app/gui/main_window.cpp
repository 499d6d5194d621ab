// Main window: construction, actions, menus, docks, status bar, settings and window events.
// Files live in main_window_files.cpp, jobs and results in main_window_jobs.cpp.
#include "app/gui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTextEdit>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include "app/gui/drag_setup.h"
#include "app/gui/engine_bridge.h"
#include "app/gui/recent_files.h"
#include "engine/pipelines/classical_inpaint.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/panels/brush_panel.h"
#include "ui/panels/classical_method.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/result_bar.h"
#include "ui/tools/mask_brush_tool.h"
#include "ui/widgets/icons.h"
#include "ui/widgets/theme.h"

namespace latentshop::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      doc_(new Document(this)),
      canvas_(new Canvas),
      engine_(new EngineBridge(this)),
      brush_(new MaskBrushTool(this)),
      inpaint_(new InpaintPanel),
      brushPanel_(new BrushPanel(brush_)),
      resultBar_(new ResultBar) {
  setObjectName(QStringLiteral("MainWindow"));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

  // The result bar floats over the top of the canvas (same grid cell), so showing it does not
  // resize the canvas and move the image under the user's eyes.
  auto* central = new QWidget(this);
  auto* grid = new QGridLayout(central);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->addWidget(canvas_, 0, 0);
  grid->addWidget(resultBar_, 0, 0, Qt::AlignTop | Qt::AlignHCenter);
  setCentralWidget(central);
  canvas_->setDocument(doc_);
  canvas_->setTool(brush_);

  inpaint_->addMethod(new ClassicalMethod(latentshop::ClassicalInpaintMethod::Telea));
  inpaint_->addMethod(new ClassicalMethod(latentshop::ClassicalInpaintMethod::NavierStokes));

  buildActions();
  buildMenus();
  buildToolBar();
  buildDocks();
  buildStatusBar();
  connectEngine();
  installDragEditing(*this);

  // Document -> window state.
  connect(doc_, &Document::modifiedChanged, this, &MainWindow::updateTitle);
  connect(doc_, &Document::filePathChanged, this, &MainWindow::updateTitle);
  connect(doc_, &Document::layersChanged, this, &MainWindow::updateResultBar);
  connect(doc_, &Document::layersChanged, this, &MainWindow::updateActions);
  connect(doc_, &Document::maskChanged, this, [this] {
    if (doc_->isStroking() && !canvas_->maskVisible()) canvas_->setMaskVisible(true);
    scheduleMaskCheck();
  });
  connect(doc_, &Document::documentReset, this, [this] {
    sizeLabel_->setText(doc_->isNull() ? QString() : tr("%1 \u00d7 %2 px").arg(doc_->size().width()).arg(doc_->size().height()));
    scheduleMaskCheck();
    updateActions();
  });
  connect(doc_->undoStack(), &QUndoStack::indexChanged, this, &MainWindow::updateActions);

  // Panels -> document.
  connect(brushPanel_, &BrushPanel::invertRequested, doc_, &Document::invertMask);
  connect(brushPanel_, &BrushPanel::clearRequested, doc_, &Document::clearMask);
  connect(brushPanel_, &BrushPanel::growRequested, doc_, &Document::growMask);
  connect(brushPanel_, &BrushPanel::maskStyleChanged, canvas_, &Canvas::setMaskStyle);
  connect(brushPanel_, &BrushPanel::maskVisibleChanged, canvas_, &Canvas::setMaskVisible);
  connect(canvas_, &Canvas::maskVisibilityChanged, this, [this](bool visible) {
    brushPanel_->setMaskVisible(visible);
    actions_[QStringLiteral("view.mask")]->setChecked(visible);
  });
  connect(inpaint_, &InpaintPanel::runRequested, this, &MainWindow::runInpaint);
  connect(resultBar_, &ResultBar::applyRequested, this, &MainWindow::applyResult);
  connect(resultBar_, &ResultBar::discardRequested, this, &MainWindow::discardResult);
  connect(resultBar_, &ResultBar::compareHeld, canvas_, &Canvas::setComparing);

  // Canvas -> status bar.
  connect(canvas_, &Canvas::zoomChanged, this, [this](double z) { zoomLabel_->setText(tr("%1 %").arg(z * 100.0, 0, 'f', z < 0.1 ? 1 : 0)); });
  connect(canvas_, &Canvas::cursorMoved, this, [this](const QPoint& px, bool inside) {
    positionLabel_->setText(inside ? tr("x %1, y %2 \u00b7 mask %3").arg(px.x()).arg(px.y()).arg(qGray(doc_->mask().pixel(px)))
                                   : QString());
  });

  qApp->installEventFilter(this);
  loadSettings();
  updateTitle();
  updateActions();
  zoomLabel_->setText(tr("%1 %").arg(canvas_->zoom() * 100.0, 0, 'f', 0));
}

MainWindow::~MainWindow() {
  qApp->removeEventFilter(this);
  canvas_->setTool(nullptr);
  // Children are destroyed after this body: stop listening to them first, and stop the engine
  // before anything its callbacks could reach goes away.
  disconnect(doc_->undoStack(), nullptr, this, nullptr);
  disconnect(doc_, nullptr, this, nullptr);
  disconnect(engine_, nullptr, this, nullptr);
  delete engine_;
  engine_ = nullptr;
}

// ---- Actions and menus --------------------------------------------------------------------------

void MainWindow::buildActions() {
  const auto add = [this](const QString& name, const QString& text, const QKeySequence& key = QKeySequence(),
                          IconId icon = IconId::Run, bool withIcon = false) {
    auto* a = new QAction(text, this);
    if (!key.isEmpty()) a->setShortcut(key);
    if (withIcon) a->setIcon(themedIcon(icon));
    if (!key.isEmpty()) a->setToolTip(QStringLiteral("%1 (%2)").arg(QString(text).remove(QLatin1Char('&')), key.toString(QKeySequence::NativeText)));
    addAction(a);  // shortcuts work even when menus/tool bars are hidden
    actions_.insert(name, a);
    return a;
  };
  connect(add(QStringLiteral("file.open"), tr("&Open\u2026"), QKeySequence::Open, IconId::Open, true), &QAction::triggered, this, &MainWindow::openDialog);
  connect(add(QStringLiteral("file.save"), tr("&Save"), QKeySequence::Save, IconId::Save, true), &QAction::triggered, this, &MainWindow::save);
  connect(add(QStringLiteral("file.saveAs"), tr("Save &As\u2026"), QKeySequence(QStringLiteral("Ctrl+Shift+S"))), &QAction::triggered, this, &MainWindow::saveDialog);
  connect(add(QStringLiteral("file.quit"), tr("&Quit"), QKeySequence(QStringLiteral("Ctrl+Q"))), &QAction::triggered, this, &QWidget::close);

  QAction* undo = doc_->undoStack()->createUndoAction(this, tr("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  undo->setIcon(themedIcon(IconId::Undo));
  QAction* redo = doc_->undoStack()->createRedoAction(this, tr("&Redo"));
  redo->setShortcuts({QKeySequence(QStringLiteral("Ctrl+Shift+Z")), QKeySequence(QStringLiteral("Ctrl+Y"))});
  redo->setIcon(themedIcon(IconId::Redo));
  addAction(undo);
  addAction(redo);
  actions_.insert(QStringLiteral("edit.undo"), undo);
  actions_.insert(QStringLiteral("edit.redo"), redo);

  QAction* eraser = add(QStringLiteral("brush.erase"), tr("&Eraser"), QKeySequence(Qt::Key_E), IconId::Eraser, true);
  eraser->setCheckable(true);
  connect(eraser, &QAction::toggled, brush_, &MaskBrushTool::setErase);
  connect(brush_, &MaskBrushTool::settingsChanged, eraser, [eraser](const BrushSettings& s) { eraser->setChecked(s.erase); });
  connect(add(QStringLiteral("brush.smaller"), tr("Brush &smaller"), QKeySequence(Qt::Key_BracketLeft)), &QAction::triggered, brush_, &MaskBrushTool::decreaseSize);
  connect(add(QStringLiteral("brush.larger"), tr("Brush &larger"), QKeySequence(Qt::Key_BracketRight)), &QAction::triggered, brush_, &MaskBrushTool::increaseSize);
  connect(add(QStringLiteral("mask.invert"), tr("&Invert mask"), QKeySequence(QStringLiteral("Ctrl+I")), IconId::Invert, true), &QAction::triggered, doc_, &Document::invertMask);
  connect(add(QStringLiteral("mask.clear"), tr("&Clear mask"), QKeySequence(QStringLiteral("Ctrl+D")), IconId::Clear, true), &QAction::triggered, doc_, &Document::clearMask);
  connect(add(QStringLiteral("mask.grow"), tr("&Grow mask"), QKeySequence(), IconId::Grow, true), &QAction::triggered, this, [this] { doc_->growMask(brushPanel_->growAmount()); });
  connect(add(QStringLiteral("mask.shrink"), tr("S&hrink mask"), QKeySequence(), IconId::Shrink, true), &QAction::triggered, this, [this] { doc_->growMask(-brushPanel_->growAmount()); });

  connect(add(QStringLiteral("view.zoomIn"), tr("Zoom &in"), QKeySequence::ZoomIn, IconId::ZoomIn, true), &QAction::triggered, canvas_, &Canvas::zoomIn);
  actions_[QStringLiteral("view.zoomIn")]->setShortcuts({QKeySequence::ZoomIn, QKeySequence(QStringLiteral("Ctrl+="))});
  connect(add(QStringLiteral("view.zoomOut"), tr("Zoom &out"), QKeySequence::ZoomOut, IconId::ZoomOut, true), &QAction::triggered, canvas_, &Canvas::zoomOut);
  connect(add(QStringLiteral("view.fit"), tr("&Fit to window"), QKeySequence(QStringLiteral("Ctrl+0")), IconId::ZoomFit, true), &QAction::triggered, canvas_, &Canvas::fitToWindow);
  connect(add(QStringLiteral("view.actual"), tr("&Actual pixels (100 %)"), QKeySequence(QStringLiteral("Ctrl+1")), IconId::ZoomActual, true), &QAction::triggered, canvas_, &Canvas::actualPixels);
  QAction* showMask = add(QStringLiteral("view.mask"), tr("Show &mask"), QKeySequence(Qt::Key_H), IconId::Eye, true);
  showMask->setCheckable(true);
  showMask->setChecked(true);
  connect(showMask, &QAction::toggled, canvas_, &Canvas::setMaskVisible);
  QAction* wheel = add(QStringLiteral("view.wheelZooms"), tr("Mouse &wheel zooms"));
  wheel->setCheckable(true);
  wheel->setChecked(true);
  connect(wheel, &QAction::toggled, canvas_, &Canvas::setWheelZooms);

  connect(add(QStringLiteral("job.run"), tr("&Run inpaint"), QKeySequence(QStringLiteral("Ctrl+Return")), IconId::Run, true), &QAction::triggered, this, &MainWindow::runInpaint);
  actions_[QStringLiteral("job.run")]->setShortcuts({QKeySequence(QStringLiteral("Ctrl+Return")), QKeySequence(QStringLiteral("Ctrl+Enter"))});
  connect(add(QStringLiteral("job.cancel"), tr("&Cancel job"), QKeySequence(Qt::Key_Escape), IconId::Cancel, true), &QAction::triggered, this, &MainWindow::cancelJob);
  connect(add(QStringLiteral("result.apply"), tr("&Apply result"), QKeySequence(QStringLiteral("Shift+Return")), IconId::Apply, true), &QAction::triggered, this, &MainWindow::applyResult);
  connect(add(QStringLiteral("result.discard"), tr("&Discard result"), QKeySequence(Qt::Key_Delete), IconId::Discard, true), &QAction::triggered, this, &MainWindow::discardResult);
  connect(add(QStringLiteral("help.shortcuts"), tr("&Keyboard shortcuts"), QKeySequence(Qt::Key_F1)), &QAction::triggered, this, &MainWindow::showShortcuts);
  connect(add(QStringLiteral("help.about"), tr("&About Latentshop")), &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::buildMenus() {
  const auto a = [this](const char* name) { return actions_.value(QString::fromLatin1(name)); };
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(a("file.open"));
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
  file->addSeparator();
  file->addAction(a("file.save"));
  file->addAction(a("file.saveAs"));
  file->addSeparator();
  file->addAction(a("file.quit"));

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(a("edit.undo"));
  edit->addAction(a("edit.redo"));

  QMenu* mask = menuBar()->addMenu(tr("&Mask"));
  mask->addAction(a("brush.erase"));
  mask->addAction(a("brush.smaller"));
  mask->addAction(a("brush.larger"));
  mask->addSeparator();
  mask->addAction(a("mask.invert"));
  mask->addAction(a("mask.clear"));
  mask->addAction(a("mask.grow"));
  mask->addAction(a("mask.shrink"));

  QMenu* image = menuBar()->addMenu(tr("&Image"));
  image->addAction(a("job.run"));
  image->addAction(a("job.cancel"));
  image->addSeparator();
  image->addAction(a("result.apply"));
  image->addAction(a("result.discard"));

  viewMenu_ = menuBar()->addMenu(tr("&View"));
  viewMenu_->addAction(a("view.zoomIn"));
  viewMenu_->addAction(a("view.zoomOut"));
  viewMenu_->addAction(a("view.fit"));
  viewMenu_->addAction(a("view.actual"));
  viewMenu_->addSeparator();
  viewMenu_->addAction(a("view.mask"));
  viewMenu_->addAction(a("view.wheelZooms"));
  QMenu* themes = viewMenu_->addMenu(tr("&Theme"));
  auto* themeGroup = new QActionGroup(this);
  const Theme current = themeFromName(QSettings().value(QStringLiteral("view/theme"), QStringLiteral("dark")).toString());
  for (Theme t : {Theme::Dark, Theme::Light, Theme::System}) {
    QAction* ta = themes->addAction(t == Theme::Dark ? tr("&Dark") : t == Theme::Light ? tr("&Light") : tr("&System"));
    ta->setCheckable(true);
    ta->setChecked(t == current);
    themeGroup->addAction(ta);
    connect(ta, &QAction::triggered, this, [t] {
      applyTheme(t);
      QSettings().setValue(QStringLiteral("view/theme"), themeName(t));
    });
  }
  viewMenu_->addSeparator();
  panelsMenu_ = viewMenu_->addMenu(tr("&Panels"));

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(a("help.shortcuts"));
  help->addAction(a("help.about"));
}

void MainWindow::buildToolBar() {
  toolBar_ = addToolBar(tr("Main"));
  toolBar_->setObjectName(QStringLiteral("MainToolBar"));
  toolBar_->setMovable(false);
  toolBar_->setIconSize(QSize(20, 20));
  const auto a = [this](const char* name) { return actions_.value(QString::fromLatin1(name)); };
  toolBar_->addAction(a("file.open"));
  toolBar_->addAction(a("file.save"));
  toolBar_->addSeparator();
  toolBar_->addAction(a("edit.undo"));
  toolBar_->addAction(a("edit.redo"));
  toolBar_->addSeparator();
  toolGroup_ = new QActionGroup(this);
  toolGroup_->setExclusive(true);
  addTool(brush_, nullptr, true);
  toolBar_->addAction(a("brush.erase"));
  toolBar_->addSeparator();
  toolBar_->addAction(a("view.zoomOut"));
  toolBar_->addAction(a("view.zoomIn"));
  toolBar_->addAction(a("view.fit"));
  toolBar_->addAction(a("view.actual"));
  toolBar_->addAction(a("view.mask"));
  toolBar_->addSeparator();
  QAction* run = a("job.run");
  toolBar_->addAction(run);
  if (auto* w = toolBar_->widgetForAction(run)) {
    if (auto* b = qobject_cast<QToolButton*>(w)) b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  }
}

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
  connect(a, &QAction::triggered, this, [this, tool] { canvas_->setTool(tool); });
  if (optionsPanel) addDockPanel(optionsPanel, tool->name(), Qt::RightDockWidgetArea);
  if (activate) {
    a->setChecked(true);
    canvas_->setTool(tool);
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
  if (panelsMenu_) panelsMenu_->addAction(dock->toggleViewAction());
  return dock;
}

void MainWindow::buildDocks() {
  QDockWidget* maskDock = addDockPanel(brushPanel_, tr("Mask"), Qt::RightDockWidgetArea);
  QDockWidget* inpaintDock = addDockPanel(inpaint_, tr("Inpaint"), Qt::RightDockWidgetArea);
  splitDockWidget(maskDock, inpaintDock, Qt::Vertical);
  // The mask panel's content has a fixed height: give the rest to the panels below it.
  maskDock->widget()->setMaximumHeight(brushPanel_->sizeHint().height() + 4);
  resizeDocks({maskDock}, {320}, Qt::Horizontal);
}

void MainWindow::buildStatusBar() {
  positionLabel_ = new QLabel(this);
  sizeLabel_ = new QLabel(this);
  zoomLabel_ = new QLabel(this);
  zoomLabel_->setMinimumWidth(60);
  zoomLabel_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  statusBar()->addPermanentWidget(positionLabel_);
  statusBar()->addPermanentWidget(sizeLabel_);
  statusBar()->addPermanentWidget(zoomLabel_);
}

void MainWindow::updateActions() {
  const bool hasImage = !doc_->isNull();
  const bool pending = doc_->hasPendingResult();
  const bool busy = activeJob_ != 0;
  for (const char* name : {"file.save", "file.saveAs", "mask.invert", "mask.clear", "mask.grow", "mask.shrink",
                           "view.zoomIn", "view.zoomOut", "view.fit", "view.actual"})
    actions_.value(QString::fromLatin1(name))->setEnabled(hasImage);
  actions_.value(QStringLiteral("job.cancel"))->setEnabled(busy);
  actions_.value(QStringLiteral("result.apply"))->setEnabled(pending);
  actions_.value(QStringLiteral("result.discard"))->setEnabled(pending);
  inpaint_->setBusy(busy);
  inpaint_->setDocumentState(hasImage, hasMask_);
  actions_.value(QStringLiteral("job.run"))->setEnabled(inpaint_->blockedReason().isEmpty());
}

void MainWindow::updateTitle() {
  setWindowTitle(doc_->isNull() ? QStringLiteral("Latentshop") : tr("%1[*] \u2014 Latentshop").arg(doc_->displayName()));
  setWindowModified(doc_->isModified());
}

void MainWindow::scheduleMaskCheck() {
  if (maskCheckPending_) return;
  maskCheckPending_ = true;
  // Coalesced: a stroke reports every mouse move; scanning the mask once per 60 ms is enough.
  QTimer::singleShot(60, this, [this] {
    maskCheckPending_ = false;
    hasMask_ = !doc_->isNull() && !doc_->maskIsEmpty();
    updateActions();
  });
}

void MainWindow::showStatus(const QString& text, int timeoutMs) { statusBar()->showMessage(text, timeoutMs); }

QString MainWindow::statusText() const { return statusBar()->currentMessage(); }

void MainWindow::showError(const QString& title, const QString& text) {
  showStatus(text, 15000);
  if (interactive_) QMessageBox::warning(this, title, text);
}

// ---- Settings and window events -----------------------------------------------------------------

void MainWindow::loadSettings() {
  QSettings s;
  BrushSettings b;
  b.size = s.value(QStringLiteral("brush/size"), b.size).toDouble();
  b.hardness = s.value(QStringLiteral("brush/hardness"), b.hardness).toDouble();
  b.erase = s.value(QStringLiteral("brush/erase"), false).toBool();
  brush_->setSettings(b);
  const QColor color = s.value(QStringLiteral("mask/color"), QColor(255, 40, 60)).value<QColor>();
  const double opacity = s.value(QStringLiteral("mask/opacity"), 0.5).toDouble();
  brushPanel_->setMaskStyle(color, opacity);
  brushPanel_->setGrowAmount(s.value(QStringLiteral("mask/growBy"), 8).toInt());
  canvas_->setMaskStyle(color, opacity);
  actions_[QStringLiteral("view.wheelZooms")]->setChecked(s.value(QStringLiteral("view/wheelZooms"), true).toBool());
  inpaint_->loadSettings(s);
  if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) {
    // First start: most of the screen, at most 1600 x 1000.
    const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1600, 1000);
    const QSize size(std::min(1600, avail.width()), std::min(1000, avail.height()));
    resize(size);
    move(avail.center() - QPoint(size.width() / 2, size.height() / 2));
  }
  restoreState(s.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveSettings() const {
  QSettings s;
  s.setValue(QStringLiteral("brush/size"), brush_->settings().size);
  s.setValue(QStringLiteral("brush/hardness"), brush_->settings().hardness);
  s.setValue(QStringLiteral("brush/erase"), brush_->settings().erase);
  s.setValue(QStringLiteral("mask/color"), brushPanel_->maskColor());
  s.setValue(QStringLiteral("mask/opacity"), brushPanel_->maskOpacity());
  s.setValue(QStringLiteral("mask/growBy"), brushPanel_->growAmount());
  s.setValue(QStringLiteral("view/wheelZooms"), canvas_->wheelZooms());
  inpaint_->saveSettings(s);
  s.setValue(QStringLiteral("window/geometry"), saveGeometry());
  s.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (!maybeSave()) {
    e->ignore();
    return;
  }
  if (activeJob_) engine_->cancel(activeJob_);
  engine_->cancelAll();
  engine_->waitIdle(5000);
  saveSettings();
  e->accept();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* e) {
  // Hold '\' anywhere in the window (except while typing) to see the image before the edit.
  if ((e->type() == QEvent::KeyPress || e->type() == QEvent::KeyRelease) && isActiveWindow()) {
    auto* k = static_cast<QKeyEvent*>(e);
    QWidget* focus = QApplication::focusWidget();
    const bool typing = qobject_cast<QLineEdit*>(focus) || qobject_cast<QAbstractSpinBox*>(focus) ||
                        qobject_cast<QTextEdit*>(focus) || qobject_cast<QPlainTextEdit*>(focus);
    if (k->key() == Qt::Key_Backslash && !typing && k->modifiers() == Qt::NoModifier) {
      if (!k->isAutoRepeat()) canvas_->setComparing(e->type() == QEvent::KeyPress && doc_->hasPendingResult());
      return true;
    }
  }
  return QMainWindow::eventFilter(watched, e);
}

void MainWindow::showShortcuts() {
  const QString rows = QStringLiteral(
      "<tr><td><b>Ctrl+O</b></td><td>Open an image (or drop it on the window)</td></tr>"
      "<tr><td><b>Ctrl+S / Ctrl+Shift+S</b></td><td>Save / save as (flattened PNG, JPEG, WebP)</td></tr>"
      "<tr><td><b>B</b></td><td>Mask brush</td></tr>"
      "<tr><td><b>E</b></td><td>Toggle eraser (right-drag also erases)</td></tr>"
      "<tr><td><b>[ &nbsp; ]</b></td><td>Brush smaller / larger</td></tr>"
      "<tr><td><b>Shift+click</b></td><td>Straight line from the last stroke</td></tr>"
      "<tr><td><b>Ctrl+I / Ctrl+D</b></td><td>Invert / clear the mask</td></tr>"
      "<tr><td><b>H</b></td><td>Show or hide the mask overlay</td></tr>"
      "<tr><td><b>Ctrl+Z / Ctrl+Shift+Z</b></td><td>Undo / redo (every stroke is one step)</td></tr>"
      "<tr><td><b>Ctrl+Enter</b></td><td>Run inpaint</td></tr>"
      "<tr><td><b>Esc</b></td><td>Cancel the running job</td></tr>"
      "<tr><td><b>Shift+Enter / Delete</b></td><td>Apply / discard the result</td></tr>"
      "<tr><td><b>hold \\</b></td><td>Compare: show the image before the result</td></tr>"
      "<tr><td><b>Wheel / Ctrl+wheel</b></td><td>Zoom at the cursor</td></tr>"
      "<tr><td><b>Space+drag, middle-drag</b></td><td>Pan</td></tr>"
      "<tr><td><b>Ctrl+0 / Ctrl+1</b></td><td>Fit to window / 100 %</td></tr>"
      "<tr><td><b>Ctrl+= / Ctrl+-</b></td><td>Zoom in / out</td></tr>");
  QMessageBox box(this);
  box.setWindowTitle(tr("Keyboard shortcuts"));
  box.setTextFormat(Qt::RichText);
  box.setText(QStringLiteral("<table cellspacing='4'>") + rows + QStringLiteral("</table>"));
  box.exec();
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About Latentshop"),
                     tr("<b>Latentshop %1</b><p>A desktop image editor with diffusion editing: paint a mask and "
                        "fill it, type an instruction, or drag a handle to a target.</p>"
                        "<p>Classical inpainting by OpenCV (Telea, Navier\u2013Stokes).</p>")
                         .arg(QStringLiteral(LATENTSHOP_VERSION)));
}

}  // namespace latentshop::ui
