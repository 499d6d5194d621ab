#include "ui/panels/result_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

#include "ui/widgets/elided_label.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

ResultBar::ResultBar(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("ResultBar"));
  setFrameShape(QFrame::StyledPanel);
  setAutoFillBackground(true);
  setBackgroundRole(QPalette::Window);
  setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
  // A floating card over the canvas.
  setStyleSheet(QStringLiteral("QFrame#ResultBar { border: 1px solid palette(mid); border-radius: 6px; "
                               "background: palette(window); margin-top: 10px; }"));
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(12, 6, 8, 6);
  row->setSpacing(6);
  title_ = new QLabel(this);
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  detail_ = new ElidedLabel(this);  // a long detail elides (whole text in the tooltip), never widens
  detail_->setForegroundRole(QPalette::PlaceholderText);
  detail_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  const auto makeButton = [this](IconId icon, const QString& text, const QString& tip) {
    auto* b = new QToolButton(this);
    b->setIcon(themedIcon(icon));
    b->setText(text);
    b->setToolTip(tip);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setAutoRaise(false);
    return b;
  };
  compare_ = makeButton(IconId::Compare, tr("Compare"), tr("Hold to see the image before this edit (or hold \\)"));
  discard_ = makeButton(IconId::Discard, tr("Discard"), tr("Throw this result away (Delete)"));
  apply_ = makeButton(IconId::Apply, tr("Apply"), tr("Keep this result as a layer (Shift+Enter)"));
  row->addWidget(title_);
  row->addWidget(detail_, 1);
  row->addSpacing(12);
  row->addWidget(compare_);
  row->addWidget(discard_);
  row->addWidget(apply_);
  connect(compare_, &QToolButton::pressed, this, [this] { Q_EMIT compareHeld(true); });
  connect(compare_, &QToolButton::released, this, [this] { Q_EMIT compareHeld(false); });
  connect(apply_, &QToolButton::clicked, this, &ResultBar::applyRequested);
  connect(discard_, &QToolButton::clicked, this, &ResultBar::discardRequested);
  setVisible(false);
}

void ResultBar::showResult(const QString& name, const QString& detail) {
  title_->setText(name);
  detail_->setFullText(detail);
  setVisible(true);
}

QString ResultBar::title() const { return title_->text(); }

}  // namespace latentshop::ui
