// The diffusion tools in the main window (issue 4): one ModelSettings per tool (inpaint, instruct),
// the Stable Diffusion method in the inpaint panel, the instruction box in its own dock, and the
// model pickers' "Load model" jobs with their progress. Installed by one call in the main window's
// constructor, after its docks exist and before its settings are restored:
//     installDiffusionTools(*this);
// Everything else goes through MainWindow's public extension points (inpaintPanel()->addMethod,
// addDockPanel, runDocumentJob, engine()).
#pragma once
#include <QHash>
#include <QObject>

#include "engine/runtime/job.h"

namespace latentshop::ui {

class DiffusionInpaintMethod;
class InstructPanel;
class MainWindow;
class ModelPicker;
class ModelSettings;

class DiffusionTools : public QObject {
  Q_OBJECT
public:
  explicit DiffusionTools(MainWindow* window);

  ModelSettings* inpaintModel() const { return inpaintModel_; }
  ModelSettings* instructModel() const { return instructModel_; }
  DiffusionInpaintMethod* inpaintMethod() const { return inpaintMethod_; }
  InstructPanel* instructPanel() const { return instruct_; }

  // Runs the instruction box on the document (as Enter / Edit). Returns the job id, or 0 with the
  // reason in the status bar.
  JobId runInstruct();
  // Loads the picker's model as an engine job; progress and the outcome go to the picker.
  JobId loadModel(ModelPicker* picker);

protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

private:
  void updateInstructState();

  MainWindow* window_;
  ModelSettings* inpaintModel_;
  ModelSettings* instructModel_;
  DiffusionInpaintMethod* inpaintMethod_;
  InstructPanel* instruct_;
  QHash<JobId, ModelPicker*> loads_;
};

// Creates the tools as a child of `window` (find them later with window.findChild<DiffusionTools*>()).
DiffusionTools* installDiffusionTools(MainWindow& window);

}  // namespace latentshop::ui
