// ModelDownloader: the Qt Network transfer of a manifest model (listing, Range resumes, retries,
// verification on a worker thread, completion).
#include "app/download/model_downloader.h"

#include <QDir>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>
#include <atomic>

#include "engine/core/error.h"
#include "engine/io/hub_listing.h"

namespace latentshop::ui {

namespace {

QString fromStd(const std::string& s) { return QString::fromStdString(s); }

// "bytes 100-999/1000" → 100; -1 when absent or malformed.
qint64 contentRangeStart(const QByteArray& header) {
  static const QRegularExpression re(QStringLiteral("^bytes\\s+(\\d+)-"));
  const auto m = re.match(QString::fromLatin1(header));
  return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

}  // namespace

ModelDownloader::ModelDownloader(DownloadSettings settings, QObject* parent)
    : QObject(parent), settings_(std::move(settings)), network_(new QNetworkAccessManager(this)) {
  qRegisterMetaType<DownloadProgress>();
  endpoint_ = settings_.endpoint.trimmed();
  while (endpoint_.endsWith(QLatin1Char('/'))) endpoint_.chop(1);
  if (endpoint_.isEmpty()) endpoint_ = fromStd(latentshop::defaultHubEndpoint());
  network_->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);  // the Hub redirects to its CDN
}

ModelDownloader::~ModelDownloader() {
  ++generation_;
  if (hashStop_) *hashStop_ = true;
  if (reply_) reply_->abort();
  for (QThread* t : findChildren<QThread*>()) t->wait();  // verifications read files we own
}

QString ModelDownloader::formatBytes(qint64 bytes) {
  const double b = double(bytes);
  if (b >= 1e9) return tr("%1 GB").arg(b / 1e9, 0, 'f', 2);
  if (b >= 1e6) return tr("%1 MB").arg(b / 1e6, 0, 'f', 1);
  if (b >= 1e3) return tr("%1 kB").arg(b / 1e3, 0, 'f', 0);
  return tr("%1 bytes").arg(bytes);
}

QNetworkRequest ModelDownloader::makeRequest(const QString& url) const {
  QNetworkRequest r{QUrl(url)};
  r.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("latentshop/0.1"));
  if (!settings_.token.isEmpty()) r.setRawHeader("Authorization", "Bearer " + settings_.token.trimmed().toUtf8());
  r.setTransferTimeout(settings_.stallTimeoutMs);  // no byte for this long: the reply ends with a timeout
  return r;
}

void ModelDownloader::report(const QString& stage, const QString& file) {
  progress_.stage = stage;
  progress_.file = file;
  const qint64 now = clock_.isValid() ? clock_.elapsed() : 0;
  samples_.emplace_back(now, progress_.done);
  while (samples_.size() > 2 && now - samples_.front().first > 3000) samples_.pop_front();
  const qint64 dt = samples_.back().first - samples_.front().first;
  progress_.bytesPerSecond = dt > 250 ? double(samples_.back().second - samples_.front().second) * 1000.0 / double(dt) : 0.0;
  Q_EMIT progressChanged(progress_);
}

void ModelDownloader::start(const latentshop::ManifestModel& model) {
  if (running_) return;
  ++generation_;
  model_ = model;
  running_ = true;
  attempts_ = 0;
  progress_ = DownloadProgress{};
  samples_.clear();
  clock_.start();
  listing_.clear();
  listingPages_ = 0;
  listFiles(fromStd(latentshop::hubTreeUrl(endpoint_.toStdString(), model_.repo, model_.revision)));
}

void ModelDownloader::listFiles(const QString& url) {
  report(listingPages_ ? tr("Listing files (page %1)").arg(listingPages_ + 1) : tr("Listing files"), QString());
  QNetworkReply* reply = network_->get(makeRequest(url));
  reply_ = reply;
  connect(reply, &QNetworkReply::finished, this, [this, reply, g = generation_] {
    reply->deleteLater();
    if (g == generation_) onListing(reply);
  });
}

QString ModelDownloader::describeHttpError(QNetworkReply* reply, const QString& what) const {
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status == 401 || status == 403)
    return tr("%1: HTTP %2: the repository is gated or the access token is wrong; accept its licence on the Hub "
              "and set a token (Settings \u2192 Models)").arg(what).arg(status);
  if (status == 404) return tr("%1: HTTP 404: not found on %2").arg(what, endpoint_);
  if (status >= 400) return tr("%1: HTTP %2 %3").arg(what).arg(status).arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
  return tr("%1: %2").arg(what, reply->errorString());
}

