// Settings → Models (also "Get models…" in every model picker and in the Inpaint panel's welcome):
// the checkpoints of models/manifest.json with their size, licence and the tools that use them;
// Download with progress, speed and time left, Pause/Resume (HTTP Range), Cancel, Delete and Open
// Folder; the Hub access token and endpoint (mirror). Installed models appear in every picker at
// once. The dialog lives as long as the window, so a download goes on while it is closed.
// Reference: Krita AI Diffusion ai_diffusion/ui/server.py (the model installer's list and states).
#pragma once
#include <QDialog>
#include <QString>

#include <optional>
#include <string>

#include "engine/io/model_install.h"
#include "engine/io/model_manifest.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace latentshop::ui {

class ModelDownloader;
struct DownloadProgress;

class ModelManagerDialog : public QDialog {
  Q_OBJECT
public:
  explicit ModelManagerDialog(QWidget* parent = nullptr);
  ~ModelManagerDialog() override;

  // models/manifest.json: $LATENTSHOP_MODEL_MANIFEST, <app>/../share/latentshop/models, or the
  // source tree's models/. Empty when none is found.
  static QString manifestPath();
  // The Hub endpoint and token the user set here (QSettings models/endpoint, models/token).
  static QString endpointSetting();
  static QString tokenSetting();

  // Asks before deleting (off in tests, as MainWindow::setInteractive).
  void setConfirmations(bool on) { confirm_ = on; }
  // The model shown selected; false when the id is unknown.
  bool select(const QString& id);
  QString selectedId() const;
  // One row's state text ("Installed", "Not installed", "Paused at 40 %", "Downloading 12 %").
  QString stateText(const QString& id) const;
  QString statusText() const;
  QPushButton* downloadButton() const { return download_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* deleteButton() const { return delete_; }
  ModelDownloader* downloader() const { return downloader_; }
  QTreeWidget* list() const { return list_; }

Q_SIGNALS:
  // A model was installed (its folder) or removed.
  void modelsChanged();

private:
  void refreshRows();
  void updateButtons();
  void startOrPause();
  void cancelDownload();
  void deleteModel();
  void openFolder();
  void showProgress(const DownloadProgress& p);
  void saveConnection();
  const latentshop::ManifestModel* selected() const;
  std::optional<latentshop::InstalledModel> installState(const std::string& id) const;
  QString modelsDir() const;

  latentshop::ModelManifest manifest_;
  QString manifestError_;
  QTreeWidget* list_;
  QLabel* folderLabel_;
  QLabel* details_;
  QProgressBar* progress_;
  QLabel* status_;
  QPushButton* download_;
  QPushButton* cancel_;
  QPushButton* delete_;
  QPushButton* open_;
  QLineEdit* token_;
  QLineEdit* endpoint_;
  ModelDownloader* downloader_ = nullptr;
  bool confirm_ = true;
};

}  // namespace latentshop::ui
