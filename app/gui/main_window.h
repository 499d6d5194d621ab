// Latentshop's main window: the canvas with the pending-result bar above it, the mask, inpaint,
// layers and history panels in docks, menus, tool bar and status bar, wired to the Document and
// the EngineBridge. Files (open, save, export) and autosave run on worker threads
// (ui/document/background_tasks.h); the window is split over main_window.cpp (construction,
// actions, menus), main_window_docks.cpp (tools, docks, status bar), main_window_files.cpp
// (open/save/export), main_window_jobs.cpp (engine jobs), main_window_variations.cpp (batches of
// candidates), main_window_image.cpp (New, clipboard, crop/resize/rotate, the Select tool),
// main_window_settings.cpp (settings, layout, window events), main_window_help.cpp (F1, About)
// and main_window_recovery.cpp (autosave and crash recovery).
//
// Extension points for later work:
//   addTool(tool, optionsPanel)        a canvas tool in the tool bar (+ its options dock page)
//   addDockPanel(widget, title, area)  e.g. the layers and history panels
//   runDocumentJob(spec, progress)     run any edit job on the engine: progress goes to `progress`,
//                                      previews to the canvas, the result lands as a pending layer
//   inpaintPanel()->addMethod(m)       another inpaint method (see ui/panels/inpaint_method.h)
#pragma once
#include <QHash>
#include <QImage>
#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

#include "engine/runtime/job.h"
#include "ui/canvas/preview_mask.h"
#include "ui/document/layer.h"
#include "ui/document/recovery_store.h"

class QAction;
class QActionGroup;
class QDockWidget;
class QFrame;
class QLabel;
class QMenu;
class QProgressBar;
class QTimer;
class QToolBar;
class QToolButton;

namespace latentshop::ui {

class BackgroundTasks;
class BrushPanel;
class Canvas;
class Document;
class EngineBridge;
class HistoryPanel;
class InpaintPanel;
class JobProgressWidget;
class LayersPanel;
class MaskBrushTool;
class ModelManagerDialog;
class ResultBar;
class VariationStrip;
class Tool;
struct JobOutcome;
struct LoadedDocument;
struct JobProgressInfo;

// One line of Help → Keyboard shortcuts.
struct ShortcutRow {
  QString group;  // the menu it is in ("File", "Mask", ...), or "Tools and panels", "Canvas"
  QString keys;   // "Ctrl+Z", "Ctrl+Shift+Z / Ctrl+Y"
  QString what;
};

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // ---- Files --------------------------------------------------------------------------------
  // Opens an image (PNG, JPEG, WebP, TIFF, BMP, ...; EXIF orientation applied) or a project (.ora:
  // every layer, mask, point and parameter restored). Decoding runs on a worker thread while the
  // window keeps painting (a busy indicator appears after 100 ms); the call returns when done. On
  // failure returns false with a message naming the file and the problem (also shown in the
  // status bar) and the current document is untouched.
  bool openImage(const QString& path, QString* error = nullptr);
  // Saves the flattened visible image; the format follows the extension (.png, .jpg/.jpeg, .webp,
  // .bmp, .tif). JPEG has no alpha: transparent areas are flattened over white. Layers are not
  // kept: the document counts as saved only for this image (File > Save keeps layers in .ora).
  bool saveImage(const QString& path, QString* error = nullptr);
  // Saves the document as a project (.ora) on a worker thread and waits for it; the document then
  // saves to `path` (title bar, Ctrl+S) and is clean if nothing changed meanwhile.
  bool saveProject(const QString& path, QString* error = nullptr);
  // The same without waiting: projectSaved() reports the end. The UI keeps working meanwhile.
  void saveProjectInBackground(const QString& path);
  // Exports (engine/io/layer_export.h, by the path): flattened .png (with the `parameters` chunk),
  // .jpg/.jpeg, .webp; a layered .psd; an .ora copy; a folder of PNG layers (a path ending in '/',
  // an existing folder or no extension). Waits for the worker; does not change the document.
  bool exportTo(const QString& path, QString* error = nullptr, QStringList* written = nullptr);
  void exportInBackground(const QString& path);
  // The project file the document saves to ("" until it was saved or opened as .ora).
  QString projectPath() const;
  // File work (open, save, export, autosave) running on workers.
  int fileTasksRunning() const;

