// Which Stable Diffusion model a tool uses, remembered across sessions and validated in the
// background: one ModelSettings per tool (inpaint, instruct, drag), each with its own current
// model (QSettings "models/<tool>/path"), sharing the list of recent models ("models/recent") and
// the compute/preview settings (dtype, TAESD folder). The model picker widget (model_picker.h)
// shows and edits one; panels read modelRef() when they build a job and watch modelChanged().
//
// Validation runs engine's checkStableDiffusionModel on a background thread (configs and headers,
// no weights) and then the tool's kind rule (engine/pipelines/sd_model_check.h): the message names
// what is missing or wrong, or which kind of model the tool needs.
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>

#include "engine/io/model_defaults.h"
#include "engine/pipelines/sd_model_check.h"

namespace latentshop::ui {

class ModelSettings : public QObject {
  Q_OBJECT
public:
  explicit ModelSettings(latentshop::SdTool tool, QObject* parent = nullptr);
  ~ModelSettings() override;  // waits for a running check

  latentshop::SdTool tool() const { return tool_; }
  QString modelPath() const { return path_; }
  // "plain", "inpainting" or "instruct" once checked; empty while unknown or unreadable.
  QString kind() const { return kind_; }
  // Empty when the model is usable by this tool; else why not ("No model chosen…", the files or
  // keys that are missing, or the kind the tool needs). "Checking…" while the check runs.
  QString validationMessage() const { return message_; }
  bool isValid() const { return valid_; }
  bool isChecking() const { return checking_; }
  // The model with the shared compute settings, for building jobs.
  latentshop::SdModelRef modelRef() const;

  // Recently chosen models of every tool, most recent first (at most 10).
  static QStringList recentModels();
  // ~/.local/share/latentshop/models ($XDG_DATA_HOME/latentshop/models), as models/README.md says.
  static QString defaultModelsFolder();
  // The built-in demo models (models/demo: tiny models the project trains itself, issue 10):
  // $LATENTSHOP_DEMO_MODELS when set (set but empty: none), else <app>/../share/latentshop/models/demo
  // (installed), else the source tree's models/demo. Empty when none is found.
  static QString demoModelsFolder();
  // The demo model that suits `tool` (inpaint → inpaint/, instruct → instruct/, drag → plain/), or
  // empty. A tool whose model was never chosen uses it; choosing "no model" explicitly does not.
  static QString demoModel(latentshop::SdTool tool);
  bool isDemoModel() const;
  // Diffusers folders (with model_index.json) and .safetensors files directly inside `folder`.
  static QStringList modelsInFolder(const QString& folder);
  // What to tell a user who has no model yet: where models go and how to fetch one.
  // The example checkpoint it names suits `tool` (sd15-inpainting, instruct-pix2pix, sd15).
  static QString noModelHelp(latentshop::SdTool tool = latentshop::SdTool::Inpaint);
  // Shared settings: the TAESD folder for live previews ("" = linear previews) and the compute
  // dtype ("" = default, "fp32", "bf16").
  static QString taesdPath();
  static void setTaesdPath(const QString& path);
  static QString computeDtype();
  static void setComputeDtype(const QString& dtype);

  // The settings the current model recommends (its latentshop.json, engine/io/model_defaults.h),
  // once per model: when the path differs from `appliedFor` they are returned (empty ones for a
  // model without the file or with a bad one, which is logged) and `appliedFor` becomes the path;
  // otherwise nothing. Panels call it on modelChanged() so that choosing a model starts from its
  // own guidance, while values the user set for that model stay.
  std::optional<latentshop::ModelDefaults> defaultsToApply(QString& appliedFor) const;

  // Blocks (processing events) until no check runs or the timeout passes; true when done (tests).
  bool waitForCheck(int timeoutMs);

public Q_SLOTS:
  // Stores the choice, puts it first in the recent list and checks it in the background.
  void setModelPath(const QString& path);
  void recheck();

Q_SIGNALS:
  // Path, kind, validity or message changed (also when a check finishes).
  void modelChanged();

private:
  void startCheck();
  void applyCheck(quint64 generation, const latentshop::SdModelCheck& check);

  latentshop::SdTool tool_;
  QString path_;
  QString kind_;
  QString message_;
  bool valid_ = false;
  bool checking_ = false;
  quint64 generation_ = 0;
};

}  // namespace latentshop::ui
