// LATENTSHOP_TEST_LABELS: runtime
// The engine's job queue: ordering, progress, cancel within one step, failures, supersede, shutdown.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/runtime/job_queue.h"
#include "engine/runtime/model_cache.h"

using namespace latentshop;
using namespace std::chrono_literals;

namespace {
// Collects what the callbacks report, from the worker thread.
struct Recorder {
  std::mutex m;
  std::vector<JobState> states;
  std::vector<int> steps;
  std::string error;
  bool done = false;
  JobCallbacks callbacks() {
    JobCallbacks cb;
    cb.onState = [this](JobId, JobState s) { std::lock_guard<std::mutex> l(m); states.push_back(s); };
    cb.onProgress = [this](JobId, const JobProgress& p) {
      std::lock_guard<std::mutex> l(m);
      if (p.step > 0) steps.push_back(p.step);
    };
    cb.onDone = [this](JobId, const JobResult&) { std::lock_guard<std::mutex> l(m); done = true; };
    cb.onFailed = [this](JobId, const std::string& e) { std::lock_guard<std::mutex> l(m); error = e; };
    return cb;
  }
  JobState last() { std::lock_guard<std::mutex> l(m); return states.empty() ? JobState::Queued : states.back(); }
};

// A job of `steps` steps of `stepTime` each that reports progress every step.
JobFunction steppingJob(int steps, std::chrono::milliseconds stepTime, std::atomic<int>* stepsRun = nullptr) {
  return [=](JobContext& ctx) {
    ctx.beginStage("Working", steps);
    for (int i = 1; i <= steps; ++i) {
      std::this_thread::sleep_for(stepTime);
      if (stepsRun) ++*stepsRun;
      ctx.progress(i);
    }
    return JobResult{};
  };
}
}  // namespace