  // ---- Autosave and crash recovery (main_window_recovery.cpp) ---------------------------------
  // While the document has unsaved changes it is written to this window's recovery file every
  // autosaveInterval() ms (QSettings "autosave/intervalSeconds", default 60) and shortly after
  // every finished edit ("autosave/afterEditMs", default 1000); saving or a clean exit removes it.
  void setAutosaveInterval(int ms);
  int autosaveInterval() const;
  void setAutosaveAfterEdit(int ms);
  QString recoveryFile() const;
  void autosaveNow();  // starts a write now (when there is something unsaved)
  enum class RecoveryMode { Ask, Restore, Discard, Later };
  // Looks for recovery files left by a session that crashed or was killed and, per `mode`, asks
  // (a dialog: Restore / Discard / Later), restores the newest, discards them all, or leaves them.
  // Returns true when a document was restored.
  bool offerRecovery(RecoveryMode mode);
  // Restores one: every layer and mask back, the document marked modified with its original path.
  bool restoreRecovery(const RecoveryEntry& entry, QString* error = nullptr);

  // ---- Jobs ---------------------------------------------------------------------------------
  // Runs the inpaint panel's current method on the document (as the Run button). Returns the job
  // id, or 0 with the reason in the status bar when it cannot run.
  JobId runInpaint();
  // Runs any job that produces a result layer for this document (one at a time).
  JobId runDocumentJob(JobSpec spec, JobProgressWidget* progress);
  // Variations (main_window_variations.cpp): `first`, then makeNext(1) … makeNext(count - 1) one
  // after another (consecutive seeds), each finished candidate a thumbnail in the strip under the
  // canvas; the first is shown as the pending result, a click shows another. Apply keeps the
  // shown one, Discard (all) drops them; count 1 is runDocumentJob().
  JobId runDocumentJobs(JobSpec first, int count, std::function<JobSpec(int)> makeNext, JobProgressWidget* progress);
  VariationStrip* variationStrip() const { return variations_; }
  // Shows candidate `index` of the batch on the canvas (the strip's click).
  bool showVariation(int index);
  JobId activeJob() const { return activeJob_; }
  void cancelJob();
  // Asks the running job to finish early and keep what it has (drag's "Stop").
  void stopJob();
  void applyResult();
  void discardResult();

  // ---- Canvas basics (main_window_image.cpp), each one undo step --------------------------------
  // File → New: a blank image (`fill` with alpha 0: transparent).
  void newDocument(const QSize& size, const QColor& fill);
  // Ctrl+V: as a new layer, centred (or a new image when none is open); Ctrl+Shift+V: a new image.
  bool pasteImage(const QImage& image, bool asNewDocument);
  // Ctrl+C: the image as shown; Ctrl+Shift+C: the selected layer's pixels (the original if none).
  void copyToClipboard(bool layerOnly);
  // Image menu: crop to the mask's (the selection's) bounding box, resize, canvas size (the image
  // placed by `anchor`, new room filled with `fill`), rotate by quarter turns clockwise, flip.
  bool cropToSelection();
  void resizeImage(const QSize& size);
  void resizeCanvas(const QSize& size, Qt::Alignment anchor, const QColor& fill);
  void rotateImage(int quarterTurns);
  void flipImage(bool horizontal);

  // ---- Extension ----------------------------------------------------------------------------
  void addTool(Tool* tool, QWidget* optionsPanel = nullptr, bool activate = false);
  QDockWidget* addDockPanel(QWidget* panel, const QString& title, Qt::DockWidgetArea area);

  // Modal dialogs (errors, "save changes?") only when interactive; tests turn them off.
  void setInteractive(bool interactive) { interactive_ = interactive; }

