// Main window: opening images and projects, saving projects, exporting, saving flattened images,
// recent files, drag and drop. Decoding, encoding and disk work run on worker threads.
#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QKeyEvent>
#include <QToolButton>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "app/gui/recent_files.h"
#include "ui/canvas/canvas.h"
#include "ui/document/background_tasks.h"
#include "ui/document/document.h"
#include "ui/document/document_files.h"
#include "ui/panels/inpaint_method.h"
#include "ui/panels/inpaint_panel.h"

namespace latentshop::ui {

namespace {

QString lastFolder() {
  const QString folder = QSettings().value(QStringLiteral("files/lastFolder")).toString();
  if (!folder.isEmpty() && QFileInfo(folder).isDir()) return folder;
  return QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
}

void rememberFolder(const QString& file) {
  QSettings().setValue(QStringLiteral("files/lastFolder"), QFileInfo(file).absolutePath());
}

QString openFilter() {
  QStringList patterns{QStringLiteral("*.ora")};
  for (const QByteArray& f : QImageReader::supportedImageFormats()) patterns << QStringLiteral("*.") + QString::fromLatin1(f);
  return QObject::tr("Images and projects (%1);;Latentshop projects (*.ora);;All files (*)").arg(patterns.join(QLatin1Char(' ')));
}

const char* kInpaintMethodKey = "inpaint_method";  // DocumentInfo::extra: the method last run (runInpaint)

}  // namespace

// ---- Worker plumbing ----------------------------------------------------------------------------

void MainWindow::beginBusy(const QString& text) {
  if (busyDepth_++ == 0) busyLabel_->setText(text);
  if (!busyTimer_->isActive() && !busyBar_->isVisible()) busyTimer_->start();
}

void MainWindow::endBusy() {
  if (--busyDepth_ > 0) return;
  busyDepth_ = 0;
  busyTimer_->stop();
  busyBar_->setVisible(false);
  busyLabel_->setVisible(false);
}

bool MainWindow::runFileTask(const QString& busyText, std::function<void()> work, std::function<void()> done, bool wait,
                             bool cancellable) {
  beginBusy(busyText);
  if (!wait) {
    tasks_->run(std::move(work), [this, done = std::move(done)] {
      endBusy();
      if (done) done();
    });
    return true;
  }
  // The worker may outlive this call when the user cancels: it only touches this shared state.
  struct Wait {
    QEventLoop* loop = nullptr;
    bool finished = false;
  };
  auto state = std::make_shared<Wait>();
  tasks_->run(std::move(work), [state] {
    state->finished = true;
    if (state->loop) state->loop->quit();
  });
  bool cancelled = false;
  if (!state->finished) {
    // Paint, run timers and engine deliveries. Clicks and keys meanwhile are dropped by
    // eventFilter (not queued: ExcludeUserInputEvents would replay them once the file is open),
    // except on the status bar's Cancel button and Esc when the task can be cancelled.
    QEventLoop loop;
    state->loop = &loop;
    inputBlocked_ = true;
    if (cancellable) {
      busyCancel_->setVisible(busyBar_->isVisible());  // else with the busy bar, after 100 ms
      cancelWait_ = [&loop, &cancelled] {
        cancelled = true;
        loop.quit();
      };
    }
    loop.exec();
    state->loop = nullptr;
    cancelWait_ = nullptr;
    inputBlocked_ = false;
    busyCancel_->setVisible(false);
  }
  endBusy();
  if (cancelled) return false;
  if (done) done();
  return true;
}

void MainWindow::cancelFileWait() {
  if (cancelWait_) cancelWait_();
}

bool MainWindow::fileWaitBlocksInput(QObject* watched, QEvent* e) {
  if (!inputBlocked_) return false;
  switch (e->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::KeyPress:
    case QEvent::KeyRelease:
    case QEvent::ShortcutOverride:
    case QEvent::ContextMenu:
    case QEvent::TabletPress:
    case QEvent::TabletMove:
    case QEvent::TabletRelease:
    case QEvent::TouchBegin:
    case QEvent::TouchUpdate:
    case QEvent::TouchEnd:
      break;
    default:
      return false;
  }
  // Window-level deliveries pass: Qt forwards them to a widget, where they are judged.
  auto* widget = qobject_cast<QWidget*>(watched);
  if (!widget) return false;
  if (cancelWait_ && (widget == busyCancel_ || busyCancel_->isAncestorOf(widget))) return false;
  if (e->type() == QEvent::ShortcutOverride) {
    e->accept();  // an accepted override keeps every shortcut from firing
    return true;
  }
  if (e->type() == QEvent::KeyPress && static_cast<QKeyEvent*>(e)->key() == Qt::Key_Escape && cancelWait_) {
    cancelFileWait();
    return true;
  }
  return true;
}

int MainWindow::fileTasksRunning() const { return tasks_->running(); }

QString MainWindow::projectPath() const { return isProjectPath(doc_->filePath()) ? doc_->filePath() : QString(); }

// ---- Open ---------------------------------------------------------------------------------------

bool MainWindow::openImage(const QString& path, QString* error) {
  if (opening_) {
    if (error) *error = tr("Another file is still opening.");
    return false;
  }
  opening_ = true;
  updateActions();
  // Shared with the worker: a cancelled open returns while the decoder finishes (and is dropped).
  auto result = std::make_shared<LoadedDocument>();
  const bool finished = runFileTask(tr("Opening %1\u2026").arg(QFileInfo(path).fileName()),
                                    [result, path] { *result = loadDocumentFile(path); }, nullptr, true, /*cancellable=*/true);
  opening_ = false;
  if (!finished) {
    if (error) *error = tr("Opening %1 was cancelled.").arg(QFileInfo(path).fileName());
    showStatus(tr("Opening %1 cancelled; nothing changed.").arg(QFileInfo(path).fileName()));
    updateActions();
    return false;
  }
  LoadedDocument& loaded = *result;
  if (!loaded.error.isEmpty()) {
    if (error) *error = loaded.error;
    showError(isProjectPath(path) ? tr("Cannot open project") : tr("Cannot open image"), loaded.error);
    updateActions();
    return false;
  }
  if (!loaded.warning.isEmpty() && !confirmDamagedImage(loaded.warning)) {
    if (error) *error = loaded.warning;
    showStatus(tr("Not opened: %1").arg(loaded.warning), 15000);
    updateActions();
    return false;
  }
  applyLoaded(path, loaded);
  // Never silent: the damage stays in the status bar after the usual "Opened ..." line.
  if (!loaded.warning.isEmpty()) showStatus(tr("Opened a damaged image. %1").arg(loaded.warning), 30000);
  return true;
}

bool MainWindow::confirmDamagedImage(const QString& warning) {
  if (!interactive_) return true;  // scripts and tests: opened, with the warning in the status bar
  QMessageBox box(QMessageBox::Warning, tr("Damaged image"),
                  tr("This image file is incomplete:\n\n%1\n\nOpen it anyway? The missing part shows as grey; "
                     "saving writes a new file and leaves this one as it is.")
                      .arg(warning),
                  QMessageBox::NoButton, this);
  QPushButton* open = box.addButton(tr("Open Anyway"), QMessageBox::AcceptRole);
  box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(QMessageBox::Cancel);
  box.exec();
  return box.clickedButton() == open;
}

void MainWindow::applyLoaded(const QString& path, LoadedDocument& loaded) {
  const QFileInfo info(path);
  leaveDocument();
  const QSize size = loaded.content.original.size();
  const QString method = loaded.content.info.extra.value(QString::fromLatin1(kInpaintMethodKey)).toString();
  doc_->reset(loaded.content, info.absoluteFilePath());
  loaded.content = DocumentContent();  // the document holds the pixels now
  if (!method.isEmpty()) inpaint_->setCurrentMethod(method);
  // A pending result shows as it came, not under the mask that made it (as when it arrived).
  canvas_->setMaskVisible(!doc_->hasPendingResult());
  RecentFiles::add(path);
  rememberFolder(path);
  showStatus(loaded.isProject ? tr("Opened project %1 (%2 \u00d7 %3, %4)")
                                    .arg(info.fileName())
                                    .arg(size.width())
                                    .arg(size.height())
                                    .arg(layerCountText(doc_->layerCount()))
                              : tr("Opened %1 (%2 \u00d7 %3)").arg(info.fileName()).arg(size.width()).arg(size.height()));
  updateActions();
  Q_EMIT imageOpened(info.absoluteFilePath());
}

// ---- Save project -------------------------------------------------------------------------------

void MainWindow::saveProjectInBackground(const QString& path) {
  if (doc_->isNull()) return;
  const DocumentContent snapshot = doc_->snapshot();
  const quint64 revision = doc_->revision();
  const quint64 generation = generation_;
  auto error = std::make_shared<QString>();
  runFileTask(tr("Saving %1\u2026").arg(QFileInfo(path).fileName()),
              [snapshot, path, error] { *error = saveProjectFile(snapshot, path); },
              [this, path, error, revision, generation] { finishProjectSave(path, *error, revision, generation); }, false);
}

bool MainWindow::saveProject(const QString& path, QString* error) {
  if (doc_->isNull()) {
    if (error) *error = tr("There is no image to save.");
    return false;
  }
  const DocumentContent snapshot = doc_->snapshot();
  const quint64 revision = doc_->revision();
  QString result;
  runFileTask(tr("Saving %1\u2026").arg(QFileInfo(path).fileName()), [&] { result = saveProjectFile(snapshot, path); },
              nullptr, true);
  finishProjectSave(path, result, revision, generation_);
  if (error) *error = result;
  return result.isEmpty();
}

void MainWindow::finishProjectSave(const QString& path, const QString& error, quint64 revision, quint64 generation) {
  if (!error.isEmpty()) {
    showError(tr("Cannot save project"), error);
  } else if (generation == generation_) {
    doc_->setFilePath(QFileInfo(path).absoluteFilePath());
    // Clean only if nothing changed while the worker wrote the file.
    if (doc_->revision() == revision) doc_->markClean();
    RecentFiles::add(path);
    rememberFolder(path);
    showStatus(tr("Saved %1").arg(QFileInfo(path).fileName()));
  }
  updateTitle();
  Q_EMIT projectSaved(path, error);
}

// ---- Export -------------------------------------------------------------------------------------

bool MainWindow::exportTo(const QString& path, QString* error, QStringList* written) {
  if (doc_->isNull()) {
    if (error) *error = tr("There is no image to export.");
    return false;
  }
  const DocumentContent snapshot = doc_->snapshot();
  QString result;
  QStringList files;
  runFileTask(tr("Exporting %1\u2026").arg(QFileInfo(path).fileName()),
              [&] { result = exportDocumentFile(snapshot, path, {}, &files); }, nullptr, true);
  if (!result.isEmpty()) {
    showError(tr("Cannot export"), result);
  } else {
    showStatus(tr("Exported %n file(s) to %1", nullptr, int(files.size())).arg(path));
  }
  if (error) *error = result;
  if (written) *written = files;
  Q_EMIT exportFinished(path, result);
  return result.isEmpty();
}

void MainWindow::exportInBackground(const QString& path) {
  if (doc_->isNull()) return;
  const DocumentContent snapshot = doc_->snapshot();
  auto result = std::make_shared<QString>();
  auto files = std::make_shared<QStringList>();
  runFileTask(tr("Exporting %1\u2026").arg(QFileInfo(path).fileName()),
              [snapshot, path, result, files] { *result = exportDocumentFile(snapshot, path, {}, files.get()); },
              [this, path, result, files] {
                if (!result->isEmpty()) {
                  showError(tr("Cannot export"), *result);
                } else {
                  showStatus(tr("Exported %n file(s) to %1", nullptr, int(files->size())).arg(path));
                }
                Q_EMIT exportFinished(path, *result);
              },
              false);
}

void MainWindow::exportDialog() {
  if (doc_->isNull()) return;
  const QFileInfo info(doc_->filePath());
  const QString last = QSettings().value(QStringLiteral("files/exportFilter")).toString();
  const QString png = tr("PNG image, flattened, with parameters (*.png)");
  const QString jpg = tr("JPEG image, flattened (*.jpg *.jpeg)");
  const QString webp = tr("WebP image, flattened (*.webp)");
  const QString psd = tr("Photoshop document, layered (*.psd)");
  const QString ora = tr("OpenRaster copy, layered (*.ora)");
  const QString folder = tr("Folder of PNG layers (choose or name a folder)");
  QString filter = last.isEmpty() ? png : last;
  const QString suggestion = QFileInfo(lastFolder(), info.completeBaseName() + QStringLiteral("-export.png")).filePath();
  QString path = QFileDialog::getSaveFileName(this, tr("Export"), suggestion,
                                              QStringList{png, jpg, webp, psd, ora, folder}.join(QStringLiteral(";;")), &filter);
  if (path.isEmpty()) return;
  QSettings().setValue(QStringLiteral("files/exportFilter"), filter);
  if (filter == folder) {
    // A folder: the name chosen without its extension.
    const QFileInfo chosen(path);
    path = chosen.absolutePath() + QLatin1Char('/') + chosen.completeBaseName() + QLatin1Char('/');
  }
  rememberFolder(path);
  exportInBackground(path);
}

// ---- Flattened image ----------------------------------------------------------------------------

bool MainWindow::saveImage(const QString& path, QString* error) {
  const auto fail = [&](const QString& message) {
    if (error) *error = message;
    showError(tr("Cannot save image"), message);
    return false;
  };
  if (doc_->isNull()) return fail(tr("There is no image to save."));
  const QString suffix = QFileInfo(path).suffix().toLower();
  const QByteArray format = suffix == QLatin1String("jpeg") ? QByteArrayLiteral("jpg") : suffix.toLatin1();
  if (format.isEmpty() || !QImageWriter::supportedImageFormats().contains(format))
    return fail(tr("%1: unknown image extension \u201c%2\u201d (use .png, .jpg, .webp, .tif or .bmp)").arg(path, suffix));

  // What the user sees: every visible layer, pending results included.
  QImage flat = doc_->render(QRect(), true);
  bool opaque = true;
  for (int y = 0; y < flat.height() && opaque; ++y) {
    const auto* row = reinterpret_cast<const QRgb*>(flat.constScanLine(y));
    for (int x = 0; x < flat.width(); ++x)
      if (qAlpha(row[x]) != 255) {
        opaque = false;
        break;
      }
  }
  const bool lossyNoAlpha = format == "jpg" || format == "bmp";
  if (!opaque && lossyNoAlpha) {
    QImage white(flat.size(), QImage::Format_ARGB32_Premultiplied);
    white.fill(Qt::white);
    QPainter p(&white);
    p.drawImage(0, 0, flat);
    p.end();
    flat = white;
    opaque = true;
  }
  const QImage out = opaque ? flat.convertToFormat(QImage::Format_RGB888) : flat.convertToFormat(QImage::Format_ARGB32);
  QImageWriter writer(path, format);
  if (format == "jpg") writer.setQuality(95);
  if (format == "png") writer.setCompression(6);
  if (!writer.write(out)) return fail(tr("%1: %2").arg(path, writer.errorString()));
  doc_->markClean();
  rememberFolder(path);
  showStatus(doc_->layerCount() > 0 ? tr("Saved a flattened copy as %1 (layers are kept only in .ora projects)").arg(QFileInfo(path).fileName())
                                    : tr("Saved %1").arg(QFileInfo(path).fileName()));
  return true;
}

// ---- Dialogs ------------------------------------------------------------------------------------

void MainWindow::openDialog() {
  if (!maybeSave()) return;
  const QString path = QFileDialog::getOpenFileName(this, tr("Open image or project"), lastFolder(), openFilter());
  if (!path.isEmpty()) openImage(path);
}

bool MainWindow::saveDialog() {
  if (doc_->isNull()) return false;
  const QFileInfo info(doc_->filePath());
  const QString folder = info.exists() ? info.absolutePath() : lastFolder();
  const QString suggestion = isProjectPath(doc_->filePath())
                                 ? doc_->filePath()
                                 : QFileInfo(folder, info.completeBaseName().isEmpty() ? QStringLiteral("untitled.ora")
                                                                                       : info.completeBaseName() + QStringLiteral(".ora"))
                                       .filePath();
  QString path = QFileDialog::getSaveFileName(this, tr("Save project"), suggestion,
                                              tr("Latentshop project (*.ora);;Flattened image (*.png *.jpg *.jpeg *.webp *.tif)"));
  if (path.isEmpty()) return false;
  if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".ora");
  // An image extension saves a flattened copy (the layers are not kept in it).
  if (!isProjectPath(path)) return saveImage(path);
  return saveProject(path);
}