class TestJobQueue : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void progressArrivesInOrder() {
    JobQueue q;
    Recorder r;
    q.submit(JobSpec{"test", "steps", false, steppingJob(10, 1ms), r.callbacks()});
    QVERIFY(q.waitIdle(10s));
    QCOMPARE(r.steps.size(), std::size_t(10));
    for (int i = 0; i < 10; ++i) QCOMPARE(r.steps[i], i + 1);
    QVERIFY(r.done);
    QCOMPARE(r.states.size(), std::size_t(3));
    QVERIFY(r.states[0] == JobState::Queued);
    QVERIFY(r.states[1] == JobState::Running);
    QVERIFY(r.states[2] == JobState::Done);
  }

  void jobsRunInSubmissionOrder() {
    JobQueue q;
    std::mutex m;
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) {
      q.submit(JobSpec{"k" + std::to_string(i), "", false, [&, i](JobContext&) {
                         std::lock_guard<std::mutex> l(m);
                         order.push_back(i);
                         return JobResult{};
                       }, {}});
    }
    QVERIFY(q.waitIdle(10s));
    QCOMPARE(order, (std::vector<int>{0, 1, 2, 3, 4}));
  }

  void cancelEndsRunningJobWithinOneStep() {
    JobQueue q;
    Recorder r;
    std::atomic<int> stepsRun{0};
    const auto id = q.submit(JobSpec{"test", "", false, steppingJob(1000, 20ms, &stepsRun), r.callbacks()});
    while (stepsRun.load() < 3) std::this_thread::sleep_for(1ms);
    const auto t0 = std::chrono::steady_clock::now();
    const int stepsAtCancel = stepsRun.load();
    QVERIFY(q.cancel(id));
    QVERIFY(q.waitIdle(5s));
    const auto waited = std::chrono::steady_clock::now() - t0;
    QVERIFY2(stepsRun.load() <= stepsAtCancel + 1, "the job ran more than one step after cancel");
    QVERIFY(waited < 500ms);
    QVERIFY(r.last() == JobState::Cancelled);
    QVERIFY(!r.done);
    QVERIFY(!q.info(id).has_value());
  }

  void cancelQueuedJobIsImmediate() {
    JobQueue q;
    Recorder first, second;
    std::atomic<int> stepsRun{0};
    const auto a = q.submit(JobSpec{"a", "", false, steppingJob(50, 5ms, &stepsRun), first.callbacks()});
    const auto b = q.submit(JobSpec{"b", "", false, steppingJob(50, 5ms), second.callbacks()});
    QVERIFY(q.cancel(b));
    QVERIFY(second.last() == JobState::Cancelled);
    QVERIFY(q.waitIdle(10s));
    QVERIFY(first.done);
    QVERIFY(!second.done);
    QVERIFY(!q.cancel(a));  // finished jobs cannot be cancelled
  }

  void throwingJobFailsWithMessage() {
    JobQueue q;
    Recorder r;
    q.submit(JobSpec{"bad", "", false, [](JobContext&) -> JobResult {
                       throw Error("model.safetensors: header length runs past the end of the file");
                     }, r.callbacks()});
    Recorder after;
    q.submit(JobSpec{"good", "", false, steppingJob(2, 1ms), after.callbacks()});
    QVERIFY(q.waitIdle(10s));
    QVERIFY(r.last() == JobState::Failed);
    QCOMPARE(r.error, std::string("model.safetensors: header length runs past the end of the file"));
    QVERIFY(after.done);  // the worker survives a failing job
  }

  void nonStandardExceptionFails() {
    JobQueue q;
    Recorder r;
    q.submit(JobSpec{"bad", "", false, [](JobContext&) -> JobResult { throw 42; }, r.callbacks()});
    QVERIFY(q.waitIdle(10s));
    QVERIFY(r.last() == JobState::Failed);
    QCOMPARE(r.error, std::string("unknown error"));
  }

  void newerJobSupersedesQueuedOfSameKind() {
    JobQueue q;
    Recorder blocker, older, other, newer;
    std::atomic<int> stepsRun{0};
    q.submit(JobSpec{"preview", "", true, steppingJob(20, 5ms, &stepsRun), blocker.callbacks()});
    while (stepsRun.load() < 1) std::this_thread::sleep_for(1ms);
    q.submit(JobSpec{"preview", "", true, steppingJob(1, 1ms), older.callbacks()});
    q.submit(JobSpec{"other", "", true, steppingJob(1, 1ms), other.callbacks()});
    q.submit(JobSpec{"preview", "", true, steppingJob(1, 1ms), newer.callbacks()});
    QVERIFY(q.waitIdle(10s));
    QVERIFY(blocker.done);  // the running job is never superseded
    QVERIFY(older.last() == JobState::Cancelled);
    QVERIFY(!older.done);
    QVERIFY(other.done);
    QVERIFY(newer.done);
  }

  void stopRequestKeepsResult() {
    JobQueue q;
    Recorder r;
    std::atomic<int> stepsRun{0};
    const auto id = q.submit(JobSpec{"drag", "", false, [&](JobContext& ctx) {
                                       ctx.beginStage("Dragging", 1000);
                                       int i = 0;
                                       while (!ctx.stopRequested() && i < 1000) {
                                         std::this_thread::sleep_for(2ms);
                                         ++stepsRun;
                                         ctx.progress(++i);
                                       }
                                       JobResult res;
                                       res.message = "stopped after " + std::to_string(i);
                                       return res;
                                     }, r.callbacks()});
    while (stepsRun.load() < 3) std::this_thread::sleep_for(1ms);
    QVERIFY(q.requestStop(id));
    QVERIFY(q.waitIdle(5s));
    QVERIFY(r.done);
    QVERIFY(r.last() == JobState::Done);
  }

  void shutdownWithRunningJobNeitherHangsNorCrashes() {
    Recorder r, queued;
    std::atomic<int> stepsRun{0};
    const auto t0 = std::chrono::steady_clock::now();
    {
      JobQueue q;
      q.submit(JobSpec{"long", "", false, steppingJob(100000, 10ms, &stepsRun), r.callbacks()});
      q.submit(JobSpec{"next", "", false, steppingJob(10, 1ms), queued.callbacks()});
      while (stepsRun.load() < 2) std::this_thread::sleep_for(1ms);
    }  // destructor: cancel + join
    QVERIFY(std::chrono::steady_clock::now() - t0 < 5s);
    QVERIFY(r.last() == JobState::Cancelled);
    QVERIFY(queued.last() == JobState::Cancelled);
    QVERIFY(!queued.done);
  }

  void submitAfterShutdownIsCancelled() {
    JobQueue q;
    q.shutdown();
    Recorder r;
    q.submit(JobSpec{"late", "", false, steppingJob(1, 1ms), r.callbacks()});
    QVERIFY(!r.done);
    QVERIFY(q.waitIdle(1s));
  }

  void modelCacheLoadsOnceAndEvictsLeastRecent() {
    ModelCache cache(2);
    int loads = 0;
    auto load = [&] { ++loads; return std::make_shared<int>(loads); };
    auto a1 = cache.getOrLoad<int>("model", "a", load);
    auto a2 = cache.getOrLoad<int>("model", "a", load);
    QCOMPARE(loads, 1);
    QCOMPARE(a1.get(), a2.get());
    cache.getOrLoad<int>("model", "b", load);
    cache.getOrLoad<int>("model", "a", load);  // touch a: b is now least recent
    cache.getOrLoad<int>("model", "c", load);  // evicts b
    QVERIFY(cache.contains("model", "a"));
    QVERIFY(!cache.contains("model", "b"));
    QVERIFY(cache.contains("model", "c"));
    cache.getOrLoad<int>("lora", "x", load);   // other kinds have their own capacity
    QCOMPARE(cache.size(), std::size_t(3));
  }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_job_queue.moc"
#endif
