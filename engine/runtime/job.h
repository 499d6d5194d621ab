// One unit of engine work and what it reports. Torch-free: the UI includes this header.
// A job is a function run on the engine's worker thread with a JobContext through which it reports
// progress and previews, checks for cancel/stop, and reaches the model cache. Modelled on Krita AI
// Diffusion's job states and stable-diffusion.cpp's progress/preview callbacks.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace latentshop {

class ModelCache;

using JobId = std::uint64_t;

enum class JobState { Queued, Running, Done, Failed, Cancelled };
const char* toString(JobState state);
inline bool isFinished(JobState s) {
  return s == JobState::Done || s == JobState::Failed || s == JobState::Cancelled;
}

struct JobProgress {
  int step = 0;              // steps done in the current stage
  int total = 0;             // steps in the current stage (0: indeterminate)
  std::string stage;         // "Loading model", "Denoising", "Training LoRA", ...
  double elapsedSeconds = 0; // since the stage began
  double etaSeconds = -1;    // estimated time left in the stage; -1 unknown
};

// A live view of a running job, e.g. the x0 prediction after a denoising step.
struct PreviewImage {
  cv::Mat rgb;                       // CV_8UC3, RGB order, document (or crop) resolution
  cv::Rect placement;                // where rgb goes in the document (empty: covers it all)
  int step = 0;
  int total = 0;
  std::vector<cv::Point2f> points;   // optional overlay points in document pixels (drag handles)
  std::vector<cv::Point2f> targets;  // matching targets, same length as points, or empty
};

struct JobResult {
  cv::Mat image;            // CV_8UC3 RGB or CV_8UC4 RGBA at document size, or at `placement`
  cv::Rect placement;       // empty: image covers the whole document
  nlohmann::json params;    // everything needed to reproduce the edit (method, model, seed, ...)
  std::string message;      // short summary for the status bar
};

// Cancel (abort, discard everything) and stop (finish early, keep what was done) flags.
// Checked by the job at every step; set from any thread.
class CancelToken {
public:
  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  void requestStop() { stop_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  bool stopRequested() const { return stop_.load(std::memory_order_relaxed) || cancelled(); }

private:
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> stop_{false};
};

// Callbacks run on the worker thread; the UI side marshals them to its own thread.
struct JobCallbacks {
  std::function<void(JobId, JobState)> onState;
  std::function<void(JobId, const JobProgress&)> onProgress;
  std::function<void(JobId, const PreviewImage&)> onPreview;
  std::function<void(JobId, const JobResult&)> onDone;
  std::function<void(JobId, const std::string& error)> onFailed;
};

class JobContext;
using JobFunction = std::function<JobResult(JobContext&)>;

struct JobSpec {
  std::string kind;   // e.g. "inpaint.classical", "model.load"; used for superseding
  std::string title;  // for the UI: "Inpaint (Telea)"
  // When true, submitting this job cancels older *queued* jobs of the same kind (not a running one).
  bool supersedeQueued = false;
  JobFunction run;
  JobCallbacks callbacks;
};

// What a running job sees.
class JobContext {
public:
  // Keeps a reference to `callbacks`: they must outlive the context (a temporary may not be passed).
  JobContext(JobId id, CancelToken& token, ModelCache& models, const JobCallbacks& callbacks);
  JobContext(JobId id, CancelToken& token, ModelCache& models, JobCallbacks&& callbacks) = delete;

  JobId id() const { return id_; }
  // Throws JobCancelled when cancel was requested. Call at least once per step.
  void throwIfCancelled() const;
  bool stopRequested() const { return token_.stopRequested(); }
  bool cancelled() const { return token_.cancelled(); }

  // Starts a new stage: resets the stage clock. `total` 0 means indeterminate.
  void beginStage(const std::string& stage, int total);
  // Reports `step` of the current stage's total, with elapsed time and ETA; checks cancel.
  void progress(int step);
  void preview(const PreviewImage& image) const;
  ModelCache& models() { return models_; }

private:
  JobId id_;
  CancelToken& token_;
  ModelCache& models_;
  const JobCallbacks& callbacks_;
  JobProgress current_;
  std::chrono::steady_clock::time_point stageStart_;
};

}  // namespace latentshop
