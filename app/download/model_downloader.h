// Downloads a manifest model from a Hugging Face Hub endpoint into the user's models folder with Qt
// Network: lists the repository (the Hub's tree API), picks the files the manifest names, and
// fetches each into its .part file with HTTP Range so a pause, a dropped connection or a restart
// resumes where it stopped; each file is verified (size, sha256) off the GUI thread and renamed,
// and the model's folder appears only when every file is there (engine/io/model_install.h).
// Shared by the GUI's model manager and `latentshop-cli models install`.
// Reference: huggingface_hub src/huggingface_hub/file_download.py (resume with Range, .incomplete
// files, HF_ENDPOINT), Krita AI Diffusion ai_diffusion/network.py (Qt download with progress).
#pragma once
#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QString>
#include <atomic>
#include <deque>
#include <memory>

#include "engine/io/model_install.h"

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace latentshop::ui {

struct DownloadSettings {
  QString endpoint;      // empty: $HF_ENDPOINT or https://huggingface.co
  QString token;         // Hugging Face access token for gated repositories; empty: none
  QString modelsDir;     // where models are installed
  int retries = 5;       // reconnects per file after a dropped connection or a stall
  int stallTimeoutMs = 30000;  // no byte for this long: reconnect
  int retryDelayMs = 1000;
};

// What a download is doing now, for a progress bar and a status line.
struct DownloadProgress {
  qint64 done = 0;      // bytes verified or in .part files
  qint64 total = 0;     // bytes the model's files need
  double bytesPerSecond = 0;  // over the last few seconds
  QString file;         // the file being fetched or verified
  QString stage;        // "Listing files", "Downloading", "Verifying", "Reconnecting (2/5)"
};

class ModelDownloader : public QObject {
  Q_OBJECT
public:
  explicit ModelDownloader(DownloadSettings settings, QObject* parent = nullptr);
  ~ModelDownloader() override;

  // Starts or resumes installing `model`. Ignored while a download runs.
  void start(const latentshop::ManifestModel& model);
  // Stops the transfer and keeps the .part files: start() again resumes.
  void pause();
  // Stops and removes what was downloaded.
  void cancel();
  bool isRunning() const { return running_; }
  QString modelId() const { return QString::fromStdString(model_.id); }
  const DownloadProgress& progress() const { return progress_; }

  static QString formatBytes(qint64 bytes);

Q_SIGNALS:
  void progressChanged(const latentshop::ui::DownloadProgress& progress);
  void installed(const QString& folder);
  void failed(const QString& error);
  void paused();
  void cancelled();

private:
  void listFiles(const QString& url);  // one page of the tree listing
  void onListing(QNetworkReply* reply);
  void nextFile();
  void fetch(size_t index);
  bool acceptBody(QNetworkReply* reply);  // the reply's body is this file's bytes (checks status, range)
  void onData();
  void onFileFinished(QNetworkReply* reply, size_t index);
  void verify(size_t index);
  void retryOrFail(const QString& error);
  void stop();
  void fail(const QString& error);
  void report(const QString& stage, const QString& file);
  QNetworkRequest makeRequest(const QString& url) const;
  QString describeHttpError(QNetworkReply* reply, const QString& what) const;

  DownloadSettings settings_;
  QString endpoint_;
  QNetworkAccessManager* network_;
  QPointer<QNetworkReply> reply_;
  latentshop::ManifestModel model_;
  latentshop::InstallPlan plan_;
  std::vector<latentshop::HubFile> listing_;  // the pages listed so far
  int listingPages_ = 0;
  size_t current_ = 0;
  std::unique_ptr<QFile> part_;
  qint64 fileWritten_ = 0;  // bytes in the current .part
  bool bodyChecked_ = false;
  int attempts_ = 0;
  bool running_ = false;
  quint64 generation_ = 0;  // bumps on pause/cancel/start so stale replies and verifications are ignored
  std::shared_ptr<std::atomic<bool>> hashStop_;  // stops the running verification
  DownloadProgress progress_;
  QElapsedTimer clock_;
  std::deque<std::pair<qint64, qint64>> samples_;  // (ms, done) for the speed
};

}  // namespace latentshop::ui

Q_DECLARE_METATYPE(latentshop::ui::DownloadProgress)
