#include "ui/panels/diffusion_inpaint_method.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/panels/diffusion_inpaint_method_controls.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/model_settings.h"

namespace latentshop::ui {

DiffusionInpaintMethod::DiffusionInpaintMethod(ModelSettings* model, QObject* parent)
    : InpaintMethod(parent), model_(model) {
  connect(model_, &ModelSettings::modelChanged, this, &InpaintMethod::availabilityChanged);
  connect(model_, &ModelSettings::modelChanged, this, &DiffusionInpaintMethod::adoptModelDefaults);
  adoptModelDefaults();
}

void DiffusionInpaintMethod::adoptModelDefaults() {
  const auto d = model_->defaultsToApply(defaultsFor_);
  if (!d) return;
  latentshop::SdInpaintRequest o = opts_;
  o.guidanceScale = d->guidanceScale.value_or(latentshop::SdInpaintRequest{}.guidanceScale);
  setOptions(o);
}

QString DiffusionInpaintMethod::displayName() const { return tr("Stable Diffusion (prompt)"); }

QString DiffusionInpaintMethod::description() const {
  return tr("Repaints the masked region as the prompt describes, with an SD 1.x inpainting model (or a plain "
            "SD 1.x model, blending latents). Shows every step live.");
}

QWidget* DiffusionInpaintMethod::createOptionsWidget(QWidget* parent) {
  auto* w = new QWidget(parent);
  auto* v = new QVBoxLayout(w);
  v->setContentsMargins(0, 0, 0, 0);
  picker_ = new ModelPicker(model_, w);
  v->addWidget(picker_);
  auto* form = new QFormLayout;
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  v->addLayout(form);

  prompt_ = new QPlainTextEdit(w);
  prompt_->setPlaceholderText(tr("What should be there, e.g. \"a wooden bench\""));
  prompt_->setTabChangesFocus(true);
  prompt_->setFixedHeight(prompt_->fontMetrics().lineSpacing() * 3 + 12);
  negative_ = new QLineEdit(w);
  negative_->setPlaceholderText(tr("What to avoid (optional)"));
  steps_ = new QSpinBox(w);
  steps_->setRange(1, 1000);  // the engine's range: a typed 500 is 500, not a silent 50
  steps_->setToolTip(tr("Denoising steps (1\u20131000): more is slower and usually a little cleaner"));
  guidance_ = new QDoubleSpinBox(w);
  guidance_->setRange(0.0, 30.0);
  guidance_->setSingleStep(0.5);
  guidance_->setDecimals(1);
  guidance_->setToolTip(tr("How strictly to follow the prompt (classifier-free guidance; 1 or less turns it off)"));
  strength_ = new QDoubleSpinBox(w);
  strength_->setRange(0.05, 1.0);
  strength_->setSingleStep(0.05);
  strength_->setDecimals(2);
  strength_->setToolTip(tr("1 repaints from scratch; lower values keep more of what is under the mask"));
  variations_ = new QSpinBox(w);
  variations_->setRange(1, 8);
  variations_->setValue(variationCount_);
  variations_->setToolTip(tr("How many candidates to make, with consecutive seeds; pick one under the image"));
  connect(variations_, &QSpinBox::valueChanged, this, [this](int v) { variationCount_ = v; });
  seed_ = new SeedEdit(w);
  scheduler_ = makeSchedulerCombo(w);
  crop_ = new QCheckBox(tr("Crop to mask"), w);
  crop_->setToolTip(tr("Work on the mask's surroundings at the model's full resolution (more detail on large "
                       "photos); everything outside the padded box stays untouched"));
  padding_ = new QSpinBox(w);
  padding_->setRange(0, 1024);
  padding_->setSuffix(tr(" px"));
  padding_->setToolTip(tr("Context around the mask the model sees when cropping"));
  prefill_ = new QCheckBox(tr("Pre-fill the hole (content-aware)"), w);
  prefill_->setToolTip(tr("First fill the masked area with texture from around it, so the model starts from "
                          "plausible surroundings instead of what was painted over (matters with strength below 1)"));
  feather_ = new QSpinBox(w);
  feather_->setRange(0, 256);
  feather_->setSuffix(tr(" px"));
  feather_->setToolTip(tr("Soft edge that blends the result into the photo outside the mask"));
  form->addRow(tr("Prompt"), prompt_);
  form->addRow(tr("Negative"), negative_);
  form->addRow(tr("Steps"), steps_);
  form->addRow(tr("Guidance"), guidance_);
  form->addRow(tr("Strength"), strength_);
  form->addRow(tr("Seed"), seed_);
  form->addRow(tr("Variations"), variations_);
  form->addRow(tr("Scheduler"), scheduler_);
  form->addRow(crop_);
  form->addRow(tr("Padding"), padding_);
  form->addRow(tr("Feather"), feather_);
  form->addRow(prefill_);

  setOptions(opts_);
  seed_->setNewSeedEachRun(randomEachRun_);
  connect(prompt_, &QPlainTextEdit::textChanged, this, [this] { opts_.prompt = prompt_->toPlainText().toStdString(); });
  connect(negative_, &QLineEdit::textChanged, this, [this](const QString& t) { opts_.negativePrompt = t.toStdString(); });
  connect(steps_, &QSpinBox::valueChanged, this, [this](int v) { opts_.steps = v; });
  connect(guidance_, &QDoubleSpinBox::valueChanged, this, [this](double v) { opts_.guidanceScale = v; });
  connect(strength_, &QDoubleSpinBox::valueChanged, this, [this](double v) { opts_.strength = v; });
  connect(seed_->field(), &QLineEdit::textChanged, this, [this] { opts_.seed = seed_->seed(); });
  connect(scheduler_, &QComboBox::currentIndexChanged, this, [this] { opts_.scheduler = schedulerOf(scheduler_); });
  connect(crop_, &QCheckBox::toggled, this, [this](bool on) {
    opts_.cropToMask = on;
    padding_->setEnabled(on);
  });
  connect(padding_, &QSpinBox::valueChanged, this, [this](int v) { opts_.padding = v; });
  connect(feather_, &QSpinBox::valueChanged, this, [this](int v) { opts_.featherPx = v; });
  connect(prefill_, &QCheckBox::toggled, this, [this](bool on) { opts_.prefill = on; });
  padding_->setEnabled(opts_.cropToMask);
  return w;
}

QString DiffusionInpaintMethod::unavailableReason() const {
  if (model_->modelPath().isEmpty()) return tr("Choose a Stable Diffusion model above (see models/README.md).");
  if (model_->isChecking()) return tr("Checking the model\u2026");
  if (!model_->isValid()) return tr("The model cannot be used: %1").arg(model_->validationMessage());
  return QString();
}

latentshop::SdInpaintRequest DiffusionInpaintMethod::options() const {
  latentshop::SdInpaintRequest r = opts_;
  r.model = model_->modelRef();
  r.taesdPath = ModelSettings::taesdPath().toStdString();
  return r;
}

void DiffusionInpaintMethod::setOptions(const latentshop::SdInpaintRequest& o) {
  opts_.prompt = o.prompt;
  opts_.negativePrompt = o.negativePrompt;
  opts_.steps = o.steps;
  opts_.guidanceScale = o.guidanceScale;
  opts_.strength = o.strength;
  opts_.seed = o.seed;
  opts_.scheduler = o.scheduler;
  opts_.cropToMask = o.cropToMask;
  opts_.padding = o.padding;
  opts_.featherPx = o.featherPx;
  opts_.prefill = o.prefill;
  if (!prompt_) return;
  const latentshop::SdInpaintRequest copy = opts_;  // the setters below write back into opts_
  prompt_->setPlainText(QString::fromStdString(copy.prompt));
  negative_->setText(QString::fromStdString(copy.negativePrompt));
  steps_->setValue(copy.steps);
  guidance_->setValue(copy.guidanceScale);
  strength_->setValue(copy.strength);
  seed_->setSeed(copy.seed);
  setScheduler(scheduler_, copy.scheduler);
  crop_->setChecked(copy.cropToMask);
  padding_->setValue(copy.padding);
  feather_->setValue(copy.featherPx);
  prefill_->setChecked(copy.prefill);
  opts_ = copy;
  opts_.scheduler = schedulerOf(scheduler_);
}

uint64_t DiffusionInpaintMethod::seed() const { return opts_.seed; }

void DiffusionInpaintMethod::setSeed(uint64_t seed) {
  opts_.seed = seed;
  if (seed_) seed_->setSeed(opts_.seed);
}

void DiffusionInpaintMethod::setRandomSeedEachRun(bool on) {
  randomEachRun_ = on;
  if (seed_) seed_->setNewSeedEachRun(on);
}

JobSpec DiffusionInpaintMethod::makeJob(const InpaintInput& input) {
  if (seed_) {
    randomEachRun_ = seed_->newSeedEachRun();
    opts_.seed = seed_->seedForRun();
  }
  latentshop::SdInpaintRequest r = options();
  lastRun_ = r;
  r.image = input.image;
  r.mask = input.mask;
  latentshop::validate(r);  // a bad option shows as an error before anything runs
  return latentshop::makeSdInpaintJob(std::move(r));
}

int DiffusionInpaintMethod::variationCount() const { return variationCount_; }

void DiffusionInpaintMethod::setVariationCount(int count) {
  variationCount_ = std::clamp(count, 1, 8);
  if (variations_) variations_->setValue(variationCount_);
}

JobSpec DiffusionInpaintMethod::makeVariationJob(const InpaintInput& input, int index) {
  // The options of the run that made variation 0 (edits in the panel meanwhile wait for the next
  // run), with the next seed.
  latentshop::SdInpaintRequest r = lastRun_;
  r.seed = lastRun_.seed + static_cast<uint64_t>(index);
  r.image = input.image;
  r.mask = input.mask;
  latentshop::validate(r);
  return latentshop::makeSdInpaintJob(std::move(r));
}

void DiffusionInpaintMethod::saveSettings(QSettings& s) const {
  s.setValue(QStringLiteral("prompt"), QString::fromStdString(opts_.prompt));
  s.setValue(QStringLiteral("negative"), QString::fromStdString(opts_.negativePrompt));
  s.setValue(QStringLiteral("steps"), opts_.steps);
  s.setValue(QStringLiteral("guidance"), opts_.guidanceScale);
  s.setValue(QStringLiteral("strength"), opts_.strength);
  s.setValue(QStringLiteral("seed"), QString::number(opts_.seed));
  s.setValue(QStringLiteral("seedEachRun"), seed_ ? seed_->newSeedEachRun() : randomEachRun_);
  s.setValue(QStringLiteral("scheduler"), QString::fromStdString(opts_.scheduler));
  s.setValue(QStringLiteral("cropToMask"), opts_.cropToMask);
  s.setValue(QStringLiteral("padding"), opts_.padding);
  s.setValue(QStringLiteral("feather"), opts_.featherPx);
  s.setValue(QStringLiteral("prefill"), opts_.prefill);
  s.setValue(QStringLiteral("variations"), variationCount_);
  s.setValue(QStringLiteral("guidanceFor"), defaultsFor_);
}

void DiffusionInpaintMethod::loadSettings(QSettings& s) {
  latentshop::SdInpaintRequest o = opts_;
  o.prompt = s.value(QStringLiteral("prompt"), QString::fromStdString(o.prompt)).toString().toStdString();
  o.negativePrompt = s.value(QStringLiteral("negative"), QString::fromStdString(o.negativePrompt)).toString().toStdString();
  o.steps = s.value(QStringLiteral("steps"), o.steps).toInt();
  o.guidanceScale = s.value(QStringLiteral("guidance"), o.guidanceScale).toDouble();
  o.strength = s.value(QStringLiteral("strength"), o.strength).toDouble();
  o.seed = s.value(QStringLiteral("seed"), QString::number(o.seed)).toString().toULongLong();
  o.scheduler = s.value(QStringLiteral("scheduler"), QString::fromStdString(o.scheduler)).toString().toStdString();
  o.cropToMask = s.value(QStringLiteral("cropToMask"), o.cropToMask).toBool();
  o.padding = s.value(QStringLiteral("padding"), o.padding).toInt();
  o.featherPx = s.value(QStringLiteral("feather"), o.featherPx).toInt();
  o.prefill = s.value(QStringLiteral("prefill"), o.prefill).toBool();
  setOptions(o);
  // Guidance saved for another model than the current one gives way to the current one's.
  if (s.contains(QStringLiteral("guidanceFor"))) defaultsFor_ = s.value(QStringLiteral("guidanceFor")).toString();
  adoptModelDefaults();
  setRandomSeedEachRun(s.value(QStringLiteral("seedEachRun"), randomEachRun_).toBool());
  setVariationCount(s.value(QStringLiteral("variations"), 1).toInt());
}

}  // namespace latentshop::ui
