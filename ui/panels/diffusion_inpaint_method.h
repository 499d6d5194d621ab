// Stable Diffusion inpainting in the inpaint panel: model picker, prompt, negative prompt, steps,
// guidance, strength, seed (with randomise, and "new seed each run"), scheduler, crop to mask with
// padding, feather. Builds engine/pipelines/sd_inpaint.h requests; unavailable (with the picker's
// reason) until a usable model is chosen.
#pragma once
#include <cstdint>

#include "engine/pipelines/sd_inpaint.h"
#include "ui/panels/inpaint_method.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace latentshop::ui {

class ModelPicker;
class SeedEdit;
class ModelSettings;

class DiffusionInpaintMethod : public InpaintMethod {
  Q_OBJECT
public:
  explicit DiffusionInpaintMethod(ModelSettings* model, QObject* parent = nullptr);

  QString id() const override { return QStringLiteral("sd.inpaint"); }
  QString displayName() const override;
  QString description() const override;
  QWidget* createOptionsWidget(QWidget* parent) override;
  QString unavailableReason() const override;
  JobSpec makeJob(const InpaintInput& input) override;
  int variationCount() const override;
  JobSpec makeVariationJob(const InpaintInput& input, int index) override;
  void setVariationCount(int count);
  void saveSettings(QSettings& settings) const override;
  void loadSettings(QSettings& settings) override;

  ModelSettings* modelSettings() const { return model_; }
  ModelPicker* picker() const { return picker_; }
  // The request the controls describe (image and mask empty). With "new seed each run" on, every
  // makeJob() first draws a new seed and shows it.
  latentshop::SdInpaintRequest options() const;
  void setOptions(const latentshop::SdInpaintRequest& options);
  uint64_t seed() const;
  void setSeed(uint64_t seed);
  void setRandomSeedEachRun(bool on);

private:
  void adoptModelDefaults();  // a newly chosen model's guidance (its latentshop.json, else 7.5)

  ModelSettings* model_;
  QString defaultsFor_;  // the model whose recommended guidance was last applied
  latentshop::SdInpaintRequest opts_;
  bool randomEachRun_ = true;
  ModelPicker* picker_ = nullptr;
  QPlainTextEdit* prompt_ = nullptr;
  QLineEdit* negative_ = nullptr;
  QSpinBox* steps_ = nullptr;
  QDoubleSpinBox* guidance_ = nullptr;
  QDoubleSpinBox* strength_ = nullptr;
  SeedEdit* seed_ = nullptr;
  QComboBox* scheduler_ = nullptr;
  QCheckBox* crop_ = nullptr;
  QSpinBox* padding_ = nullptr;
  QSpinBox* feather_ = nullptr;
  QCheckBox* prefill_ = nullptr;
  QSpinBox* variations_ = nullptr;
  int variationCount_ = 1;
  latentshop::SdInpaintRequest lastRun_;  // the options makeJob() last ran with (variations)
};

}  // namespace latentshop::ui
