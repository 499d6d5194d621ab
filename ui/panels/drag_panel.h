// The drag panel (the drag-points tool's options page): model, prompt, the points placed so far
// with Clear, the movable region (painted with the mask brush), DragDiffusion's options (LoRA steps,
// drag steps, inversion strength, latent learning rate, feature layer, seed), Run, and the job's
// progress with Stop (keep the drag so far and finish) and Cancel (leave the image unchanged).
// It runs nothing itself: Run emits runRequested() and the main window's drag wiring
// (app/gui/drag_setup.h) builds the request with makeRequest() and submits the job.
//
// Model choice: the shared model picker (ui/panels/model_picker.h) over a ModelSettings for the drag
// tool, which needs a plain SD 1.x model (4-channel UNet).
#pragma once
#include <QString>
#include <QWidget>

#include "engine/pipelines/drag_request.h"

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

class DragPanel : public QWidget {
  Q_OBJECT
public:
  explicit DragPanel(QWidget* parent = nullptr);

  // ---- Options ------------------------------------------------------------------------------
  DragParams params() const;
  void setParams(const DragParams& params);
  QString modelPath() const;
  void setModelPath(const QString& path);
  QString prompt() const;
  void setPrompt(const QString& prompt);

  // The request the options describe for `image`/`mask` (document pixels) and `points`; the LoRA
  // cache folder is the shared default; dtype and previews (TAESD or linear) are the pickers' shared
  // settings.
  DragRequest makeRequest(const cv::Mat& image, const cv::Mat& mask, const std::vector<DragPoint>& points) const;

  // ---- State --------------------------------------------------------------------------------
  void setPairCount(int pairs, bool pendingHandle = false);
  void setDocumentState(bool hasImage, bool hasMask);
  void setBusy(bool busy);
  bool isBusy() const { return busy_; }
  // Why Run is disabled ("" when it can run).
  QString blockedReason() const;
  void showMessage(const QString& text);  // under the Run button (errors, hints)

  JobProgressWidget* progress() const { return progress_; }
  ModelPicker* picker() const { return picker_; }
  ModelSettings* modelSettings() const { return model_; }
  QPushButton* runButton() const { return run_; }

  void saveSettings(QSettings& settings) const;  // group "drag"
  void loadSettings(QSettings& settings);

Q_SIGNALS:
  void runRequested();
  void clearPointsRequested();
  void paintRegionRequested();

private:
  void refresh();

  ModelSettings* model_;
  ModelPicker* picker_;
  QLineEdit* prompt_;
  QLabel* points_;
  QLabel* region_;
  QSpinBox* loraSteps_;
  QSpinBox* dragSteps_;
  QDoubleSpinBox* strength_;
  QDoubleSpinBox* latentLr_;
  QSpinBox* featureLayer_;
  QSpinBox* seed_;
  QPushButton* run_;
  QLabel* hint_;
  JobProgressWidget* progress_;
  int pairs_ = 0;
  bool pending_ = false;
  bool hasImage_ = false;
  bool hasMask_ = false;
  bool busy_ = false;
};

}  // namespace latentshop::ui
