// Main window: canvas basics every editor has. File → New, copy and paste through the clipboard,
// and the Image menu's whole-document geometry (crop to selection, resize, canvas size, rotate,
// flip: ui/document/document_geometry.h), each one undo step in History. The Select tool turns
// rectangle, ellipse and lasso selections into mask (ui/tools/selection_tool.h).
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QMenu>
#include <QMimeData>
#include <QUndoStack>

#include "app/gui/engine_bridge.h"
#include "app/gui/image_size_dialogs.h"
#include "app/gui/main_window.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/document/document_geometry.h"
#include "ui/panels/selection_panel.h"
#include "ui/tools/selection_tool.h"

namespace latentshop::ui {

void MainWindow::buildImageActions() {
  const auto add = [this](const QString& name, const QString& text, const QKeySequence& key = QKeySequence()) {
    auto* a = new QAction(text, this);
    if (!key.isEmpty()) {
      a->setShortcut(key);
      a->setToolTip(QStringLiteral("%1 (%2)").arg(QString(text).remove(QLatin1Char('&')), key.toString(QKeySequence::NativeText)));
    }
    addAction(a);
    actions_.insert(name, a);
    return a;
  };
  connect(add(QStringLiteral("file.new"), tr("&New\u2026"), QKeySequence::New), &QAction::triggered, this, [this] {
    if (!maybeSave()) return;
    const QImage clip = QApplication::clipboard()->image();
    if (auto spec = askNewDocument(this, clip.isNull() ? QSize(1024, 1024) : clip.size())) newDocument(spec->size, spec->fill);
  });
  connect(add(QStringLiteral("edit.copy"), tr("&Copy image"), QKeySequence::Copy), &QAction::triggered, this,
          [this] { copyToClipboard(false); });
  connect(add(QStringLiteral("edit.copyLayer"), tr("Copy &layer"), QKeySequence(QStringLiteral("Ctrl+Shift+C"))),
          &QAction::triggered, this, [this] { copyToClipboard(true); });
  connect(add(QStringLiteral("edit.paste"), tr("&Paste as layer"), QKeySequence::Paste), &QAction::triggered, this,
          [this] { pasteImage(QApplication::clipboard()->image(), doc_->isNull()); });
  connect(add(QStringLiteral("edit.pasteNew"), tr("Paste as &new image"), QKeySequence(QStringLiteral("Ctrl+Shift+V"))),
          &QAction::triggered, this, [this] {
            const QImage clip = QApplication::clipboard()->image();
            if (!clip.isNull() && maybeSave()) pasteImage(clip, true);
            else if (clip.isNull()) showStatus(tr("The clipboard holds no image."));
          });
  connect(add(QStringLiteral("image.crop"), tr("&Crop to selection")), &QAction::triggered, this, &MainWindow::cropToSelection);
  connect(add(QStringLiteral("image.resize"), tr("&Resize image\u2026")), &QAction::triggered, this, [this] {
    if (auto size = askImageSize(this, doc_->size())) resizeImage(*size);
  });
  connect(add(QStringLiteral("image.canvasSize"), tr("Canvas si&ze\u2026")), &QAction::triggered, this, [this] {
    if (auto spec = askCanvasSize(this, doc_->size())) resizeCanvas(spec->size, spec->anchor, spec->fill);
  });
  connect(add(QStringLiteral("image.rotateCw"), tr("Rotate 90\u00b0 c&lockwise")), &QAction::triggered, this, [this] { rotateImage(1); });
  connect(add(QStringLiteral("image.rotateCcw"), tr("Rotate 90\u00b0 &anticlockwise")), &QAction::triggered, this, [this] { rotateImage(-1); });
  connect(add(QStringLiteral("image.rotate180"), tr("Rotate &180\u00b0")), &QAction::triggered, this, [this] { rotateImage(2); });
  connect(add(QStringLiteral("image.flipH"), tr("Flip &horizontally")), &QAction::triggered, this, [this] { flipImage(true); });
  connect(add(QStringLiteral("image.flipV"), tr("Flip &vertically")), &QAction::triggered, this, [this] { flipImage(false); });
}

void MainWindow::addImageMenuItems(QMenu* image) {
  image->addSeparator();
  for (const char* name : {"image.crop", "image.resize", "image.canvasSize", "", "image.rotateCw", "image.rotateCcw",
                           "image.rotate180", "image.flipH", "image.flipV"}) {
    if (!*name) {
      image->addSeparator();
    } else {
      image->addAction(actions_.value(QString::fromLatin1(name)));
    }
  }
}

void MainWindow::installSelectionTool() {
  auto* tool = new SelectionTool(this);
  addTool(tool, new SelectionPanel(tool));
}

void MainWindow::startDocument(const QImage& image, const QString& what, bool modified) {
  leaveDocument();
  DocumentContent content;
  content.original = image;
  content.info.sourcePath = QString();
  doc_->reset(content, QString());
  if (modified) doc_->markModified();  // pasted pixels exist nowhere else: closing asks first
  canvas_->setMaskVisible(true);
  showStatus(tr("%1 (%2 \u00d7 %3)").arg(what).arg(image.width()).arg(image.height()));
  updateActions();
}

void MainWindow::newDocument(const QSize& size, const QColor& fill) {
  if (size.isEmpty()) return;
  QImage image(size, fill.alpha() < 255 ? QImage::Format_ARGB32 : QImage::Format_RGB32);
  image.fill(fill);
  startDocument(image, tr("New image"), false);
}

bool MainWindow::pasteImage(const QImage& image, bool asNewDocument) {
  if (image.isNull()) {
    showStatus(tr("The clipboard holds no image."));
    return false;
  }
  if (asNewDocument || doc_->isNull()) {
    startDocument(image.hasAlphaChannel() ? image.convertToFormat(QImage::Format_ARGB32) : image.convertToFormat(QImage::Format_RGB32),
                  tr("Pasted as a new image"), true);
    return true;
  }
  Layer layer;
  layer.name = tr("Pasted");
  layer.kind = LayerKind::Image;
  layer.image = image.convertToFormat(QImage::Format_ARGB32);
  // Centred, as editors place a paste; a larger image keeps its top-left corner on the canvas.
  layer.offset = QPoint(std::max(0, (doc_->size().width() - image.width()) / 2), std::max(0, (doc_->size().height() - image.height()) / 2));
  doc_->addLayer(layer, -1, tr("Paste"));
  showStatus(tr("Pasted as a layer (%1 \u00d7 %2). Ctrl+Z takes it back.").arg(image.width()).arg(image.height()));
  return true;
}

void MainWindow::copyToClipboard(bool layerOnly) {
  if (doc_->isNull()) return;
  QImage image;
  if (layerOnly) {
    const Layer* l = doc_->activeLayer() ? doc_->layer(doc_->activeLayer()) : nullptr;
    image = l ? l->image : doc_->original();
  } else {
    image = doc_->render().convertToFormat(QImage::Format_ARGB32);
  }
  QApplication::clipboard()->setImage(image);
  showStatus(layerOnly ? tr("Copied the layer (%1 \u00d7 %2).").arg(image.width()).arg(image.height())
                       : tr("Copied the image as shown (%1 \u00d7 %2).").arg(image.width()).arg(image.height()));
}

bool MainWindow::canChangeGeometry() {
  if (doc_->isNull()) return false;
  if (activeJob_) {
    showStatus(tr("An edit is running on this image; wait for it or cancel it (Esc) first."));
    return false;
  }
  return true;
}

bool MainWindow::cropToSelection() {
  if (!canChangeGeometry()) return false;
  const QRect box = doc_->maskBounds();
  if (box.isEmpty()) {
    showStatus(tr("Nothing selected: select a region (M) or paint a mask first."));
    return false;
  }
  DocumentContent next = cropContent(doc_->snapshot(), box);
  next.mask = QImage();  // the selection did its job: the cropped image starts without a mask
  doc_->transformContent(next, tr("Crop to selection"));
  showStatus(tr("Cropped to %1 \u00d7 %2.").arg(box.width()).arg(box.height()));
  return true;
}

void MainWindow::resizeImage(const QSize& size) {
  if (!canChangeGeometry() || size.isEmpty() || size == doc_->size()) return;
  doc_->transformContent(resizeContent(doc_->snapshot(), size), tr("Resize image to %1 \u00d7 %2").arg(size.width()).arg(size.height()));
}

void MainWindow::resizeCanvas(const QSize& size, Qt::Alignment anchor, const QColor& fill) {
  if (!canChangeGeometry() || size.isEmpty() || size == doc_->size()) return;
  doc_->transformContent(latentshop::ui::resizeCanvas(doc_->snapshot(), size, anchoredOffset(doc_->size(), size, anchor), fill),
                         tr("Canvas size %1 \u00d7 %2").arg(size.width()).arg(size.height()));
}

void MainWindow::rotateImage(int quarterTurns) {
  if (!canChangeGeometry()) return;
  const int turns = ((quarterTurns % 4) + 4) % 4;
  if (turns == 0) return;
  doc_->transformContent(rotateContent(doc_->snapshot(), turns),
                         turns == 2 ? tr("Rotate 180\u00b0") : turns == 1 ? tr("Rotate 90\u00b0 clockwise") : tr("Rotate 90\u00b0 anticlockwise"));
}

void MainWindow::flipImage(bool horizontal) {
  if (!canChangeGeometry()) return;
  doc_->transformContent(flipContent(doc_->snapshot(), horizontal), horizontal ? tr("Flip horizontally") : tr("Flip vertically"));
}

}  // namespace latentshop::ui
