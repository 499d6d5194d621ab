#include "engine/runtime/job_queue.h"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/runtime/model_cache.h"

namespace latentshop {

struct JobQueue::Entry {
  JobId id = 0;
  JobSpec spec;
  CancelToken token;
  JobInfo info;
};

JobQueue::JobQueue() : models_(std::make_unique<ModelCache>()) {
  worker_ = std::thread([this] { workerLoop(); });
}

JobQueue::~JobQueue() { shutdown(); }

ModelCache& JobQueue::models() { return *models_; }

JobId JobQueue::submit(JobSpec spec) {
  auto e = std::make_shared<Entry>();
  std::vector<std::shared_ptr<Entry>> superseded;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    e->id = nextId_++;
    e->info.id = e->id;
    e->info.kind = spec.kind;
    e->info.title = spec.title.empty() ? spec.kind : spec.title;
    e->info.state = stopping_ ? JobState::Cancelled : JobState::Queued;
    e->spec = std::move(spec);
    if (stopping_) {
      superseded.push_back(e);
    } else {
      if (e->spec.supersedeQueued) {
        for (auto it = queue_.begin(); it != queue_.end();) {
          if ((*it)->spec.kind == e->spec.kind) {
            superseded.push_back(*it);
            live_.erase((*it)->id);
            it = queue_.erase(it);
          } else {
            ++it;
          }
        }
      }
      queue_.push_back(e);
      live_[e->id] = e;
    }
  }
  for (auto& old : superseded) finish(old, JobState::Cancelled, "");
  if (e->info.state == JobState::Queued && e->spec.callbacks.onState)
    e->spec.callbacks.onState(e->id, JobState::Queued);
  wake_.notify_all();
  return e->id;
}

bool JobQueue::cancel(JobId id) {
  std::shared_ptr<Entry> queued;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(id);
    if (it == live_.end()) return false;
    if (running_ && running_->id == id) {
      running_->token.cancel();
      return true;
    }
    queued = it->second;
    queue_.erase(std::remove(queue_.begin(), queue_.end(), queued), queue_.end());
    live_.erase(it);
  }
  finish(queued, JobState::Cancelled, "");
  idle_.notify_all();
  return true;
}

bool JobQueue::requestStop(JobId id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (running_ && running_->id == id) {
      running_->token.requestStop();
      return true;
    }
  }
  return cancel(id);
}

void JobQueue::cancelAll() {
  std::deque<std::shared_ptr<Entry>> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(queue_);
    for (auto& e : dropped) live_.erase(e->id);
    if (running_) running_->token.cancel();
  }
  for (auto& e : dropped) finish(e, JobState::Cancelled, "");
  idle_.notify_all();
}

std::optional<JobInfo> JobQueue::info(JobId id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(id);
  if (it == live_.end()) return std::nullopt;
  return it->second->info;
}

std::vector<JobInfo> JobQueue::jobs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<JobInfo> out;
  if (running_) out.push_back(running_->info);
  for (auto& e : queue_) out.push_back(e->info);
  return out;
}

bool JobQueue::waitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !running_; });
}

void JobQueue::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
  }
  cancelAll();
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  // The models (and their tensors) are released on this thread after the worker is gone.
  models_->clear();
}

void JobQueue::finish(const std::shared_ptr<Entry>& e, JobState state, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    e->info.state = state;
    e->info.error = error;
  }
  const auto& cb = e->spec.callbacks;
  try {
    if (state == JobState::Failed && cb.onFailed) cb.onFailed(e->id, error);
    if (cb.onState) cb.onState(e->id, state);
  } catch (const std::exception& ex) {
    spdlog::error("job {}: a state callback threw: {}", e->id, ex.what());
  }
}

void JobQueue::workerLoop() {
  const int threads = configureTorchThreads();
  spdlog::debug("engine worker started with {} threads", threads);
  for (;;) {
    std::shared_ptr<Entry> e;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) break;
      e = queue_.front();
      queue_.pop_front();
      running_ = e;
      e->info.state = JobState::Running;
    }
    const auto& cb = e->spec.callbacks;
    JobState final = JobState::Done;
    std::string error;
    try {
      if (cb.onState) cb.onState(e->id, JobState::Running);
      JobCallbacks reporting = cb;
      reporting.onProgress = [this, e, user = cb.onProgress](JobId id, const JobProgress& p) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          e->info.progress = p;
        }
        if (user) user(id, p);
      };
      JobContext ctx(e->id, e->token, *models_, reporting);
      ctx.throwIfCancelled();
      JobResult result = e->spec.run(ctx);
      if (e->token.cancelled()) {
        final = JobState::Cancelled;
      } else if (cb.onDone) {
        cb.onDone(e->id, result);
      }
    } catch (const JobCancelled&) {
      final = JobState::Cancelled;
    } catch (const std::exception& ex) {
      final = e->token.cancelled() ? JobState::Cancelled : JobState::Failed;
      error = ex.what();
    } catch (...) {
      final = JobState::Failed;
      error = "unknown error";
    }
    if (final == JobState::Failed) spdlog::warn("job {} ({}) failed: {}", e->id, e->info.title, error);
    finish(e, final, error);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_.reset();
      live_.erase(e->id);
    }
    idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace latentshop
