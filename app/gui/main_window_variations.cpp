// Main window: variations, several candidates of one SD edit with consecutive seeds (issue 19).
// The jobs run one after another through runDocumentJob(); each finished candidate lands in the
// strip under the canvas, the first also as the pending result. A click swaps another candidate
// into the pending result (Document::showVariation, one merged undo step); Apply keeps the shown
// one with its parameters and seed, Discard drops them all.
#include <QJsonObject>

#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/result_bar.h"
#include "ui/panels/variation_strip.h"

namespace latentshop::ui {

JobId MainWindow::runDocumentJobs(JobSpec first, int count, std::function<JobSpec(int)> makeNext, JobProgressWidget* progress) {
  endBatch(false);
  if (count <= 1 || !makeNext) return runDocumentJob(std::move(first), progress);
  if (activeJob_) {
    showStatus(tr("A job is already running; cancel it first (Esc)."));
    return 0;
  }
  Batch b;
  b.count = count;
  b.makeNext = std::move(makeNext);
  b.progress = progress;
  for (int i = 0; i < count; ++i) b.candidates.append(Layer());
  for (int i = 0; i < count; ++i) b.messages.append(QString());
  batch_ = std::move(b);
  variations_->begin(count);
  const JobId id = submitDocumentJob(std::move(first), progress);
  if (!id) endBatch(false);
  return id;
}

bool MainWindow::takeBatchResult(const Layer& layer, const QString& message) {
  if (!batch_) return true;
  Batch& b = *batch_;
  b.candidates[b.index] = layer;
  b.messages[b.index] = message;
  const QString seed = layer.params.value(QStringLiteral("seed")).toVariant().toString();
  variations_->setCandidate(b.index, layer.image, seed.isEmpty() ? tr("#%1").arg(b.index + 1) : tr("seed %1").arg(seed));
  if (b.index == 0 || !doc_->hasPendingResult()) {
    variations_->setCurrent(b.index);
    return true;  // the canvas shows it
  }
  return false;
}

bool MainWindow::showVariation(int index) {
  if (!batch_ || index < 0 || index >= batch_->count || batch_->candidates[index].image.isNull()) return false;
  const LayerId pending = doc_->topPendingLayer();
  if (!pending) return false;
  doc_->showVariation(pending, batch_->candidates[index]);
  resultMessages_.insert(pending, batch_->messages[index]);
  variations_->setCurrent(index);
  updateResultBar();
  return true;
}

void MainWindow::continueBatch(int state) {
  if (!batch_) return;
  Batch& b = *batch_;
  const auto s = static_cast<JobState>(state);
  const bool more = s == JobState::Done && activeGeneration_ == generation_ && b.makeNext && b.index + 1 < b.count;
  if (!more) {
    // Cancelled, failed or all made: no more jobs; the finished candidates stay to choose from.
    for (int i = s == JobState::Done ? b.index + 1 : b.index; i < b.count; ++i)
      if (b.candidates[i].image.isNull()) variations_->setFailed(i, s == JobState::Cancelled ? tr("Cancelled") : tr("Not made"));
    b.makeNext = nullptr;
    bool any = false;
    for (const Layer& c : b.candidates) any = any || !c.image.isNull();
    if (!any) endBatch(false);
    return;
  }
  ++b.index;
  JobSpec next;
  try {
    next = b.makeNext(b.index);
  } catch (const std::exception& e) {
    variations_->setFailed(b.index, QString::fromStdString(e.what()));
    b.makeNext = nullptr;
    return;
  }
  variations_->setRunning(b.index);
  if (submitDocumentJob(std::move(next), b.progress) == 0) b.makeNext = nullptr;
}

void MainWindow::endBatch(bool cancelRunning) {
  if (!batch_) return;
  if (cancelRunning && activeJob_) engine_->cancel(activeJob_);
  batch_.reset();
  variations_->clear();
}

}  // namespace latentshop::ui