  Document* document() const { return doc_; }
  Canvas* canvas() const { return canvas_; }
  EngineBridge* engine() const { return engine_; }
  InpaintPanel* inpaintPanel() const { return inpaint_; }
  BrushPanel* brushPanel() const { return brushPanel_; }
  MaskBrushTool* brushTool() const { return brush_; }
  ResultBar* resultBar() const { return resultBar_; }
  LayersPanel* layersPanel() const { return layersPanel_; }
  HistoryPanel* historyPanel() const { return historyPanel_; }
  QAction* action(const QString& name) const { return actions_.value(name); }
  // Settings → Models… (main_window_models.cpp): created on first use, kept while the window lives
  // so a download goes on when it is closed.
  ModelManagerDialog* modelManager();
  void showModelManager();
  // The first start's welcome in the Inpaint panel is showing.
  bool welcomeShown() const;
  QString statusText() const;
  // The first start's window (inner geometry) on a screen whose free area is `available`: the
  // window with its `frame` fits inside, centred, at most 1600 x 1000 inside, never below `minimum`.
  static QRect firstStartGeometry(const QRect& available, const QMargins& frame, const QSize& minimum);
  QMargins frameAllowance() const;
  // Every shortcut the window has (from its actions, in menu order) and the canvas gestures.
  QList<ShortcutRow> shortcutRows() const;

Q_SIGNALS:
  void imageOpened(const QString& path);
  void projectSaved(const QString& path, const QString& error);  // error empty on success
  void exportFinished(const QString& path, const QString& error);
  void autosaved(const QString& recoveryFile, quint64 revision);
  void resultArrived(latentshop::ui::LayerId layer);
  void jobFinished(quint64 id, int state);  // a latentshop::JobState value

protected:
  void closeEvent(QCloseEvent* e) override;
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  bool eventFilter(QObject* watched, QEvent* e) override;

private:
  void buildActions();
  void buildMenus();
  void buildToolBar();
  void buildDocks();
  void buildStatusBar();
  void connectEngine();
  void loadSettings();
  void installModelManager();
  // File → "Largest image to open…": the decode policy's pixel budget (engine/io/decode_policy.h),
  // kept in QSettings "files/maxMegapixels" (main_window_limits.cpp).
  QAction* pixelBudgetAction();
  void applyPixelBudgetSetting(qint64 megapixels);
  void askPixelBudget();
  QAction* vaeMemoryAction();
  void applyVaeMemorySetting(qint64 mib);
  void askVaeMemory();
  void saveSettings() const;
  // View → Reset layout: every panel back in its first-start place and size (floating ones docked,
  // closed ones shown), the Inpaint tab in front.
  void resetLayout();
  void applyDefaultDockSizes();
  void updateActions();
  void updateTitle();
  void updateResultBar();
  void scheduleMaskCheck();
  void showStatus(const QString& text, int timeoutMs = 6000);
  void showError(const QString& title, const QString& text);
  bool maybeSave();
  // Asks whether to open an image whose file is damaged (`warning` says how); true = open.
  bool confirmDamagedImage(const QString& warning);
  void openDialog();
  bool saveDialog();
  void save();
  void exportDialog();
  // Runs work() on a worker and, unless `wait`, returns at once; done() runs on the GUI thread.
  // With `wait` it spins a local event loop that paints but takes no input until done().
  // While waiting, clicks and keys are dropped (never replayed later); a `cancellable` wait shows a
  // Cancel button (and takes Esc) that returns false at once, leaving the worker's result unused.
  bool runFileTask(const QString& busyText, std::function<void()> work, std::function<void()> done, bool wait,
                   bool cancellable = false);
  // Cancels the file wait in progress (the Cancel button next to the busy bar, Esc).
  void cancelFileWait();
  bool fileWaitBlocksInput(QObject* watched, QEvent* e);
  void beginBusy(const QString& text);
  void endBusy();
  void finishProjectSave(const QString& path, const QString& error, quint64 revision, quint64 generation);
  void applyLoaded(const QString& path, LoadedDocument& loaded);
  void buildLayerActions();
  void buildImageActions();
  void addImageMenuItems(QMenu* image);
  void installSelectionTool();
  bool canChangeGeometry();
  // A new untitled document from `image` (New, paste as new image); `what` for the status bar.
  void startDocument(const QImage& image, const QString& what, bool modified);
  void setupAutosave();
  void scheduleAutosaveAfterEdit();
  void onModifiedChanged(bool modified);
  void rebuildRecentMenu();
  void showShortcuts();
  void showAbout();

