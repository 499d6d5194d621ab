#include "ui/document/background_tasks.h"

#include <QThread>

namespace latentshop::ui {

BackgroundTasks::BackgroundTasks(QObject* parent) : QObject(parent) {}

BackgroundTasks::~BackgroundTasks() {
  for (QThread* t : threads_) {
    t->wait();
    delete t;
  }
}

void BackgroundTasks::run(std::function<void()> work, std::function<void()> done) {
  QThread* t = QThread::create(std::move(work));
  threads_.push_back(t);
  // Queued to this object's thread: `finished` is emitted by the worker.
  connect(t, &QThread::finished, this, [this, t, done = std::move(done)] {
    threads_.removeOne(t);
    t->deleteLater();
    if (done) done();
    if (threads_.isEmpty()) Q_EMIT allFinished();
  }, Qt::QueuedConnection);
  t->start();
}

void BackgroundTasks::waitForWork() {
  for (QThread* t : threads_) t->wait();
}

}  // namespace latentshop::ui
