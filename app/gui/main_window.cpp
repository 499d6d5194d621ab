// Main window: construction, actions, menus, enabling actions, title. Docks and the status bar live
// in main_window_docks.cpp, files in main_window_files.cpp, jobs and results in main_window_jobs.cpp.
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
#include <QProgressBar>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTextEdit>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTabWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include "app/gui/diffusion_tools.h"
#include "app/gui/drag_setup.h"
#include "app/gui/engine_bridge.h"
#include "app/gui/recent_files.h"
#include "engine/pipelines/classical_inpaint.h"
#include "ui/canvas/canvas.h"
#include "ui/document/background_tasks.h"
#include "ui/document/document.h"
#include "ui/panels/brush_panel.h"
#include "ui/panels/classical_method.h"
#include "ui/panels/history_panel.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/layers_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/result_bar.h"
#include "ui/panels/variation_strip.h"
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
      resultBar_(new ResultBar),
      layersPanel_(new LayersPanel),
      historyPanel_(new HistoryPanel),
      tasks_(new BackgroundTasks(this)) {
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
  // Variations of an SD edit: thumbnails under the canvas while there are candidates to choose.
  variations_ = new VariationStrip(central);
  grid->addWidget(variations_, 1, 0);
  grid->setRowStretch(0, 1);
  setCentralWidget(central);
  // A fitted image starts below the bar's place, so the bar never covers the image's top.
  canvas_->setTopInset(std::max(0, resultBar_->sizeHint().height() - 12));
  canvas_->setDocument(doc_);
  canvas_->setTool(brush_);
  layersPanel_->setDocument(doc_);
  historyPanel_->setDocument(doc_);

  // Content-aware removal first: the default for a mask with no prompt (and the first start).
  inpaint_->addMethod(new ClassicalMethod(latentshop::ClassicalInpaintMethod::PatchMatch));
  inpaint_->addMethod(new ClassicalMethod(latentshop::ClassicalInpaintMethod::Telea));
  inpaint_->addMethod(new ClassicalMethod(latentshop::ClassicalInpaintMethod::NavierStokes));

  buildActions();
  buildMenus();
  buildToolBar();
  buildDocks();
  buildStatusBar();
  connectEngine();
  installDiffusionTools(*this);  // SD inpaint method, instruction box, model pickers (issue 4)
  setupAutosave();
  installDragEditing(*this);
  installSelectionTool();  // rectangle / ellipse / lasso selections into the mask (issue 19)
  installModelManager();  // Settings → Models…, "Get models…", the first start's welcome (issue 18)

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
  connect(brushPanel_, &BrushPanel::clearKeepOutRequested, doc_, &Document::clearKeepOut);
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
  connect(variations_, &VariationStrip::candidateChosen, this, &MainWindow::showVariation);
  connect(variations_, &VariationStrip::discardAllRequested, this, &MainWindow::discardResult);
  connect(layersPanel_, &LayersPanel::statusMessage, this, [this](const QString& text) { showStatus(text); });
  connect(doc_, &Document::activeLayerChanged, this, &MainWindow::updateActions);

  // Canvas -> status bar.
  connect(canvas_, &Canvas::zoomChanged, this, [this](double z) { zoomLabel_->setText(tr("%1 %").arg(z * 100.0, 0, 'f', z < 0.1 ? 1 : 0)); });
  connect(canvas_, &Canvas::cursorMoved, this, [this](const QPoint& px, bool inside) {
    positionLabel_->setText(inside ? tr("x %1, y %2 \u00b7 mask %3").arg(px.x()).arg(px.y()).arg(qGray(doc_->mask().pixel(px)))
                                   : QString());
  });

  qApp->installEventFilter(this);
  defaultLayout_ = saveState();  // View → Reset layout goes back to this
  loadSettings();
  updateTitle();
  updateActions();
  zoomLabel_->setText(tr("%1 %").arg(canvas_->zoom() * 100.0, 0, 'f', 0));
}

