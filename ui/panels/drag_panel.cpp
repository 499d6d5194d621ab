#include "ui/panels/drag_panel.h"

#include <algorithm>
#include <climits>

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/panels/job_progress_widget.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/model_settings.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

namespace {

QLabel* dimLabel(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  l->setWordWrap(true);
  l->setForegroundRole(QPalette::PlaceholderText);
  return l;
}

}  // namespace

DragPanel::DragPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("DragPanel"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(8);

  // The model: the shared picker (validated, recent models, Load, compute/preview settings).
  model_ = new ModelSettings(latentshop::SdTool::Drag, this);
  picker_ = new ModelPicker(model_, this);
  layout->addWidget(picker_);
  auto* form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  prompt_ = new QLineEdit(this);
  prompt_->setObjectName(QStringLiteral("dragPrompt"));
  prompt_->setPlaceholderText(tr("What the image shows (optional)"));
  form->addRow(tr("Prompt"), prompt_);
  layout->addLayout(form);

  // Points and region.
  auto* pointsRow = new QHBoxLayout;
  points_ = new QLabel(this);
  auto* clear = new QPushButton(tr("Clear points"), this);
  clear->setObjectName(QStringLiteral("dragClear"));
  pointsRow->addWidget(points_, 1);
  pointsRow->addWidget(clear);
  layout->addLayout(pointsRow);
  layout->addWidget(dimLabel(tr("Click a handle, then where it should go. Drag points to move them; right-click "
                                "or Delete removes a pair."),
                             this));
  auto* regionRow = new QHBoxLayout;
  region_ = new QLabel(this);
  region_->setWordWrap(true);
  auto* paint = new QPushButton(themedIcon(IconId::Brush), tr("Paint"), this);
  paint->setToolTip(tr("Paint the region allowed to move with the mask brush (B)"));
  regionRow->addWidget(region_, 1);
  regionRow->addWidget(paint);
  layout->addLayout(regionRow);

  // DragDiffusion's options.
  auto* options = new QFormLayout;
  loraSteps_ = new QSpinBox(this);
  loraSteps_->setRange(0, 1000);
  loraSteps_->setToolTip(tr("Fine-tune a LoRA on this image first (0: skip; cached per image, prompt and model)"));
  options->addRow(tr("LoRA steps"), loraSteps_);
  dragSteps_ = new QSpinBox(this);
  dragSteps_->setRange(1, 1000);
  dragSteps_->setToolTip(tr("At most this many optimisation steps; stops earlier when the handles arrive"));
  options->addRow(tr("Drag steps"), dragSteps_);
  strength_ = new QDoubleSpinBox(this);
  strength_->setRange(0.02, 1.0);
  strength_->setSingleStep(0.05);
  strength_->setDecimals(2);
  strength_->setToolTip(tr("How far the image is inverted into noise (more: bigger changes, less fidelity)"));
  options->addRow(tr("Inversion strength"), strength_);
  latentLr_ = new QDoubleSpinBox(this);
  latentLr_->setRange(0.001, 1.0);
  latentLr_->setSingleStep(0.005);
  latentLr_->setDecimals(3);
  latentLr_->setToolTip(tr("Step size of the latent optimisation"));
  options->addRow(tr("Latent learning rate"), latentLr_);
  featureLayer_ = new QSpinBox(this);
  featureLayer_->setRange(0, 3);
  featureLayer_->setToolTip(tr("UNet decoder features used for tracking (0 = mid block, 1\u20134 = up blocks)"));
  options->addRow(tr("Feature layer"), featureLayer_);
  seed_ = new QSpinBox(this);
  seed_->setRange(0, INT_MAX);
  seed_->setToolTip(tr("Randomness of the LoRA training"));
  options->addRow(tr("Seed"), seed_);
  layout->addLayout(options);

  run_ = new QPushButton(themedIcon(IconId::Run), tr("Drag"), this);
  run_->setObjectName(QStringLiteral("dragRun"));
  run_->setMinimumHeight(30);
  run_->setToolTip(tr("Move the handles to their targets"));
  hint_ = dimLabel(QString(), this);
  progress_ = new JobProgressWidget(this);
  progress_->setStopVisible(true);
  layout->addWidget(run_);
  layout->addWidget(hint_);
  layout->addWidget(progress_);
  layout->addStretch(1);

  setParams(DragParams{});
  connect(model_, &ModelSettings::modelChanged, this, &DragPanel::refresh);
  connect(clear, &QPushButton::clicked, this, &DragPanel::clearPointsRequested);
  connect(paint, &QPushButton::clicked, this, &DragPanel::paintRegionRequested);
  connect(run_, &QPushButton::clicked, this, &DragPanel::runRequested);
  refresh();
}

DragParams DragPanel::params() const {
  DragParams p;
  p.loraSteps = loraSteps_->value();
  p.dragSteps = dragSteps_->value();
  p.inversionStrength = strength_->value();
  p.latentLr = latentLr_->value();
  p.featureLayer = featureLayer_->value();
  p.seed = static_cast<std::uint64_t>(seed_->value());
  return p;
}