  void onJobProgress(quint64 id, const JobProgressInfo& p);
  void onJobDone(quint64 id, const JobOutcome& outcome);
  void onJobFailed(quint64 id, const QString& error);
  void onJobState(quint64 id, int state);
  void showJobInStatusBar(const QString& title, int step, int total, double etaSeconds);
  void hideJobInStatusBar();
  // Another document: the panels' status lines about the last one's edits go.
  void forgetDocumentMessages();
  // Before another document replaces this one (open, restore, New, paste as new): its job is
  // cancelled, its preview, comparison, messages and variations go.
  void leaveDocument();
  // The batch after a job ended: the next variation's job, or the end of the batch.
  void continueBatch(int state);
  JobId submitDocumentJob(JobSpec spec, JobProgressWidget* progress);
  void endBatch(bool cancelRunning);
  // Whether the result that just arrived goes to the canvas (the batch's first) or only the strip.
  bool takeBatchResult(const Layer& layer, const QString& message);

  Document* doc_;
  Canvas* canvas_;
  EngineBridge* engine_;
  MaskBrushTool* brush_;
  InpaintPanel* inpaint_;
  BrushPanel* brushPanel_;
  ResultBar* resultBar_;
  LayersPanel* layersPanel_;
  HistoryPanel* historyPanel_;
  BackgroundTasks* tasks_;
  QToolBar* toolBar_ = nullptr;
  QActionGroup* toolGroup_ = nullptr;
  QMenu* viewMenu_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QMenu* panelsMenu_ = nullptr;
  // The Inpaint dock: later right-hand tool panels (Instruct, Drag points, ...) join it as tabs.
  QDockWidget* toolDockAnchor_ = nullptr;
  QDockWidget* maskDock_ = nullptr;
  QDockWidget* layersDock_ = nullptr;
  QDockWidget* historyDock_ = nullptr;
  QByteArray defaultLayout_;
  QLabel* positionLabel_ = nullptr;
  QLabel* sizeLabel_ = nullptr;
  QLabel* zoomLabel_ = nullptr;
  QLabel* busyLabel_ = nullptr;
  QProgressBar* busyBar_ = nullptr;
  QTimer* busyTimer_ = nullptr;
  QLabel* jobLabel_ = nullptr;        // the running edit in the status bar: "Instruct · 45 % · step 9/20 · 12 s left"
  QProgressBar* jobBar_ = nullptr;
  QList<QPointer<JobProgressWidget>> documentProgress_;  // panels that ran edits on this document
  QToolButton* busyCancel_ = nullptr;
  std::function<void()> cancelWait_;
  bool inputBlocked_ = false;
  int busyDepth_ = 0;
  bool opening_ = false;

  std::unique_ptr<RecoverySlot> recovery_;
  QTimer* autosaveTimer_ = nullptr;
  QTimer* editAutosaveTimer_ = nullptr;
  bool autosaveRunning_ = false;
  bool autosaveAgain_ = false;
  quint64 autosavedRevision_ = 0;  // the revision the recovery file holds (0: none)
  QHash<QString, QAction*> actions_;
  QHash<QDockWidget*, QAction*> toolDocks_;  // a tool's options dock -> the tool's action
  QHash<QDockWidget*, bool> toolDockShown_;  // whether the user sees it (not a tab behind another)  // by name, e.g. "file.open", "mask.invert"
  ModelManagerDialog* modelManager_ = nullptr;
  QWidget* welcome_ = nullptr;

  JobId activeJob_ = 0;
  QString activeTitle_;
  struct Batch {
    int count = 0;
    int index = 0;  // the variation running (or last run)
    std::function<JobSpec(int)> makeNext;
    QPointer<JobProgressWidget> progress;
    QList<Layer> candidates;  // by index; a null image: not made (yet)
    QStringList messages;
  };
  std::optional<Batch> batch_;
  VariationStrip* variations_ = nullptr;
  QPointer<JobProgressWidget> activeProgress_;
  quint64 activeGeneration_ = 0;  // document generation the job started from
  quint64 generation_ = 0;        // bumped on every open: results for another image are dropped
  QImage activeMask_;             // the mask the running job started from (kept with its result)
  PreviewMask previewMask_;       // limits the job's previews to that mask
  QHash<LayerId, QString> resultMessages_;
  bool interactive_ = true;
  bool maskCheckPending_ = false;
  bool hasMask_ = false;
};

}  // namespace latentshop::ui
