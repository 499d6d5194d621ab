#include "engine/runtime/job.h"

#include "engine/core/error.h"

namespace latentshop {

const char* toString(JobState state) {
  switch (state) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Done: return "done";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
  }
  return "unknown";
}

JobContext::JobContext(JobId id, CancelToken& token, ModelCache& models, const JobCallbacks& callbacks)
    : id_(id), token_(token), models_(models), callbacks_(callbacks),
      stageStart_(std::chrono::steady_clock::now()) {}

void JobContext::throwIfCancelled() const {
  if (token_.cancelled()) throw JobCancelled();
}

void JobContext::beginStage(const std::string& stage, int total) {
  throwIfCancelled();
  current_ = JobProgress{};
  current_.stage = stage;
  current_.total = total;
  stageStart_ = std::chrono::steady_clock::now();
  if (callbacks_.onProgress) callbacks_.onProgress(id_, current_);
}

void JobContext::progress(int step) {
  throwIfCancelled();
  current_.step = step;
  current_.elapsedSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - stageStart_).count();
  current_.etaSeconds = (step > 0 && current_.total > 0)
                            ? current_.elapsedSeconds / step * (current_.total - step)
                            : -1.0;
  if (callbacks_.onProgress) callbacks_.onProgress(id_, current_);
}

void JobContext::preview(const PreviewImage& image) const {
  if (callbacks_.onPreview && !token_.cancelled()) callbacks_.onPreview(id_, image);
}

}  // namespace latentshop
