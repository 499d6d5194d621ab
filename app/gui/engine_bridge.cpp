#include "app/gui/engine_bridge.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

#include <QJsonDocument>

#include "app/gui/image_convert.h"
#include "engine/runtime/job_queue.h"

namespace latentshop::ui {

struct EngineBridge::Channel {
  std::mutex mutex;
  std::optional<CanvasPreview> preview;
  std::optional<JobProgressInfo> progress;
  bool posted = false;  // a delivery event is on its way to the GUI thread
};

namespace {

JobProgressInfo toInfo(const JobProgress& p) {
  JobProgressInfo i;
  i.step = p.step;
  i.total = p.total;
  i.stage = QString::fromStdString(p.stage);
  i.elapsedSeconds = p.elapsedSeconds;
  i.etaSeconds = p.etaSeconds;
  return i;
}

QJsonObject toJson(const nlohmann::json& j) {
  if (!j.is_object()) return QJsonObject();
  return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

}  // namespace

EngineBridge::EngineBridge(QObject* parent)
    : QObject(parent), queue_(std::make_unique<JobQueue>()), coalesced_(std::make_shared<std::atomic<int>>(0)) {
  qRegisterMetaType<JobProgressInfo>();
  qRegisterMetaType<JobOutcome>();
  qRegisterMetaType<CanvasPreview>();
}

EngineBridge::~EngineBridge() { queue_->shutdown(); }

int EngineBridge::previewsCoalesced() const { return coalesced_->load(); }

CanvasPreview EngineBridge::toCanvasPreview(const PreviewImage& preview, const QString& label) {
  CanvasPreview c;
  if (!preview.rgb.empty()) c.image = toQImage(preview.rgb);
  c.placement = QRect(preview.placement.x, preview.placement.y, preview.placement.width, preview.placement.height);
  c.step = preview.step;
  c.total = preview.total;
  for (const auto& p : preview.points) c.points.push_back(QPointF(p.x, p.y));
  for (const auto& p : preview.targets) c.targets.push_back(QPointF(p.x, p.y));
  c.label = label;
  return c;
}

JobId EngineBridge::submit(JobSpec spec) {
  auto channel = std::make_shared<Channel>();
  const JobCallbacks user = spec.callbacks;
  const QString title = QString::fromStdString(spec.title.empty() ? spec.kind : spec.title);
  const QString kind = QString::fromStdString(spec.kind);
  auto coalesced = coalesced_;
  const WorkerProgressHook hook = progressHook_;

  // Everything below runs on the worker thread (except onState(Queued), which runs in submit()).
  // The bridge outlives every callback: its destructor joins the worker first.
  const auto post = [this, channel](JobId id) {
    // Called with channel->mutex held.
    if (channel->posted) return;
    channel->posted = true;
    QMetaObject::invokeMethod(this, [this, id, channel] { deliverLatest(id, channel); }, Qt::QueuedConnection);
  };
  JobCallbacks cb;
  cb.onState = [this, user](JobId id, JobState state) {
    if (user.onState) user.onState(id, state);
    // Done and Failed travel with the outcome (below), in the same GUI event: a result never
    // reaches the window while its job still counts as running, so a Run pressed at once starts.
    if (state == JobState::Done || state == JobState::Failed) return;
    QMetaObject::invokeMethod(this, [this, id, state] { onState(id, state); }, Qt::QueuedConnection);
  };
  cb.onProgress = [user, channel, post, hook](JobId id, const JobProgress& p) {
    if (user.onProgress) user.onProgress(id, p);
    if (hook) hook(id, p);
    std::lock_guard<std::mutex> lock(channel->mutex);
    channel->progress = toInfo(p);
    post(id);
  };
  cb.onPreview = [user, channel, post, title, coalesced](JobId id, const PreviewImage& p) {
    if (user.onPreview) user.onPreview(id, p);
    CanvasPreview converted = toCanvasPreview(p, title);  // pixel work stays on the worker
    std::lock_guard<std::mutex> lock(channel->mutex);
    if (channel->preview) ++*coalesced;  // the GUI had not taken the previous one yet
    channel->preview = std::move(converted);
    post(id);
  };
  cb.onDone = [this, user, title, kind](JobId id, const JobResult& r) {
    if (user.onDone) user.onDone(id, r);
    JobOutcome o;
    o.image = toQImage(r.image);
    o.placement = QRect(r.placement.x, r.placement.y, r.placement.width, r.placement.height);
    o.params = toJson(r.params);
    o.message = QString::fromStdString(r.message);
    o.title = title;
    o.kind = kind;
    QMetaObject::invokeMethod(this, [this, id, o] {
      Q_EMIT jobDone(id, o);
      onState(id, JobState::Done);
    }, Qt::QueuedConnection);
  };
  cb.onFailed = [this, user](JobId id, const std::string& error) {
    if (user.onFailed) user.onFailed(id, error);
    const QString message = QString::fromStdString(error);
    QMetaObject::invokeMethod(this, [this, id, message] {
      Q_EMIT jobFailed(id, message);
      onState(id, JobState::Failed);
    }, Qt::QueuedConnection);
  };
  spec.callbacks = std::move(cb);

  const bool wasBusy = isBusy();
  const JobId id = queue_->submit(std::move(spec));
  active_.insert(id);
  if (!wasBusy) Q_EMIT busyChanged(true);
  return id;
}

void EngineBridge::deliverLatest(JobId id, const std::shared_ptr<Channel>& channel) {
  std::optional<CanvasPreview> preview;
  std::optional<JobProgressInfo> progress;
  {
    std::lock_guard<std::mutex> lock(channel->mutex);
    preview.swap(channel->preview);
    progress.swap(channel->progress);
    channel->posted = false;
  }
  if (!active_.contains(id)) return;
  if (progress) Q_EMIT jobProgress(id, *progress);
  if (preview) {
    ++previewsDelivered_;
    Q_EMIT jobPreview(id, *preview);
  }
}

void EngineBridge::onState(JobId id, JobState state) {
  if (!active_.contains(id)) return;
  const bool finished = isFinished(state);
  if (finished) active_.remove(id);
  Q_EMIT jobStateChanged(id, int(state));
  if (finished && active_.isEmpty()) Q_EMIT busyChanged(false);
}

bool EngineBridge::cancel(JobId id) { return queue_->cancel(id); }
bool EngineBridge::requestStop(JobId id) { return queue_->requestStop(id); }
void EngineBridge::cancelAll() { queue_->cancelAll(); }

bool EngineBridge::waitIdle(int timeoutMs) { return queue_->waitIdle(std::chrono::milliseconds(timeoutMs)); }

}  // namespace latentshop::ui
