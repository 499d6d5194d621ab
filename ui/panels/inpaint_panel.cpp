#include "ui/panels/inpaint_panel.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "ui/panels/inpaint_method.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

InpaintPanel::InpaintPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(8);
  auto* methodLabel = new QLabel(tr("Method"), this);
  selector_ = new QComboBox(this);
  selector_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  selector_->setMinimumContentsLength(16);
  methodLabel->setBuddy(selector_);
  description_ = new QLabel(this);
  description_->setWordWrap(true);
  description_->setForegroundRole(QPalette::PlaceholderText);
  options_ = new QStackedWidget(this);
  run_ = new QPushButton(themedIcon(IconId::Run), tr("Run"), this);
  run_->setDefault(true);
  run_->setToolTip(tr("Fill the masked region (Ctrl+Enter)"));
  run_->setMinimumHeight(30);
  hint_ = new QLabel(this);
  hint_->setWordWrap(true);
  hint_->setForegroundRole(QPalette::PlaceholderText);
  progress_ = new JobProgressWidget(this);

  layout->addWidget(methodLabel);
  layout->addWidget(selector_);
  layout->addWidget(description_);
  layout->addWidget(options_);
  layout->addWidget(run_);
  layout->addWidget(hint_);
  layout->addWidget(progress_);
  layout->addStretch(1);

  connect(selector_, &QComboBox::currentIndexChanged, this, [this](int index) {
    options_->setCurrentIndex(index);
    refresh();
    if (InpaintMethod* m = currentMethod()) Q_EMIT currentMethodChanged(m->id());
  });
  connect(run_, &QPushButton::clicked, this, &InpaintPanel::runRequested);
  connect(progress_, &JobProgressWidget::cancelRequested, this, &InpaintPanel::cancelRequested);
  refresh();
}

void InpaintPanel::addMethod(InpaintMethod* method) {
  method->setParent(this);
  methods_.push_back(method);
  QWidget* page = method->createOptionsWidget(options_);
  options_->addWidget(page ? page : new QWidget(options_));
  selector_->addItem(method->displayName(), method->id());
  selector_->setItemData(selector_->count() - 1, method->description(), Qt::ToolTipRole);
  connect(method, &InpaintMethod::availabilityChanged, this, &InpaintPanel::refresh);
  refresh();
}

InpaintMethod* InpaintPanel::currentMethod() const {
  const int i = selector_->currentIndex();
  return i >= 0 && i < methods_.size() ? methods_[i] : nullptr;
}

bool InpaintPanel::setCurrentMethod(const QString& id) {
  const int i = selector_->findData(id);
  if (i < 0) return false;
  selector_->setCurrentIndex(i);
  return true;
}

void InpaintPanel::setBusy(bool busy) {
  busy_ = busy;
  refresh();
}

void InpaintPanel::setDocumentState(bool hasImage, bool hasMask) {
  hasImage_ = hasImage;
  hasMask_ = hasMask;
  refresh();
}

QString InpaintPanel::blockedReason() const {
  InpaintMethod* m = currentMethod();
  if (!m) return tr("No inpaint method is available.");
  if (busy_) return tr("A job is running.");
  if (!hasImage_) return tr("Open an image first (Ctrl+O).");
  if (m->needsMask() && !hasMask_) return tr("Paint over what should be filled with the mask brush (B).");
  return m->unavailableReason();
}

void InpaintPanel::refresh() {
  InpaintMethod* m = currentMethod();
  description_->setText(m ? m->description() : QString());
  description_->setVisible(m && !m->description().isEmpty());
  const QString reason = blockedReason();
  run_->setEnabled(reason.isEmpty());
  hint_->setText(busy_ ? QString() : reason);
  hint_->setVisible(!busy_ && !reason.isEmpty());
  selector_->setEnabled(!busy_);
  options_->setEnabled(!busy_);
}

void InpaintPanel::saveSettings(QSettings& s) const {
  if (InpaintMethod* m = currentMethod()) s.setValue(QStringLiteral("inpaint/method"), m->id());
  for (InpaintMethod* m : methods_) {
    s.beginGroup(QStringLiteral("inpaint/") + m->id());
    m->saveSettings(s);
    s.endGroup();
  }
}

void InpaintPanel::loadSettings(QSettings& s) {
  for (InpaintMethod* m : methods_) {
    s.beginGroup(QStringLiteral("inpaint/") + m->id());
    m->loadSettings(s);
    s.endGroup();
  }
  setCurrentMethod(s.value(QStringLiteral("inpaint/method")).toString());
}

void InpaintPanel::setBanner(QWidget* banner) {
  auto* box = qobject_cast<QVBoxLayout*>(layout());
  if (!box || !banner) return;
  banner->setParent(this);
  box->insertWidget(0, banner);
}

}  // namespace latentshop::ui
