// The GUI's side of the engine: owns the engine's JobQueue (one worker thread), submits JobSpecs,
// and re-emits each job's callbacks as Qt signals on the GUI thread (queued), converting cv::Mat
// to QImage on the worker so the GUI thread never does per-pixel work for a job.
//
// Previews and progress are coalesced: the worker stores the newest one and posts at most one
// delivery event per job at a time, so a slow GUI skips intermediate previews instead of queueing
// them, and the worker never waits on the GUI. Signals for a job arrive in this order: state
// Queued, state Running, progress/previews, then exactly one of done / failed / (nothing for
// cancel), then the final state. Nothing for a job arrives after its final state.
#pragma once
#include <QHash>
#include <QImage>
#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QRect>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>

#include "engine/runtime/job.h"
#include "ui/canvas/canvas_preview.h"

namespace latentshop {
class JobQueue;
}

namespace latentshop::ui {

struct JobProgressInfo {
  int step = 0;
  int total = 0;
  QString stage;
  double elapsedSeconds = 0;
  double etaSeconds = -1;
};

struct JobOutcome {
  QImage image;        // Format_ARGB32 (RGBA results), RGB888 or Grayscale8
  QRect placement;     // document pixels; empty = the whole document
  QJsonObject params;  // the engine's JobResult.params
  QString message;     // for the status bar
  QString title;       // the job's title ("Inpaint (Telea)")
  QString kind;        // the job's kind ("inpaint.classical")
};

class EngineBridge : public QObject {
  Q_OBJECT
public:
  explicit EngineBridge(QObject* parent = nullptr);
  ~EngineBridge() override;  // cancels every job and joins the worker

  // Submits a job. Callbacks already in `spec` still run (first, on the worker thread).
  JobId submit(JobSpec spec);
  bool cancel(JobId id);
  bool requestStop(JobId id);
  void cancelAll();
  bool isActive(JobId id) const { return active_.contains(id); }
  bool isBusy() const { return !active_.isEmpty(); }
  // Blocks until the engine is idle (tests, shutdown). True when idle in time.
  bool waitIdle(int timeoutMs);
  latentshop::JobQueue& queue() { return *queue_; }

  // Deliveries so far, and previews the coalescing skipped (stats for tests and the log).
  int previewsDelivered() const { return previewsDelivered_; }
  int previewsCoalesced() const;

  // Test seam: runs on the worker thread at every progress report of the jobs submitted after the
  // call (after the job's own onProgress, before the report is posted). A test may block in it to
  // hold a job at a known step, e.g. to cancel or stop a job that is certainly still running.
  using WorkerProgressHook = std::function<void(JobId, const JobProgress&)>;
  void setWorkerProgressHook(WorkerProgressHook hook) { progressHook_ = std::move(hook); }

  // cv::Mat preview -> CanvasPreview (RGB image + placement + points), as used on the worker.
  static CanvasPreview toCanvasPreview(const PreviewImage& preview, const QString& label);

Q_SIGNALS:
  void jobStateChanged(quint64 id, int state);  // a latentshop::JobState value
  void jobProgress(quint64 id, const latentshop::ui::JobProgressInfo& progress);
  void jobPreview(quint64 id, const latentshop::ui::CanvasPreview& preview);
  void jobDone(quint64 id, const latentshop::ui::JobOutcome& outcome);
  void jobFailed(quint64 id, const QString& error);
  void busyChanged(bool busy);

private:
  struct Channel;  // per-job mailbox shared with the worker callbacks
  void deliverLatest(JobId id, const std::shared_ptr<Channel>& channel);
  void onState(JobId id, JobState state);

  std::unique_ptr<latentshop::JobQueue> queue_;
  QSet<JobId> active_;
  int previewsDelivered_ = 0;
  std::shared_ptr<std::atomic<int>> coalesced_;
  WorkerProgressHook progressHook_;
};

}  // namespace latentshop::ui

Q_DECLARE_METATYPE(latentshop::ui::JobProgressInfo)
Q_DECLARE_METATYPE(latentshop::ui::JobOutcome)