void MainWindow::save() {
  if (doc_->isNull()) return;
  if (projectPath().isEmpty()) {
    saveDialog();
  } else {
    saveProjectInBackground(projectPath());
  }
}

bool MainWindow::maybeSave() {
  if (!interactive_ || doc_->isNull() || !doc_->isModified()) return true;
  const auto answer = QMessageBox::question(this, tr("Unsaved changes"),
                                            tr("%1 has unsaved changes. Save them?").arg(doc_->displayName()),
                                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) return projectPath().isEmpty() ? saveDialog() : saveProject(projectPath());
  return true;
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList files = RecentFiles::load();
  for (const QString& f : files) {
    QAction* a = recentMenu_->addAction(QFileInfo(f).fileName());
    a->setToolTip(f);
    a->setStatusTip(f);
    connect(a, &QAction::triggered, this, [this, f] {
      if (!maybeSave()) return;
      if (!openImage(f)) RecentFiles::remove(f);
    });
  }
  if (files.isEmpty()) recentMenu_->addAction(tr("(none)"))->setEnabled(false);
  recentMenu_->addSeparator();
  connect(recentMenu_->addAction(tr("Clear list")), &QAction::triggered, this, [] { RecentFiles::clear(); });
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) {
    for (const QUrl& url : e->mimeData()->urls()) {
      if (url.isLocalFile()) {
        e->acceptProposedAction();
        return;
      }
    }
  }
}

void MainWindow::dropEvent(QDropEvent* e) {
  for (const QUrl& url : e->mimeData()->urls()) {
    if (!url.isLocalFile()) continue;
    e->acceptProposedAction();
    if (maybeSave()) openImage(url.toLocalFile());
    return;
  }
}

}  // namespace latentshop::ui
