// Progress of a running engine job: a bar with "stage · step/total · time left", the job's status
// line when it ends, and Cancel (plus an optional Stop, "finish now and keep what you have", for
// the drag tool). Reused by every panel that runs jobs.
#pragma once
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace latentshop::ui {

class JobProgressWidget : public QWidget {
  Q_OBJECT
public:
  explicit JobProgressWidget(QWidget* parent = nullptr);

  void start(const QString& title);  // indeterminate until the first setProgress()
  void setProgress(int step, int total, const QString& stage, double etaSeconds);
  void finish(const QString& message, bool ok);  // hides the bar, shows the message
  void setStopVisible(bool visible);
  // Forgets the last job's status line (another document was opened); a running job keeps its bar.
  void clearMessage();
  bool isRunning() const { return running_; }
  QString text() const;  // the bar's current text (tests, status bar)
  QString message() const;

  // "<1 s", "12 s", "3 min 05 s"; empty for a negative (unknown) time.
  static QString formatDuration(double seconds);

Q_SIGNALS:
  void cancelRequested();
  void stopRequested();

private:
  QProgressBar* bar_;
  QLabel* message_;
  QToolButton* cancel_;
  QToolButton* stop_;
  QString title_;
  bool running_ = false;
};

}  // namespace latentshop::ui