void ModelDownloader::onListing(QNetworkReply* reply) {
  if (reply->error() != QNetworkReply::NoError) {
    fail(describeHttpError(reply, tr("Listing %1").arg(fromStd(model_.repo))));
    return;
  }
  // A long listing comes in pages (the Hub's Link: <...>; rel="next"); every page is read before
  // files are chosen. The next page must be on the same host (the token goes with the request).
  constexpr int kMaxListingPages = 1000;
  std::string nextPage;
  try {
    const auto page = latentshop::parseHubTree(reply->readAll().toStdString(), model_.repo + " (file listing)");
    listing_.insert(listing_.end(), page.begin(), page.end());
    ++listingPages_;
    nextPage = latentshop::hubNextPageUrl(reply->rawHeader("Link").toStdString());
    if (!nextPage.empty() && !latentshop::sameOrigin(nextPage, endpoint_.toStdString()))
      throw latentshop::Error("the file listing of " + model_.repo + " continues on another host (" + nextPage +
                              "); refused, the access token would go there");
    if (!nextPage.empty() && listingPages_ >= kMaxListingPages)
      throw latentshop::Error("the file listing of " + model_.repo + " has more than " +
                              std::to_string(kMaxListingPages) + " pages; refused");
  } catch (const std::exception& e) {
    fail(QString::fromStdString(e.what()));
    return;
  }
  if (!nextPage.empty()) {
    listFiles(fromStd(nextPage));
    return;
  }
  try {
    const auto files = latentshop::selectModelFiles(model_, listing_);
    QDir().mkpath(settings_.modelsDir);
    plan_ = latentshop::planInstall(model_, files, settings_.modelsDir.toStdString());
  } catch (const std::exception& e) {
    fail(QString::fromStdString(e.what()));
    return;
  }
  progress_.total = qint64(plan_.totalBytes);
  progress_.done = qint64(plan_.doneBytes);
  current_ = 0;
  nextFile();
}

void ModelDownloader::nextFile() {
  while (current_ < plan_.files.size() && plan_.files[current_].done) ++current_;
  if (current_ >= plan_.files.size()) {
    try {
      latentshop::completeInstall(plan_, model_);
    } catch (const std::exception& e) {
      fail(QString::fromStdString(e.what()));
      return;
    }
    running_ = false;
    report(tr("Installed"), QString());
    Q_EMIT installed(fromStd(plan_.folder));
    return;
  }
  attempts_ = 0;
  fetch(current_);
}

void ModelDownloader::fetch(size_t index) {
  latentshop::InstallFile& f = plan_.files[index];
  const QString partPath = fromStd(f.part);
  fileWritten_ = QFileInfo(partPath).exists() ? QFileInfo(partPath).size() : 0;
  if (fileWritten_ > qint64(f.remote.size)) {
    QFile::remove(partPath);
    fileWritten_ = 0;
  }
  if (fileWritten_ == qint64(f.remote.size) && f.remote.size > 0) {  // complete from an earlier run
    verify(index);
    return;
  }
  part_ = std::make_unique<QFile>(partPath);  // opened with the first byte: a 404 leaves no .part
  QNetworkRequest request =
      makeRequest(fromStd(latentshop::hubFileUrl(endpoint_.toStdString(), model_.repo, model_.revision, f.remote.path)));
  if (fileWritten_ > 0) request.setRawHeader("Range", "bytes=" + QByteArray::number(fileWritten_) + "-");
  report(attempts_ ? tr("Reconnecting (%1/%2)").arg(attempts_).arg(settings_.retries) : tr("Downloading"), fromStd(f.remote.path));
  QNetworkReply* reply = network_->get(request);
  reply_ = reply;
  reply->setReadBufferSize(4 << 20);
  bodyChecked_ = false;
  connect(reply, &QNetworkReply::readyRead, this, [this, reply, g = generation_] {
    if (g == generation_ && acceptBody(reply)) onData();
  });
  connect(reply, &QNetworkReply::finished, this, [this, reply, index, g = generation_] {
    reply->deleteLater();
    if (g != generation_) return;
    onFileFinished(reply, index);
  });
}

bool ModelDownloader::acceptBody(QNetworkReply* reply) {
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status != 200 && status != 206) return false;  // an error page is not the file
  if (bodyChecked_) return true;
  bodyChecked_ = true;
  if (!part_->isOpen() && !part_->open(QIODevice::WriteOnly | QIODevice::Append)) {
    fail(tr("%1: cannot write: %2").arg(part_->fileName(), part_->errorString()));
    return false;
  }
  if (status == 200 && fileWritten_ > 0) {
    // The server ignored the Range: start the file again.
    part_->resize(0);
    progress_.done -= fileWritten_;
    fileWritten_ = 0;
  } else if (status == 206 && contentRangeStart(reply->rawHeader("Content-Range")) != fileWritten_) {
    reply->abort();  // a range we did not ask for: retried from the .part's real size
    return false;
  }
  return true;
}

