#include "ui/panels/instruct_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/panels/diffusion_inpaint_method_controls.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/model_settings.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

InstructPanel::InstructPanel(ModelSettings* model, QWidget* parent) : QWidget(parent), model_(model) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(8);
  picker_ = new ModelPicker(model_, this);
  instruction_ = new QLineEdit(this);
  instruction_->setPlaceholderText(tr("What to change, e.g. \"make it snowy\" \u2014 Enter runs"));
  instruction_->setClearButtonEnabled(true);
  auto* form = new QFormLayout;
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  textGuidance_ = new QDoubleSpinBox(this);
  textGuidance_->setRange(0.0, 30.0);
  textGuidance_->setSingleStep(0.5);
  textGuidance_->setDecimals(1);
  textGuidance_->setToolTip(tr("How strongly to follow the instruction"));
  imageGuidance_ = new QDoubleSpinBox(this);
  imageGuidance_->setRange(0.0, 10.0);
  imageGuidance_->setSingleStep(0.1);
  imageGuidance_->setDecimals(2);
  imageGuidance_->setToolTip(tr("How closely to stay with the original image (higher = smaller change)"));
  steps_ = new QSpinBox(this);
  steps_->setRange(1, 1000);  // the engine's range: a typed 500 is 500, not a silent 50
  steps_->setToolTip(tr("Denoising steps (1\u20131000): more is slower and usually a little cleaner"));
  variations_ = new QSpinBox(this);
  variations_->setRange(1, 8);
  variations_->setToolTip(tr("How many candidates to make, with consecutive seeds; pick one under the image"));
  seed_ = new SeedEdit(this);
  seed_->setNewSeedEachRun(true);
  scheduler_ = makeSchedulerCombo(this);
  form->addRow(tr("Text guidance"), textGuidance_);
  form->addRow(tr("Image guidance"), imageGuidance_);
  form->addRow(tr("Steps"), steps_);
  form->addRow(tr("Seed"), seed_);
  form->addRow(tr("Variations"), variations_);
  form->addRow(tr("Scheduler"), scheduler_);
  run_ = new QPushButton(themedIcon(IconId::Run), tr("Edit"), this);
  run_->setToolTip(tr("Apply the instruction to the image (Enter in the instruction box)"));
  run_->setMinimumHeight(30);
  hint_ = new QLabel(this);
  hint_->setWordWrap(true);
  hint_->setForegroundRole(QPalette::PlaceholderText);
  progress_ = new JobProgressWidget(this);
  scope_ = new QLabel(this);
  scope_->setObjectName(QStringLiteral("instructScope"));
  scope_->setWordWrap(true);
  scope_->setForegroundRole(QPalette::PlaceholderText);
  setMaskPainted(false);

  layout->addWidget(picker_);
  layout->addWidget(instruction_);
  layout->addWidget(scope_);
  layout->addLayout(form);
  layout->addWidget(run_);
  layout->addWidget(hint_);
  layout->addWidget(progress_);
  layout->addStretch(1);

  setRequest(latentshop::SdInstructRequest{});
  connect(instruction_, &QLineEdit::returnPressed, this, [this] {
    if (blockedReason().isEmpty()) Q_EMIT runRequested();
  });
  connect(instruction_, &QLineEdit::textChanged, this, &InstructPanel::refresh);
  connect(run_, &QPushButton::clicked, this, &InstructPanel::runRequested);
  connect(model_, &ModelSettings::modelChanged, this, &InstructPanel::refresh);
  connect(model_, &ModelSettings::modelChanged, this, &InstructPanel::adoptModelDefaults);
  adoptModelDefaults();
  refresh();
}

void InstructPanel::adoptModelDefaults() {
  const auto d = model_->defaultsToApply(defaultsFor_);
  if (!d) return;
  const latentshop::SdInstructRequest standard;
  textGuidance_->setValue(d->guidanceScale.value_or(standard.textGuidance));
  imageGuidance_->setValue(d->imageGuidanceScale.value_or(standard.imageGuidance));
}

latentshop::SdInstructRequest InstructPanel::request(bool forRun) {
  latentshop::SdInstructRequest r;
  r.model = model_->modelRef();
  r.taesdPath = ModelSettings::taesdPath().toStdString();
  r.instruction = instruction_->text().toStdString();
  r.textGuidance = textGuidance_->value();
  r.imageGuidance = imageGuidance_->value();
  r.steps = steps_->value();
  r.seed = forRun ? seed_->seedForRun() : seed_->seed();
  r.scheduler = schedulerOf(scheduler_);
  return r;
}

