// The inpaint panel: a method selector (classical methods now; diffusion methods register the same
// way), the current method's options, Run, and the job's progress with Cancel. It does not run
// anything itself: it emits runRequested() and the main window builds the input from the document,
// asks currentMethod()->makeJob(), and submits it to the engine bridge.
#pragma once
#include <QList>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSettings;
class QStackedWidget;

namespace latentshop::ui {

class InpaintMethod;
class JobProgressWidget;

class InpaintPanel : public QWidget {
  Q_OBJECT
public:
  explicit InpaintPanel(QWidget* parent = nullptr);

  // Adds a method to the selector with its options page; the panel takes ownership.
  void addMethod(InpaintMethod* method);
  QList<InpaintMethod*> methods() const { return methods_; }
  InpaintMethod* currentMethod() const;
  bool setCurrentMethod(const QString& id);

  JobProgressWidget* progress() const { return progress_; }
  QPushButton* runButton() const { return run_; }
  // While busy, Run is disabled and the progress bar with Cancel is shown.
  void setBusy(bool busy);
  bool isBusy() const { return busy_; }
  // What the document offers; Run is enabled only when the current method can run on it.
  void setDocumentState(bool hasImage, bool hasMask);
  // A widget shown above the method list (the first start's welcome); the panel owns it.
  void setBanner(QWidget* banner);
  // Why Run is disabled right now (empty when it is enabled).
  QString blockedReason() const;

  void saveSettings(QSettings& settings) const;  // "inpaint/method" and each method's group
  void loadSettings(QSettings& settings);

Q_SIGNALS:
  void runRequested();
  void cancelRequested();
  void currentMethodChanged(const QString& id);

private:
  void refresh();

  QComboBox* selector_;
  QLabel* description_;
  QStackedWidget* options_;
  QPushButton* run_;
  QLabel* hint_;
  JobProgressWidget* progress_;
  QList<InpaintMethod*> methods_;
  bool busy_ = false;
  bool hasImage_ = false;
  bool hasMask_ = false;
};

}  // namespace latentshop::ui
