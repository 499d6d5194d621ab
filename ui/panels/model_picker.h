// The model picker: a compact row to choose the Stable Diffusion model of one tool (a list of the
// current, recent and default-folder models, "Folder…" for a diffusers folder, "File…" for a
// single .safetensors checkpoint), the validation result under it (the model's kind, or what is
// missing/wrong, or where to put models when none is chosen), and "Load" with a progress bar so
// the model can be loaded before the first edit. Its "Settings" menu holds what every tool shares:
// the compute precision (default / fp32 / bf16) and the live preview (linear latent->RGB, or a TAESD
// decoder folder). It edits a ModelSettings (model_settings.h); the
// main window runs the load job when loadRequested() is emitted and reports into progress().
#pragma once
#include <QWidget>

class QComboBox;
class QLabel;
class QMenu;
class QPushButton;
class QToolButton;

namespace latentshop::ui {

class JobProgressWidget;
class ModelSettings;

class ModelPicker : public QWidget {
  Q_OBJECT
public:
  explicit ModelPicker(ModelSettings* settings, QWidget* parent = nullptr);

  ModelSettings* settings() const { return settings_; }
  JobProgressWidget* progress() const { return progress_; }
  QComboBox* modelList() const { return list_; }
  QPushButton* loadButton() const { return load_; }
  QToolButton* getModelsButton() const { return getModels_; }
  // The shared compute/preview settings menu (rebuilt from ModelSettings each time it opens).
  QMenu* settingsMenu() const { return settingsMenu_; }
  // The text under the list (validation, kind or help), as plain text (tests, tooltips).
  QString statusText() const;
  // While a job runs, the choice is locked.
  void setBusy(bool busy);

Q_SIGNALS:
  // The user asked to load the current model now.
  void loadRequested();
  // The user asked for the model manager ("Get models…").
  void getModelsRequested();

private:
  void refresh();
  void chooseFolder();
  void chooseFile();
  void fillSettingsMenu();

  ModelSettings* settings_;
  QComboBox* list_;
  QToolButton* folder_;
  QToolButton* file_;
  QToolButton* settingsButton_;
  QMenu* settingsMenu_;
  QPushButton* load_;
  QToolButton* getModels_;
  QLabel* status_;
  JobProgressWidget* progress_;
  bool busy_ = false;
};

}  // namespace latentshop::ui
