// Main window: opening, saving, recent files, drag and drop.
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QSettings>
#include <QStandardPaths>
#include <QUndoStack>

#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "app/gui/recent_files.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"

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
  QStringList patterns;
  for (const QByteArray& f : QImageReader::supportedImageFormats()) patterns << QStringLiteral("*.") + QString::fromLatin1(f);
  return QObject::tr("Images (%1);;All files (*)").arg(patterns.join(QLatin1Char(' ')));
}

}  // namespace

bool MainWindow::openImage(const QString& path, QString* error) {
  const auto fail = [&](const QString& message) {
    if (error) *error = message;
    showError(tr("Cannot open image"), message);
    return false;
  };
  const QFileInfo info(path);
  if (!info.exists()) return fail(tr("%1: no such file").arg(path));
  if (info.isDir()) return fail(tr("%1: is a folder, not an image").arg(path));
  QImageReader::setAllocationLimit(2048);  // MB: 8000x6000 RGBA photos are ~190 MB
  QImageReader reader(path);
  reader.setAutoTransform(true);  // EXIF orientation, as cameras expect
  QImage image = reader.read();
  if (image.isNull()) return fail(tr("%1: not an image Latentshop can read (%2)").arg(path, reader.errorString()));

  if (activeJob_) engine_->cancel(activeJob_);
  ++generation_;
  canvas_->clearPreview();
  canvas_->setComparing(false);
  resultMessages_.clear();
  savePath_.clear();
  doc_->reset(image, info.absoluteFilePath());
  canvas_->setMaskVisible(true);
  RecentFiles::add(path);
  rememberFolder(path);
  showStatus(tr("Opened %1 (%2 \u00d7 %3)").arg(info.fileName()).arg(image.width()).arg(image.height()));
  Q_EMIT imageOpened(info.absoluteFilePath());
  return true;
}

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
  doc_->undoStack()->setClean();
  savePath_ = path;
  rememberFolder(path);
  showStatus(tr("Saved %1").arg(QFileInfo(path).fileName()));
  return true;
}

void MainWindow::openDialog() {
  if (!maybeSave()) return;
  const QString path = QFileDialog::getOpenFileName(this, tr("Open image"), lastFolder(), openFilter());
  if (!path.isEmpty()) openImage(path);
}

bool MainWindow::saveDialog() {
  if (doc_->isNull()) return false;
  QString suggestion = savePath_;
  if (suggestion.isEmpty()) {
    const QFileInfo info(doc_->filePath());
    suggestion = QFileInfo(lastFolder(), info.completeBaseName() + QStringLiteral("-edited.png")).filePath();
  }
  const QString path = QFileDialog::getSaveFileName(this, tr("Save image"), suggestion,
                                                    tr("PNG (*.png);;JPEG (*.jpg *.jpeg);;WebP (*.webp);;TIFF (*.tif *.tiff)"));
  return !path.isEmpty() && saveImage(path);
}

void MainWindow::save() {
  if (savePath_.isEmpty()) {
    saveDialog();
  } else {
    saveImage(savePath_);
  }
}

bool MainWindow::maybeSave() {
  if (!interactive_ || doc_->isNull() || !doc_->isModified()) return true;
  const auto answer = QMessageBox::question(this, tr("Unsaved changes"),
                                            tr("%1 has unsaved changes. Save them?").arg(doc_->displayName()),
                                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) return saveDialog();
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