MainWindow::~MainWindow() {
  qApp->removeEventFilter(this);
  canvas_->setTool(nullptr);
  // A normal end: finish file work, then the recovery file is no longer needed (a crash never
  // gets here, so its recovery file stays for the next start).
  tasks_->waitForWork();
  recovery_->discard();
  // Children are destroyed after this body: stop listening to them first, and stop the engine
  // before anything its callbacks could reach goes away.
  // Docks report themselves hidden while the window deletes them, after this window's members
  // are gone: nothing may listen then (the tab -> tool switching does).
  for (QDockWidget* dock : findChildren<QDockWidget*>()) disconnect(dock, &QDockWidget::visibilityChanged, nullptr, nullptr);
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
  connect(add(QStringLiteral("file.export"), tr("&Export\u2026"), QKeySequence(QStringLiteral("Ctrl+Shift+E")), IconId::Export, true), &QAction::triggered, this, &MainWindow::exportDialog);
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
  QAction* keepOut = add(QStringLiteral("brush.keepOut"), tr("Paint &keep-out region"), QKeySequence(Qt::Key_K));
  keepOut->setCheckable(true);
  connect(keepOut, &QAction::toggled, brush_, &MaskBrushTool::setKeepOut);
  connect(brush_, &MaskBrushTool::settingsChanged, keepOut, [keepOut](const BrushSettings& s) { keepOut->setChecked(s.keepOut); });
  connect(add(QStringLiteral("mask.clearKeepOut"), tr("Clear &keep-out region")), &QAction::triggered, doc_, &Document::clearKeepOut);
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
  connect(add(QStringLiteral("view.resetLayout"), tr("&Reset layout")), &QAction::triggered, this, &MainWindow::resetLayout);
  QAction* wheel = add(QStringLiteral("view.wheelZooms"), tr("Mouse &wheel zooms"));
  wheel->setCheckable(true);
  wheel->setChecked(true);
  connect(wheel, &QAction::toggled, canvas_, &Canvas::setWheelZooms);

  connect(add(QStringLiteral("job.run"), tr("&Run inpaint"), QKeySequence(QStringLiteral("Ctrl+Return")), IconId::Run, true), &QAction::triggered, this, &MainWindow::runInpaint);
  actions_[QStringLiteral("job.run")]->setShortcuts({QKeySequence(QStringLiteral("Ctrl+Return")), QKeySequence(QStringLiteral("Ctrl+Enter"))});
  connect(add(QStringLiteral("job.cancel"), tr("&Cancel job"), QKeySequence(Qt::Key_Escape), IconId::Cancel, true), &QAction::triggered, this, &MainWindow::cancelJob);
  connect(add(QStringLiteral("result.apply"), tr("&Apply result"), QKeySequence(QStringLiteral("Shift+Return")), IconId::Apply, true), &QAction::triggered, this, &MainWindow::applyResult);
  connect(add(QStringLiteral("result.discard"), tr("&Discard result"), QKeySequence(Qt::Key_Delete), IconId::Discard, true), &QAction::triggered, this, &MainWindow::discardResult);
  buildLayerActions();
  buildImageActions();
  connect(add(QStringLiteral("help.shortcuts"), tr("&Keyboard shortcuts"), QKeySequence(Qt::Key_F1)), &QAction::triggered, this, &MainWindow::showShortcuts);
  connect(add(QStringLiteral("help.about"), tr("&About Latentshop")), &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::buildMenus() {
  const auto a = [this](const char* name) { return actions_.value(QString::fromLatin1(name)); };
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(a("file.new"));
  file->addAction(a("file.open"));
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
  file->addSeparator();
  file->addAction(a("file.save"));
  file->addAction(a("file.saveAs"));
  file->addAction(a("file.export"));
  file->addSeparator();
  file->addAction(pixelBudgetAction());
  file->addAction(vaeMemoryAction());
  file->addSeparator();
  file->addAction(a("file.quit"));

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(a("edit.undo"));
  edit->addAction(a("edit.redo"));
  edit->addSeparator();
  edit->addAction(a("edit.copy"));
  edit->addAction(a("edit.copyLayer"));
  edit->addAction(a("edit.paste"));
  edit->addAction(a("edit.pasteNew"));

  QMenu* mask = menuBar()->addMenu(tr("&Mask"));
  mask->addAction(a("brush.erase"));
  mask->addAction(a("brush.keepOut"));
  mask->addAction(a("brush.smaller"));
  mask->addAction(a("brush.larger"));
  mask->addSeparator();
  mask->addAction(a("mask.invert"));
  mask->addAction(a("mask.clear"));
  mask->addAction(a("mask.clearKeepOut"));
  mask->addAction(a("mask.grow"));
  mask->addAction(a("mask.shrink"));

  QMenu* image = menuBar()->addMenu(tr("&Image"));
  image->addAction(a("job.run"));
  image->addAction(a("job.cancel"));
  image->addSeparator();
  image->addAction(a("result.apply"));
  image->addAction(a("result.discard"));
  addImageMenuItems(image);

  QMenu* layer = menuBar()->addMenu(tr("&Layer"));
  for (const char* name : {"layer.duplicate", "layer.mergeDown", "layer.delete", "", "layer.up", "layer.down", "",
                           "layer.rename", "layer.toggle", "layer.copyParams"}) {
    if (!*name) {
      layer->addSeparator();
    } else {
      layer->addAction(a(name));
    }
  }

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
  viewMenu_->addAction(a("view.resetLayout"));

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

void MainWindow::updateActions() {
  const bool hasImage = !doc_->isNull();
  const bool pending = doc_->hasPendingResult();
  const bool busy = activeJob_ != 0;
  for (const char* name : {"file.save", "file.saveAs", "file.export", "mask.invert", "mask.clear", "mask.clearKeepOut", "mask.grow",
                           "mask.shrink", "view.zoomIn", "view.zoomOut", "view.fit", "view.actual", "edit.copy", "edit.copyLayer"})
    actions_.value(QString::fromLatin1(name))->setEnabled(hasImage && !opening_);
  for (const char* name : {"image.crop", "image.resize", "image.canvasSize", "image.rotateCw", "image.rotateCcw", "image.rotate180",
                           "image.flipH", "image.flipV"})
    actions_.value(QString::fromLatin1(name))->setEnabled(hasImage && !opening_ && !busy);
  actions_.value(QStringLiteral("file.open"))->setEnabled(!opening_);
  const LayerId active = doc_->activeLayer();
  const Layer* l = active ? doc_->layer(active) : nullptr;
  const int index = l ? doc_->indexOf(active) : -1;
  for (const char* name : {"layer.duplicate", "layer.delete", "layer.rename", "layer.toggle"})
    actions_.value(QString::fromLatin1(name))->setEnabled(l != nullptr);
  actions_.value(QStringLiteral("layer.up"))->setEnabled(l && index < doc_->layerCount() - 1);
  actions_.value(QStringLiteral("layer.down"))->setEnabled(l && index > 0);
  actions_.value(QStringLiteral("layer.mergeDown"))->setEnabled(l && doc_->mergeDownBlocker(active).isEmpty());
  actions_.value(QStringLiteral("layer.copyParams"))->setEnabled(l && !l->params.isEmpty());
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

}  // namespace latentshop::ui
