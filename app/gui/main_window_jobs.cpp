// Main window: running edit jobs on the engine and turning their results into pending layers.
#include <QJsonDocument>
#include <QUndoStack>

#include "app/gui/drag_setup.h"
#include "app/gui/engine_bridge.h"
#include "app/gui/image_convert.h"
#include "app/gui/main_window.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/panels/brush_panel.h"
#include "ui/panels/inpaint_method.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/result_bar.h"

namespace latentshop::ui {

void MainWindow::connectEngine() {
  connect(engine_, &EngineBridge::jobProgress, this, &MainWindow::onJobProgress);
  connect(engine_, &EngineBridge::jobPreview, this, [this](quint64 id, const CanvasPreview& p) {
    if (id == activeJob_ && activeGeneration_ == generation_) canvas_->setPreview(p);
  });
  connect(engine_, &EngineBridge::jobDone, this, &MainWindow::onJobDone);
  connect(engine_, &EngineBridge::jobFailed, this, &MainWindow::onJobFailed);
  connect(engine_, &EngineBridge::jobStateChanged, this, &MainWindow::onJobState);
}

JobId MainWindow::runInpaint() {
  const QString reason = inpaint_->blockedReason();
  if (doc_->isNull() || !reason.isEmpty() || !inpaint_->currentMethod()) {
    // The mask check is throttled; look at the mask itself before refusing for "no mask".
    hasMask_ = !doc_->isNull() && !doc_->maskIsEmpty();
    updateActions();
    const QString now = inpaint_->blockedReason();
    if (!now.isEmpty() || doc_->isNull()) {
      showStatus(now.isEmpty() ? tr("Nothing to inpaint.") : now);
      return 0;
    }
  }
  InpaintMethod* method = inpaint_->currentMethod();
  InpaintInput input;
  input.image = toRgbMat(doc_->editSource());
  input.mask = toGrayMat(doc_->mask());
  if (!doc_->keepOutIsEmpty()) input.keepOut = toGrayMat(doc_->keepOut());
  input.documentPath = doc_->filePath();
  JobSpec spec;
  try {
    spec = method->makeJob(input);
  } catch (const std::exception& e) {
    showError(tr("Cannot run %1").arg(method->displayName()), QString::fromStdString(e.what()));
    return 0;
  }
  // The project remembers the method last used, so reopening it selects the method again.
  doc_->setExtra(QStringLiteral("inpaint_method"), method->id());
  return runDocumentJob(std::move(spec), inpaint_->progress());
}

JobId MainWindow::runDocumentJob(JobSpec spec, JobProgressWidget* progress) {
  if (activeJob_) {
    showStatus(tr("A job is already running; cancel it first (Esc)."));
    return 0;
  }
  const QString title = QString::fromStdString(spec.title.empty() ? spec.kind : spec.title);
  activeGeneration_ = generation_;
  activeMask_ = doc_->maskIsEmpty() ? QImage() : doc_->mask();  // implicitly shared: strokes detach
  activeProgress_ = progress;
  activeJob_ = engine_->submit(std::move(spec));
  if (activeProgress_) {
    activeProgress_->start(title);
    connect(activeProgress_, &JobProgressWidget::stopRequested, this, &MainWindow::stopJob, Qt::UniqueConnection);
    connect(activeProgress_, &JobProgressWidget::cancelRequested, this, &MainWindow::cancelJob, Qt::UniqueConnection);
  }
  showStatus(tr("%1: running\u2026").arg(title), 0);
  updateActions();
  return activeJob_;
}

void MainWindow::cancelJob() {
  if (!activeJob_) return;
  engine_->cancel(activeJob_);
  showStatus(tr("Cancelling\u2026"), 0);
}

void MainWindow::stopJob() {
  if (!activeJob_) return;
  engine_->requestStop(activeJob_);
  showStatus(tr("Finishing early\u2026"), 0);
}

void MainWindow::onJobProgress(quint64 id, const JobProgressInfo& p) {
  if (id != activeJob_) return;
  if (activeProgress_) activeProgress_->setProgress(p.step, p.total, p.stage, p.etaSeconds);
}

void MainWindow::onJobDone(quint64 id, const JobOutcome& outcome) {
  if (id != activeJob_ || activeGeneration_ != generation_ || doc_->isNull()) return;
  QImage image = outcome.image;
  if (image.isNull()) {
    onJobFailed(id, tr("the job finished without an image"));
    return;
  }
  const QPoint offset = outcome.placement.isEmpty() ? QPoint(0, 0) : outcome.placement.topLeft();
  QJsonObject params = outcome.params;
  params.insert(QStringLiteral("source"), doc_->displayName());
  // The project remembers the model the last edit used (diffusion jobs name it in their params).
  if (const QString model = params.value(QStringLiteral("model")).toString(); !model.isEmpty()) doc_->setModel(model);
  Layer layer;
  layer.name = outcome.title;
  layer.image = image;
  layer.offset = offset;
  layer.params = params;
  layer.mask = activeMask_;
  layer.points = dragPairsFromParams(params);  // drag results keep their handle -> target pairs
  const LayerId id2 = doc_->addPendingResult(std::move(layer));
  resultMessages_.insert(id2, outcome.message);
  // Show the result, not the red mask over it; painting again brings the overlay back.
  canvas_->setMaskVisible(false);
  if (activeProgress_) activeProgress_->finish(outcome.message, true);
  showStatus(outcome.message.isEmpty() ? tr("%1 finished").arg(outcome.title) : outcome.message);
  updateResultBar();
  Q_EMIT resultArrived(id2);
}

void MainWindow::onJobFailed(quint64 id, const QString& error) {
  if (id != activeJob_) return;
  if (activeProgress_) activeProgress_->finish(tr("Failed: %1").arg(error), false);
  showStatus(tr("Failed: %1").arg(error), 15000);
}

void MainWindow::onJobState(quint64 id, int state) {
  if (id != activeJob_) return;
  const auto s = static_cast<JobState>(state);
  if (!isFinished(s)) return;
  if (s == JobState::Cancelled) {
    if (activeProgress_) activeProgress_->finish(tr("Cancelled; the image is unchanged."), true);
    showStatus(tr("Cancelled; the image is unchanged."));
  }
  activeJob_ = 0;
  activeProgress_ = nullptr;
  activeMask_ = QImage();
  canvas_->clearPreview();
  updateActions();
  Q_EMIT jobFinished(id, state);
}

void MainWindow::applyResult() {
  const LayerId id = doc_->topPendingLayer();
  if (!id) return;
  canvas_->setComparing(false);
  // Applying finishes the edit: the mask that made it is cleared in the same undo step, so a
  // hidden leftover mask can never leak into the next edit.
  doc_->undoStack()->beginMacro(tr("Apply %1").arg(doc_->layer(id)->name));
  doc_->applyResult(id);
  doc_->clearMask();
  doc_->undoStack()->endMacro();
  canvas_->setMaskVisible(true);
  showStatus(tr("Applied. Undo (Ctrl+Z) takes it back."));
}

void MainWindow::discardResult() {
  const LayerId id = doc_->topPendingLayer();
  if (!id) return;
  canvas_->setComparing(false);
  doc_->discardResult(id);
  canvas_->setMaskVisible(true);
  showStatus(tr("Discarded."));
}

void MainWindow::updateResultBar() {
  const LayerId id = doc_->topPendingLayer();
  if (!id) {
    resultBar_->setVisible(false);
    if (canvas_->isComparing()) canvas_->setComparing(false);
    return;
  }
  const Layer* l = doc_->layer(id);
  resultBar_->showResult(l->name, resultMessages_.value(id));
}

}  // namespace latentshop::ui
