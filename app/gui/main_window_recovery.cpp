// Main window: autosave to this window's recovery file and, at start-up, recovery of files left by
// a session that crashed or was killed (ui/document/recovery_store.h, ui/panels/recovery_dialog.h).
#include <QFileInfo>
#include <QSettings>
#include <QTimer>
#include <QUndoStack>

#include "engine/io/project_atomic_file.h"
#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "ui/canvas/canvas.h"
#include "ui/document/background_tasks.h"
#include "ui/document/document.h"
#include "ui/document/document_files.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/recovery_dialog.h"

namespace latentshop::ui {

void MainWindow::setupAutosave() {
  recovery_ = std::make_unique<RecoverySlot>();
  QSettings s;
  autosaveTimer_ = new QTimer(this);
  autosaveTimer_->setInterval(std::max(1, s.value(QStringLiteral("autosave/intervalSeconds"), 60).toInt()) * 1000);
  connect(autosaveTimer_, &QTimer::timeout, this, &MainWindow::autosaveNow);
  editAutosaveTimer_ = new QTimer(this);
  editAutosaveTimer_->setSingleShot(true);
  editAutosaveTimer_->setInterval(std::max(0, s.value(QStringLiteral("autosave/afterEditMs"), 1000).toInt()));
  connect(editAutosaveTimer_, &QTimer::timeout, this, &MainWindow::autosaveNow);
  // Every finished edit is one change of the undo stack's index (a stroke ends with its command).
  connect(doc_->undoStack(), &QUndoStack::indexChanged, this, &MainWindow::scheduleAutosaveAfterEdit);
  connect(doc_, &Document::modifiedChanged, this, &MainWindow::onModifiedChanged);
}

void MainWindow::setAutosaveInterval(int ms) { autosaveTimer_->setInterval(std::max(1, ms)); }
int MainWindow::autosaveInterval() const { return autosaveTimer_->interval(); }
void MainWindow::setAutosaveAfterEdit(int ms) { editAutosaveTimer_->setInterval(std::max(0, ms)); }
QString MainWindow::recoveryFile() const { return recovery_->projectPath(); }

void MainWindow::scheduleAutosaveAfterEdit() {
  if (doc_->isModified()) editAutosaveTimer_->start();
}

void MainWindow::onModifiedChanged(bool modified) {
  if (modified) {
    if (!autosaveTimer_->isActive()) autosaveTimer_->start();
    return;
  }
  // Saved (or undone back to the saved state): the file on disk is the truth again.
  autosaveTimer_->stop();
  editAutosaveTimer_->stop();
  if (!autosaveRunning_) {
    recovery_->discard();
    autosavedRevision_ = 0;
  }
}

void MainWindow::autosaveNow() {
  if (doc_->isNull() || !doc_->isModified() || doc_->isStroking()) return;
  if (doc_->revision() == autosavedRevision_ && recovery_->hasFiles()) return;  // nothing new
  if (autosaveRunning_) {
    autosaveAgain_ = true;  // once the running write ends
    return;
  }
  autosaveRunning_ = true;
  const DocumentContent snapshot = doc_->snapshot();
  const quint64 revision = doc_->revision();
  const QString project = recovery_->projectPath();
  const QString sidecar = recovery_->sidecarPath();
  const QString original = doc_->filePath();
  const QString name = doc_->displayName();
  auto error = std::make_shared<QString>();
  // Quietly: no busy indicator for a background autosave.
  tasks_->run([=] { *error = RecoverySlot::write(project, sidecar, snapshot, original, name); },
              [this, error, revision, project] {
                autosaveRunning_ = false;
                if (!error->isEmpty()) {
                  showStatus(tr("Autosave failed: %1").arg(*error), 10000);
                } else {
                  autosavedRevision_ = revision;
                }
                if (!doc_->isModified()) {
                  // Saved while the autosave ran: the recovery file is not needed.
                  recovery_->discard();
                  autosavedRevision_ = 0;
                } else if (error->isEmpty()) {
                  Q_EMIT autosaved(project, revision);
                }
                if (autosaveAgain_) {
                  autosaveAgain_ = false;
                  autosaveNow();
                }
              });
}

bool MainWindow::offerRecovery(RecoveryMode mode) {
  // Temporaries of saves that were killed (".<name>.tmp-<pid>-<n>", up to a project's size each).
  latentshop::removeStaleTemporaries(recovery_->folder().toStdString());
  QList<RecoveryEntry> entries = RecoverySlot::orphaned(recovery_->folder());
  if (entries.isEmpty() || mode == RecoveryMode::Later) return false;
  if (mode == RecoveryMode::Discard) {
    for (const RecoveryEntry& e : entries) RecoverySlot::remove(e);
    showStatus(tr("Discarded %n recovery file(s).", nullptr, int(entries.size())));
    return false;
  }
  if (mode == RecoveryMode::Restore) return restoreRecovery(entries.first());
  if (!interactive_) return false;
  RecoveryDialog dialog(entries, this);
  dialog.exec();
  const RecoveryEntry chosen = dialog.selectedEntry();
  if (dialog.choice() == RecoveryDialog::Restore && !chosen.id.isEmpty()) return restoreRecovery(chosen);
  if (dialog.choice() == RecoveryDialog::Discard && !chosen.id.isEmpty()) {
    RecoverySlot::remove(chosen);
    showStatus(tr("Discarded the recovery file of %1.").arg(chosen.displayName));
  }
  return false;
}

bool MainWindow::restoreRecovery(const RecoveryEntry& entry, QString* error) {
  LoadedDocument loaded;
  const QString file = entry.projectPath;
  runFileTask(tr("Restoring %1\u2026").arg(entry.displayName), [&loaded, file] { loaded = loadDocumentFile(file); }, nullptr,
              true);
  if (!loaded.error.isEmpty()) {
    if (error) *error = loaded.error;
    showError(tr("Cannot restore"), tr("The recovery file could not be read: %1").arg(loaded.error));
    return false;
  }
  leaveDocument();
  const QString method = loaded.content.info.extra.value(QStringLiteral("inpaint_method")).toString();
  doc_->reset(loaded.content, entry.originalPath);
  loaded.content = DocumentContent();
  if (!method.isEmpty()) inpaint_->setCurrentMethod(method);
  // From now on this window's autosave writes to the restored slot's files, so the work stays
  // recoverable until it is saved.
  recovery_->adopt(entry);
  autosavedRevision_ = doc_->revision();
  doc_->markModified();
  // A pending result shows as it came, not under the mask that made it (as when it arrived).
  canvas_->setMaskVisible(!doc_->hasPendingResult());
  updateActions();
  showStatus(tr("Restored %1 from %2. Save it to keep it.")
                 .arg(entry.displayName.isEmpty() ? tr("Untitled") : entry.displayName,
                      entry.savedAt.toLocalTime().toString(Qt::TextDate)),
             0);
  return true;
}

}  // namespace latentshop::ui