void ModelDownloader::onData() {
  if (!reply_ || !part_) return;
  const QByteArray data = reply_->readAll();
  if (data.isEmpty()) return;
  if (fileWritten_ + data.size() > qint64(plan_.files[current_].remote.size)) {
    // More bytes than the file has: the server sent something else. Start the file again.
    part_->resize(0);
    progress_.done -= fileWritten_;
    fileWritten_ = 0;
    reply_->abort();
    return;
  }
  if (part_->write(data) != data.size()) {
    const QString error = tr("%1: write failed: %2").arg(part_->fileName(), part_->errorString());
    fail(error);
    return;
  }
  fileWritten_ += data.size();
  progress_.done += data.size();
  report(tr("Downloading"), fromStd(plan_.files[current_].remote.path));
}

void ModelDownloader::onFileFinished(QNetworkReply* reply, size_t index) {
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (reply->bytesAvailable() > 0 && acceptBody(reply)) {
    onData();
    if (!running_) return;  // a write failed
  }
  if (part_) part_->close();
  const latentshop::InstallFile& f = plan_.files[index];
  const QString path = fromStd(f.remote.path);
  if (status >= 400) {
    if (status == 416 && fileWritten_ >= qint64(f.remote.size)) {  // already complete
      verify(index);
      return;
    }
    if (status >= 500) {
      retryOrFail(describeHttpError(reply, path));
      return;
    }
    fail(describeHttpError(reply, path));
    return;
  }
  if (fileWritten_ < qint64(f.remote.size)) {
    // A dropped connection, a stall (transfer timeout) or a short body: resume with Range.
    retryOrFail(tr("%1: the connection ended after %2 of %3 (%4)")
                    .arg(path, formatBytes(fileWritten_), formatBytes(qint64(f.remote.size)),
                         reply->error() == QNetworkReply::NoError ? tr("short response") : reply->errorString()));
    return;
  }
  verify(index);
}

void ModelDownloader::retryOrFail(const QString& error) {
  if (attempts_ >= settings_.retries) {
    fail(tr("%1; gave up after %2 reconnects. Download again to resume from here.").arg(error).arg(attempts_));
    return;
  }
  ++attempts_;
  report(tr("Reconnecting (%1/%2)").arg(attempts_).arg(settings_.retries), fromStd(plan_.files[current_].remote.path));
  QTimer::singleShot(settings_.retryDelayMs * attempts_, this, [this, g = generation_] {
    if (g == generation_ && running_) fetch(current_);
  });
}

void ModelDownloader::verify(size_t index) {
  report(tr("Verifying"), fromStd(plan_.files[index].remote.path));
  const latentshop::InstallFile file = plan_.files[index];
  auto stop = std::make_shared<std::atomic<bool>>(false);
  hashStop_ = stop;
  const quint64 g = generation_;
  QThread* thread = QThread::create([this, file, stop, g, index] {
    QString error;
    try {
      latentshop::finishDownloadedFile(file, [stop](uint64_t) { return !stop->load(); });
    } catch (const latentshop::JobCancelled&) {
      return;
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(this, [this, error, g, index] {
      if (g != generation_) return;
      if (!error.isEmpty()) {
        fail(error);
        return;
      }
      plan_.files[index].done = true;
      ++current_;
      nextFile();
    }, Qt::QueuedConnection);
  });
  thread->setParent(this);
  connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  thread->start(QThread::LowPriority);
}

void ModelDownloader::stop() {
  ++generation_;
  running_ = false;
  if (hashStop_) *hashStop_ = true;
  if (reply_) {
    QNetworkReply* r = reply_;
    reply_ = nullptr;
    r->abort();
  }
  if (part_) part_->close();
  part_.reset();
}

void ModelDownloader::pause() {
  if (!running_) return;
  stop();
  report(tr("Paused"), QString());
  Q_EMIT paused();
}

void ModelDownloader::cancel() {
  const bool was = running_;
  stop();
  for (QThread* t : findChildren<QThread*>()) t->wait();  // a verification may hold a .part open
  try {
    latentshop::discardPartialInstall(settings_.modelsDir.toStdString(), model_.id);
  } catch (const std::exception& e) {
    qWarning("%s", e.what());
  }
  progress_.done = 0;
  report(tr("Cancelled"), QString());
  if (was || !model_.id.empty()) Q_EMIT cancelled();
}

void ModelDownloader::fail(const QString& error) {
  stop();
  report(tr("Failed"), QString());
  Q_EMIT failed(error);
}

}  // namespace latentshop::ui
