#include "ui/widgets/elided_label.h"

#include <algorithm>

#include <QFontMetrics>
#include <QResizeEvent>

namespace latentshop::ui {

ElidedLabel::ElidedLabel(QWidget* parent) : QLabel(parent) {
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
  setWordWrap(false);
}

void ElidedLabel::setFullText(const QString& text) {
  full_ = text;
  elide();
  updateGeometry();
}

QSize ElidedLabel::sizeHint() const {
  const QMargins m = contentsMargins();
  return {fontMetrics().horizontalAdvance(full_) + m.left() + m.right() + 2 * margin(), QLabel::sizeHint().height()};
}

QSize ElidedLabel::minimumSizeHint() const {
  const QMargins m = contentsMargins();
  const int few = fontMetrics().horizontalAdvance(QStringLiteral("Mmm\u2026"));
  return {std::min(few, sizeHint().width()) + m.left() + m.right(), QLabel::minimumSizeHint().height()};
}

void ElidedLabel::resizeEvent(QResizeEvent* event) {
  QLabel::resizeEvent(event);
  elide();
}

void ElidedLabel::elide() {
  const int room = contentsRect().width() - 2 * margin();
  const QString shown = fontMetrics().elidedText(full_, Qt::ElideRight, std::max(room, 0));
  if (shown != text()) QLabel::setText(shown);
  setToolTip(shown == full_ ? QString() : full_);
}

}  // namespace latentshop::ui
