// Work off the GUI thread with a completion callback back on it: opening, saving, exporting and
// autosaving documents. Each task gets its own QThread (they are few and long); done() runs on the
// thread that owns the BackgroundTasks object, after work() returned. Destroying the object waits
// for running tasks (a save is never cut off half-way; the files are atomic anyway) and drops the
// callbacks of those that had not reported yet.
#pragma once
#include <functional>

#include <QList>
#include <QObject>

class QThread;

namespace latentshop::ui {

class BackgroundTasks : public QObject {
  Q_OBJECT
public:
  explicit BackgroundTasks(QObject* parent = nullptr);
  ~BackgroundTasks() override;

  // work() must not throw (catch and store the error for done()).
  void run(std::function<void()> work, std::function<void()> done);
  int running() const { return int(threads_.size()); }
  // Blocks (no event processing) until every task's work() returned. done() callbacks still come
  // through the event loop.
  void waitForWork();

Q_SIGNALS:
  void allFinished();  // after the last running task's done()

private:
  QList<QThread*> threads_;
};

}  // namespace latentshop::ui