void InstructPanel::setRequest(const latentshop::SdInstructRequest& r) {
  instruction_->setText(QString::fromStdString(r.instruction));
  textGuidance_->setValue(r.textGuidance);
  imageGuidance_->setValue(r.imageGuidance);
  steps_->setValue(r.steps);
  seed_->setSeed(r.seed);
  setScheduler(scheduler_, r.scheduler);
}

void InstructPanel::setBusy(bool busy) {
  busy_ = busy;
  refresh();
}

void InstructPanel::setDocumentState(bool hasImage) {
  hasImage_ = hasImage;
  refresh();
}

QString InstructPanel::blockedReason() const {
  if (busy_) return tr("A job is running.");
  if (!hasImage_) return tr("Open an image first (Ctrl+O).");
  if (model_->modelPath().isEmpty()) return tr("Choose an InstructPix2Pix model above (see models/README.md).");
  if (model_->isChecking()) return tr("Checking the model\u2026");
  if (!model_->isValid()) return tr("The model cannot be used: %1").arg(model_->validationMessage());
  if (instruction_->text().trimmed().isEmpty()) return tr("Type an instruction, e.g. \"make it snowy\".");
  return QString();
}

void InstructPanel::setMaskPainted(bool painted) {
  scope_->setText(painted ? tr("Changes only the painted region (blended with a soft edge).")
                          : tr("Changes the whole image. Paint a mask to change only part of it."));
}

int InstructPanel::variationCount() const { return variations_->value(); }

QString InstructPanel::scopeText() const { return scope_->text(); }

void InstructPanel::refresh() {
  const QString reason = blockedReason();
  run_->setEnabled(reason.isEmpty());
  hint_->setText(busy_ ? QString() : reason);
  hint_->setVisible(!busy_ && !reason.isEmpty() && !model_->modelPath().isEmpty());
  picker_->setBusy(busy_);
  textGuidance_->setEnabled(!busy_);
  imageGuidance_->setEnabled(!busy_);
  steps_->setEnabled(!busy_);
  seed_->setEnabled(!busy_);
  variations_->setEnabled(!busy_);
  scheduler_->setEnabled(!busy_);
}

void InstructPanel::saveSettings(QSettings& s) const {
  s.beginGroup(QStringLiteral("instruct"));
  s.setValue(QStringLiteral("instruction"), instruction_->text());
  s.setValue(QStringLiteral("textGuidance"), textGuidance_->value());
  s.setValue(QStringLiteral("imageGuidance"), imageGuidance_->value());
  s.setValue(QStringLiteral("steps"), steps_->value());
  s.setValue(QStringLiteral("seed"), QString::number(seed_->seed()));
  s.setValue(QStringLiteral("seedEachRun"), seed_->newSeedEachRun());
  s.setValue(QStringLiteral("scheduler"), scheduler_->currentData().toString());
  s.setValue(QStringLiteral("variations"), variations_->value());
  s.setValue(QStringLiteral("guidanceFor"), defaultsFor_);
  s.endGroup();
}

void InstructPanel::loadSettings(QSettings& s) {
  s.beginGroup(QStringLiteral("instruct"));
  latentshop::SdInstructRequest r;
  r.instruction = s.value(QStringLiteral("instruction")).toString().toStdString();
  r.textGuidance = s.value(QStringLiteral("textGuidance"), textGuidance_->value()).toDouble();
  r.imageGuidance = s.value(QStringLiteral("imageGuidance"), imageGuidance_->value()).toDouble();
  r.steps = s.value(QStringLiteral("steps"), r.steps).toInt();
  r.seed = s.value(QStringLiteral("seed"), QStringLiteral("0")).toString().toULongLong();
  r.scheduler = s.value(QStringLiteral("scheduler"), QStringLiteral("default")).toString().toStdString();
  seed_->setNewSeedEachRun(s.value(QStringLiteral("seedEachRun"), true).toBool());
  variations_->setValue(s.value(QStringLiteral("variations"), 1).toInt());
  if (s.contains(QStringLiteral("guidanceFor"))) defaultsFor_ = s.value(QStringLiteral("guidanceFor")).toString();
  s.endGroup();
  setRequest(r);
  adoptModelDefaults();  // guidance saved for another model gives way to the current one's
}

}  // namespace latentshop::ui
