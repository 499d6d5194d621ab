// Main window: running edit jobs on the engine and turning their results into pending layers.
#include <QApplication>
#include <QJsonDocument>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QUndoStack>

#include <stdexcept>

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
#include "ui/panels/variation_strip.h"

namespace latentshop::ui {

void MainWindow::connectEngine() {
  connect(engine_, &EngineBridge::jobProgress, this, &MainWindow::onJobProgress);
  connect(engine_, &EngineBridge::jobPreview, this, [this](quint64 id, const CanvasPreview& p) {
    if (id != activeJob_ || activeGeneration_ != generation_) return;
    // Only the masked region will change: the preview shows there, the photo stays visible around.
    CanvasPreview shown = p;
    shown.image = previewMask_.apply(p.image, p.placement, doc_->size());
    canvas_->setPreview(shown);
    if (batch_) variations_->setPreview(batch_->index, p.image);
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
  QPointer<InpaintMethod> m = method;
  auto next = [m, input](int index) {
    if (!m) throw std::runtime_error("the inpaint method went away");
    return m->makeVariationJob(input, index);
  };
  return runDocumentJobs(std::move(spec), method->variationCount(), next, inpaint_->progress());
}

JobId MainWindow::runDocumentJob(JobSpec spec, JobProgressWidget* progress) {
  if (!activeJob_) endBatch(false);  // another edit: the last batch's candidates go
  return submitDocumentJob(std::move(spec), progress);
}

JobId MainWindow::submitDocumentJob(JobSpec spec, JobProgressWidget* progress) {
  if (activeJob_) {
    showStatus(tr("A job is already running; cancel it first (Esc)."));
    return 0;
  }
  QString title = QString::fromStdString(spec.title.empty() ? spec.kind : spec.title);
  if (batch_) title += tr(" \u00b7 variation %1 of %2").arg(batch_->index + 1).arg(batch_->count);
  activeGeneration_ = generation_;
  activeMask_ = doc_->maskIsEmpty() ? QImage() : doc_->mask();  // implicitly shared: strokes detach
  previewMask_.setMask(activeMask_);
  activeProgress_ = progress;
  activeJob_ = engine_->submit(std::move(spec));
  activeTitle_ = title;
  showJobInStatusBar(title, 0, 0, -1);
  if (progress && !documentProgress_.contains(progress)) documentProgress_.append(progress);
  if (activeProgress_) {
    activeProgress_->start(title);
    connect(activeProgress_, &JobProgressWidget::stopRequested, this, &MainWindow::stopJob, Qt::UniqueConnection);
    connect(activeProgress_, &JobProgressWidget::cancelRequested, this, &MainWindow::cancelJob, Qt::UniqueConnection);
  }
  showStatus(tr("%1: running\u2026").arg(title), 0);
  // The text box that started the job (Enter in Instruct, Ctrl+Enter in a prompt) gives the keys
  // back to the canvas, so Esc, Delete, Shift+Enter and Ctrl+Z act on the edit, not on the text.
  if (QWidget* focus = QApplication::focusWidget(); focus && focus != canvas_ && focus->window() == this &&
                                                     (focus->inherits("QLineEdit") || focus->inherits("QAbstractSpinBox") ||
                                                      focus->inherits("QTextEdit") || focus->inherits("QPlainTextEdit")))
    canvas_->setFocus(Qt::OtherFocusReason);
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
  showJobInStatusBar(p.stage.isEmpty() ? activeTitle_ : p.stage, p.step, p.total, p.etaSeconds);
  if (batch_ && p.total > 0) variations_->setProgressText(batch_->index, tr("step %1/%2").arg(p.step).arg(p.total));
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
  if (!takeBatchResult(layer, outcome.message)) {
    // A later variation: a thumbnail in the strip; the canvas keeps showing the one chosen.
    if (activeProgress_) activeProgress_->finish(outcome.message, true);
    showStatus(tr("Variation %1 of %2 ready: click it under the image to see it.").arg(batch_->index + 1).arg(batch_->count));
    return;
  }
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
  previewMask_.setMask(QImage());
  canvas_->clearPreview();
  hideJobInStatusBar();
  updateActions();
  Q_EMIT jobFinished(id, state);
  continueBatch(state);
}

void MainWindow::showJobInStatusBar(const QString& title, int step, int total, double etaSeconds) {
  QString text = title;
  if (total > 0) {
    jobBar_->setRange(0, total);
    jobBar_->setValue(std::min(step, total));
    text += tr(" \u00b7 %1 % \u00b7 step %2/%3").arg(100 * std::min(step, total) / total).arg(step).arg(total);
  } else {
    jobBar_->setRange(0, 0);  // indeterminate until the first step
  }
  const QString left = JobProgressWidget::formatDuration(etaSeconds);
  if (!left.isEmpty() && step < total) text += tr(" \u00b7 %1 left").arg(left);
  jobLabel_->setText(text);
  jobLabel_->setVisible(true);
  jobBar_->setVisible(true);
}

void MainWindow::hideJobInStatusBar() {
  jobLabel_->setVisible(false);
  jobBar_->setVisible(false);
  jobLabel_->clear();
}

void MainWindow::leaveDocument() {
  if (activeJob_) engine_->cancel(activeJob_);
  ++generation_;  // results of jobs for the document being left are dropped when they arrive
  canvas_->clearPreview();
  canvas_->setComparing(false);
  resultMessages_.clear();
  forgetDocumentMessages();
  endBatch(false);
}

void MainWindow::forgetDocumentMessages() {
  for (const QPointer<JobProgressWidget>& w : documentProgress_)
    if (w) w->clearMessage();
}

void MainWindow::applyResult() {
  const LayerId id = doc_->topPendingLayer();
  if (!id) return;
  canvas_->setComparing(false);
  // Applying finishes the edit: the mask that made it is cleared in the same undo step, so a
  // hidden leftover mask can never leak into the next edit.
  endBatch(true);  // the chosen one stays; the rest (and any still running) go
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
  endBatch(true);  // "Discard all"
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
