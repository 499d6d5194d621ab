#include "ui/panels/diffusion_inpaint_method_controls.h"

#include <random>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QValidator>
#include <QToolButton>

#include "engine/core/seed.h"
#include "engine/pipelines/sd_model_check.h"

namespace latentshop::ui {

namespace {

// Seeds 0 .. 2^64 - 1, exactly as the CLI parses them (engine/core/seed.h): what cannot be a seed
// cannot be typed, so nothing is clamped or wrapped behind the user's back.
class SeedValidator : public QValidator {
public:
  using QValidator::QValidator;
  State validate(QString& input, int&) const override {
    if (input.isEmpty()) return Intermediate;
    try {
      latentshop::parseSeed(input.toStdString());
      return Acceptable;
    } catch (const std::exception&) {
      return Invalid;
    }
  }
};

}  // namespace

SeedEdit::SeedEdit(QWidget* parent) : QWidget(parent) {
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);
  row->setSpacing(4);
  field_ = new QLineEdit(this);
  field_->setValidator(new SeedValidator(field_));
  field_->setToolTip(tr("Same seed and settings give the same result"));
  field_->setText(QStringLiteral("0"));
  dice_ = new QToolButton(this);
  dice_->setText(QStringLiteral("\u2684"));  // die face
  dice_->setToolTip(tr("New random seed"));
  eachRun_ = new QCheckBox(tr("New each run"), this);
  eachRun_->setToolTip(tr("Draw a new seed for every run (the seed used is shown and stored with the result)"));
  row->addWidget(field_, 1);
  row->addWidget(dice_);
  row->addWidget(eachRun_);
  connect(dice_, &QToolButton::clicked, this, &SeedEdit::randomise);
}

uint64_t SeedEdit::seed() const {
  try {
    return latentshop::parseSeed(field_->text().toStdString());
  } catch (const std::exception&) {
    return 0;  // an empty field (the validator admits nothing else that fails)
  }
}
void SeedEdit::setSeed(uint64_t seed) { field_->setText(QString::number(seed)); }
bool SeedEdit::newSeedEachRun() const { return eachRun_->isChecked(); }
void SeedEdit::setNewSeedEachRun(bool on) { eachRun_->setChecked(on); }

void SeedEdit::randomise() {
  static std::mt19937_64 engine{std::random_device{}()};
  setSeed(engine() & 0xffffffffULL);
}

uint64_t SeedEdit::seedForRun() {
  if (newSeedEachRun()) randomise();
  return seed();
}

QComboBox* makeSchedulerCombo(QWidget* parent) {
  auto* combo = new QComboBox(parent);
  for (const auto& [id, label] : latentshop::sdSchedulerChoices())
    combo->addItem(QString::fromStdString(label), QString::fromStdString(id));
  combo->setToolTip(QObject::tr("How the noise is removed step by step; \"Model default\" uses the model's own "
                                "scheduler (PNDM for SD 1.5; DPM++ 2M when the engine lacks it)"));
  return combo;
}

std::string schedulerOf(const QComboBox* combo) { return combo->currentData().toString().toStdString(); }

void setScheduler(QComboBox* combo, const std::string& id) {
  const int i = combo->findData(QString::fromStdString(id));
  combo->setCurrentIndex(i < 0 ? 0 : i);
}

}  // namespace latentshop::ui
