// The Image menu's small dialogs: File → New (size, background), Image → Resize image (size,
// keep proportions), Image → Canvas size (size, where the image sits, what fills the new room).
#pragma once
#include <QColor>
#include <QSize>

#include <optional>

class QWidget;

namespace latentshop::ui {

struct NewDocumentSpec {
  QSize size;
  QColor fill;  // alpha 0: transparent
};
std::optional<NewDocumentSpec> askNewDocument(QWidget* parent, const QSize& suggested);

std::optional<QSize> askImageSize(QWidget* parent, const QSize& current);

struct CanvasSizeSpec {
  QSize size;
  Qt::Alignment anchor = Qt::AlignCenter;
  QColor fill;
};
std::optional<CanvasSizeSpec> askCanvasSize(QWidget* parent, const QSize& current);

}  // namespace latentshop::ui
