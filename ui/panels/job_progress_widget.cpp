#include "ui/panels/job_progress_widget.h"

#include <cmath>

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/widgets/icons.h"

namespace latentshop::ui {

JobProgressWidget::JobProgressWidget(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->setSpacing(4);
  auto* row = new QHBoxLayout;
  row->setSpacing(4);
  bar_ = new QProgressBar(this);
  bar_->setTextVisible(true);
  bar_->setMinimumWidth(120);
  stop_ = new QToolButton(this);
  stop_->setText(tr("Stop"));
  stop_->setToolTip(tr("Finish now and keep the result so far"));
  stop_->setVisible(false);
  cancel_ = new QToolButton(this);
  cancel_->setIcon(themedIcon(IconId::Cancel));
  cancel_->setText(tr("Cancel"));
  cancel_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  cancel_->setToolTip(tr("Cancel the running job (Esc); the document stays as it was"));
  row->addWidget(bar_, 1);
  row->addWidget(stop_);
  row->addWidget(cancel_);
  outer->addLayout(row);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  outer->addWidget(message_);
  connect(cancel_, &QToolButton::clicked, this, &JobProgressWidget::cancelRequested);
  connect(stop_, &QToolButton::clicked, this, &JobProgressWidget::stopRequested);
  bar_->setVisible(false);
  cancel_->setVisible(false);
  message_->setVisible(false);
}

QString JobProgressWidget::formatDuration(double s) {
  if (s < 0 || !std::isfinite(s)) return QString();
  if (s < 1.0) return tr("<1 s");
  if (s < 60.0) return tr("%1 s").arg(int(std::ceil(s)));
  const int total = int(std::ceil(s));
  return tr("%1 min %2 s").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

void JobProgressWidget::start(const QString& title) {
  title_ = title;
  running_ = true;
  bar_->setRange(0, 0);  // busy indicator
  bar_->setFormat(tr("%1 \u00b7 starting").arg(title));
  bar_->setVisible(true);
  cancel_->setVisible(true);
  cancel_->setEnabled(true);
  message_->setVisible(false);
}

void JobProgressWidget::setProgress(int step, int total, const QString& stage, double eta) {
  if (!running_) return;
  QString text = stage.isEmpty() ? title_ : stage;
  if (total > 0) {
    bar_->setRange(0, total);
    bar_->setValue(std::min(step, total));
    text += tr(" \u00b7 step %1/%2").arg(step).arg(total);
  } else {
    bar_->setRange(0, 0);
  }
  const QString left = formatDuration(eta);
  if (!left.isEmpty() && step < total) text += tr(" \u00b7 %1 left").arg(left);
  text.replace(QLatin1Char('%'), QStringLiteral("\uFF05"));  // QProgressBar treats % as a placeholder
  bar_->setFormat(text);
}

void JobProgressWidget::finish(const QString& message, bool ok) {
  running_ = false;
  bar_->setVisible(false);
  cancel_->setVisible(false);
  stop_->setVisible(false);
  message_->setText(message);
  message_->setStyleSheet(ok ? QString() : QStringLiteral("color: #ff6b6b;"));
  message_->setVisible(!message.isEmpty());
}

void JobProgressWidget::clearMessage() {
  if (running_) return;
  message_->clear();
  message_->setVisible(false);
}

void JobProgressWidget::setStopVisible(bool visible) { stop_->setVisible(visible && running_); }

QString JobProgressWidget::text() const { return bar_->format(); }
QString JobProgressWidget::message() const { return message_->text(); }

}  // namespace latentshop::ui
