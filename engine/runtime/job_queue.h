// The engine's job queue: one worker thread that owns the compute device and the loaded models
// (the model cache lives on it), runs jobs one at a time in submission order, and reports through
// each job's callbacks. Torch-free header. Like Qt's Mandelbrot example's RenderThread, but generic.
//
// Guarantees: no exception escapes a job (std::exception → Failed with its message, anything else →
// Failed "unknown error"); cancel of a queued job is immediate, of a running job takes effect at its
// next throwIfCancelled()/progress() (within one step); the destructor cancels everything and joins.
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/runtime/job.h"

namespace latentshop {

struct JobInfo {
  JobId id = 0;
  std::string kind;
  std::string title;
  JobState state = JobState::Queued;
  JobProgress progress;
  std::string error;
};

class JobQueue {
public:
  JobQueue();
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  JobId submit(JobSpec spec);
  // Queued: becomes Cancelled at once. Running: cancel token set. Returns false if unknown/finished.
  bool cancel(JobId id);
  // Running: ask the job to finish early and keep its result (drag's "Stop"). Queued: same as cancel.
  bool requestStop(JobId id);
  void cancelAll();

  std::optional<JobInfo> info(JobId id) const;
  std::vector<JobInfo> jobs() const;  // every job still queued or running, in order
  // Blocks until no job is queued or running, or the timeout passes. True when idle.
  bool waitIdle(std::chrono::milliseconds timeout);
  // Cancels every job and joins the worker. Idempotent; the destructor calls it.
  void shutdown();

  // For jobs only (worker thread): the model cache.
  ModelCache& models();

private:
  struct Entry;
  void workerLoop();
  void finish(const std::shared_ptr<Entry>& e, JobState state, const std::string& error);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::shared_ptr<Entry>> queue_;
  std::shared_ptr<Entry> running_;
  std::map<JobId, std::shared_ptr<Entry>> live_;
  JobId nextId_ = 1;
  bool stopping_ = false;
  std::unique_ptr<ModelCache> models_;
  std::thread worker_;
};

}  // namespace latentshop
