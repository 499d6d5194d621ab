// The instruction box: type what to change ("make it snowy") and press Enter. Model picker
// (InstructPix2Pix or a fine-tune such as MagicBrush), text guidance, image guidance, steps, seed
// (randomise / new each run), scheduler, Run and the job's progress with Cancel. Like the inpaint
// panel it runs nothing itself: it emits runRequested() and the main window's diffusion wiring
// builds the job from request() and the document (app/gui/diffusion_tools.h).
#pragma once
#include <cstdint>

#include <QWidget>

#include "engine/pipelines/sd_instruct.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QSpinBox;

namespace latentshop::ui {

class JobProgressWidget;
class ModelPicker;
class ModelSettings;
class SeedEdit;

class InstructPanel : public QWidget {
  Q_OBJECT
public:
  explicit InstructPanel(ModelSettings* model, QWidget* parent = nullptr);

  // The request the controls describe (no image). With "new seed each run" on, each call made for
  // a run (forRun = true) draws a new seed first and shows it.
  latentshop::SdInstructRequest request(bool forRun = false);
  void setRequest(const latentshop::SdInstructRequest& request);

  ModelSettings* modelSettings() const { return model_; }
  ModelPicker* picker() const { return picker_; }
  JobProgressWidget* progress() const { return progress_; }
  QLineEdit* instructionEdit() const { return instruction_; }
  QPushButton* runButton() const { return run_; }
  SeedEdit* seedEdit() const { return seed_; }
  QSpinBox* stepsBox() const { return steps_; }
  QSpinBox* variationsBox() const { return variations_; }
  int variationCount() const;

  void setBusy(bool busy);
  void setDocumentState(bool hasImage);
  // With a painted mask only that region changes: the panel says which will happen.
  void setMaskPainted(bool painted);
  QString scopeText() const;
  // Why Run is disabled now ("" when it is enabled).
  QString blockedReason() const;

  void saveSettings(QSettings& settings) const;  // group "instruct/"
  void loadSettings(QSettings& settings);

Q_SIGNALS:
  void runRequested();

private:
  void refresh();
  void adoptModelDefaults();  // a newly chosen model's guidance (its latentshop.json, else 7.5 / 1.5)
  QString defaultsFor_;       // the model whose recommended guidance was last applied

  ModelSettings* model_;
  ModelPicker* picker_;
  QLineEdit* instruction_;
  QDoubleSpinBox* textGuidance_;
  QDoubleSpinBox* imageGuidance_;
  QSpinBox* steps_;
  SeedEdit* seed_;
  QComboBox* scheduler_;
  QPushButton* run_;
  QLabel* hint_;
  JobProgressWidget* progress_;
  bool busy_ = false;
  bool hasImage_ = false;
  QLabel* scope_ = nullptr;
  QSpinBox* variations_ = nullptr;
};

}  // namespace latentshop::ui