void DragPanel::setParams(const DragParams& p) {
  loraSteps_->setValue(p.loraSteps);
  dragSteps_->setValue(p.dragSteps);
  strength_->setValue(p.inversionStrength);
  latentLr_->setValue(p.latentLr);
  featureLayer_->setValue(p.featureLayer);
  seed_->setValue(static_cast<int>(std::min<std::uint64_t>(p.seed, INT_MAX)));
}

QString DragPanel::modelPath() const { return model_->modelPath(); }
void DragPanel::setModelPath(const QString& path) { model_->setModelPath(path); }
QString DragPanel::prompt() const { return prompt_->text(); }
void DragPanel::setPrompt(const QString& prompt) { prompt_->setText(prompt); }

DragRequest DragPanel::makeRequest(const cv::Mat& image, const cv::Mat& mask, const std::vector<DragPoint>& points) const {
  DragRequest r;
  r.image = image;
  r.mask = mask;
  r.points = points;
  r.prompt = prompt().toStdString();
  r.modelPath = modelPath().toStdString();
  r.params = params();
  r.loraCacheDir = defaultDragLoraCacheDir();
  r.taesdPath = ModelSettings::taesdPath().toStdString();
  r.dtype = ModelSettings::computeDtype().toStdString();
  return r;
}

void DragPanel::setPairCount(int pairs, bool pendingHandle) {
  pairs_ = pairs;
  pending_ = pendingHandle;
  refresh();
}

void DragPanel::setDocumentState(bool hasImage, bool hasMask) {
  hasImage_ = hasImage;
  hasMask_ = hasMask;
  refresh();
}

void DragPanel::setBusy(bool busy) {
  busy_ = busy;
  refresh();
}

QString DragPanel::blockedReason() const {
  if (busy_) return tr("A job is running.");
  if (!hasImage_) return tr("Open an image first.");
  if (modelPath().isEmpty()) return tr("Choose a Stable Diffusion 1.x model.");
  // A model the check found unusable (missing files, wrong kind) blocks; one still being checked
  // does not (the job reports problems too).
  if (!model_->isChecking() && !model_->isValid() && !model_->validationMessage().isEmpty())
    return model_->validationMessage();
  if (pairs_ == 0) return tr("Place at least one handle and its target with the drag-points tool.");
  return QString();
}

void DragPanel::showMessage(const QString& text) { hint_->setText(text); }

void DragPanel::refresh() {
  points_->setText(pairs_ == 1 ? tr("1 handle \u2192 target pair") : tr("%1 handle \u2192 target pairs").arg(pairs_));
  if (pending_) points_->setText(points_->text() + tr(" (+1 handle without target)"));
  region_->setText(hasMask_ ? tr("Movable region: the painted mask.") : tr("Movable region: everything (no mask painted)."));
  picker_->setBusy(busy_);
  const QString reason = blockedReason();
  run_->setEnabled(reason.isEmpty());
  hint_->setText(busy_ ? QString() : reason);
}

void DragPanel::saveSettings(QSettings& s) const {
  // The model is remembered by its ModelSettings ("models/drag/path").
  s.beginGroup(QStringLiteral("drag"));
  const DragParams p = params();
  s.setValue(QStringLiteral("prompt"), prompt());
  s.setValue(QStringLiteral("loraSteps"), p.loraSteps);
  s.setValue(QStringLiteral("dragSteps"), p.dragSteps);
  s.setValue(QStringLiteral("inversionStrength"), p.inversionStrength);
  s.setValue(QStringLiteral("latentLr"), p.latentLr);
  s.setValue(QStringLiteral("featureLayer"), p.featureLayer);
  s.setValue(QStringLiteral("seed"), static_cast<qulonglong>(p.seed));
  s.endGroup();
}

void DragPanel::loadSettings(QSettings& s) {
  // Settings from before the shared picker kept the model under "model/path".
  if (modelPath().isEmpty() && !s.value(QStringLiteral("model/path")).toString().isEmpty())
    setModelPath(s.value(QStringLiteral("model/path")).toString());
  s.beginGroup(QStringLiteral("drag"));
  DragParams p;
  setPrompt(s.value(QStringLiteral("prompt")).toString());
  p.loraSteps = s.value(QStringLiteral("loraSteps"), p.loraSteps).toInt();
  p.dragSteps = s.value(QStringLiteral("dragSteps"), p.dragSteps).toInt();
  p.inversionStrength = s.value(QStringLiteral("inversionStrength"), p.inversionStrength).toDouble();
  p.latentLr = s.value(QStringLiteral("latentLr"), p.latentLr).toDouble();
  p.featureLayer = s.value(QStringLiteral("featureLayer"), p.featureLayer).toInt();
  p.seed = s.value(QStringLiteral("seed"), static_cast<qulonglong>(p.seed)).toULongLong();
  s.endGroup();
  setParams(p);
}

}  // namespace latentshop::ui
