// Latentshop's main window: the canvas with the pending-result bar above it, the mask and inpaint
// panels in docks, menus, tool bar and status bar, wired to the Document and the EngineBridge.
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

#include "engine/runtime/job.h"
#include "ui/document/layer.h"

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QToolBar;

namespace latentshop::ui {

class BrushPanel;
class Canvas;
class Document;
class EngineBridge;
class InpaintPanel;
class JobProgressWidget;
class MaskBrushTool;
class ResultBar;
class Tool;
struct JobOutcome;
struct JobProgressInfo;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // ---- Files --------------------------------------------------------------------------------
  // Opens an image (PNG, JPEG, WebP, TIFF, BMP, ...; EXIF orientation applied). On failure returns
  // false with a message naming the file and the problem (also shown in the status bar).
  bool openImage(const QString& path, QString* error = nullptr);
  // Saves the flattened visible image; the format follows the extension (.png, .jpg/.jpeg, .webp,
  // .bmp, .tif). JPEG has no alpha: transparent areas are flattened over white.
  bool saveImage(const QString& path, QString* error = nullptr);

  // ---- Jobs ---------------------------------------------------------------------------------
  // Runs the inpaint panel's current method on the document (as the Run button). Returns the job
  // id, or 0 with the reason in the status bar when it cannot run.
  JobId runInpaint();
  // Runs any job that produces a result layer for this document (one at a time).
  JobId runDocumentJob(JobSpec spec, JobProgressWidget* progress);
  JobId activeJob() const { return activeJob_; }
  void cancelJob();
  // Asks the running job to finish early and keep what it has (drag's "Stop").
  void stopJob();
  void applyResult();
  void discardResult();

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
  QString statusText() const;

Q_SIGNALS:
  void imageOpened(const QString& path);
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
  void saveSettings() const;
  void updateActions();
  void updateTitle();
  void updateResultBar();
  void scheduleMaskCheck();
  void showStatus(const QString& text, int timeoutMs = 6000);
  void showError(const QString& title, const QString& text);
  bool maybeSave();
  void openDialog();
  bool saveDialog();
  void save();
  void rebuildRecentMenu();
  void showShortcuts();
  void showAbout();

  void onJobProgress(quint64 id, const JobProgressInfo& p);
  void onJobDone(quint64 id, const JobOutcome& outcome);
  void onJobFailed(quint64 id, const QString& error);
  void onJobState(quint64 id, int state);

  Document* doc_;
  Canvas* canvas_;
  EngineBridge* engine_;
  MaskBrushTool* brush_;
  InpaintPanel* inpaint_;
  BrushPanel* brushPanel_;
  ResultBar* resultBar_;
  QToolBar* toolBar_ = nullptr;
  QActionGroup* toolGroup_ = nullptr;
  QMenu* viewMenu_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QMenu* panelsMenu_ = nullptr;
  QLabel* positionLabel_ = nullptr;
  QLabel* sizeLabel_ = nullptr;
  QLabel* zoomLabel_ = nullptr;
  QHash<QString, QAction*> actions_;  // by name, e.g. "file.open", "mask.invert"

  JobId activeJob_ = 0;
  QPointer<JobProgressWidget> activeProgress_;
  quint64 activeGeneration_ = 0;  // document generation the job started from
  quint64 generation_ = 0;        // bumped on every open: results for another image are dropped
  QImage activeMask_;             // the mask the running job started from (kept with its result)
  QHash<LayerId, QString> resultMessages_;
  QString savePath_;
  bool interactive_ = true;
  bool maskCheckPending_ = false;
  bool hasMask_ = false;
};

}  // namespace latentshop::ui
