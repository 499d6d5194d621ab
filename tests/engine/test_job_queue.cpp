// LATENTSHOP_TEST_LABELS: runtime
// The engine's job queue: ordering, progress, cancel within one step, failures, supersede, shutdown.
// Jobs that must still be running (or queued) when the test acts hold at a JobGate until it has,
// so every check holds on any machine: step counts, not wall-clock times (the one clock bound
// left, 5 s for shutdown to cancel and join a job of 10 ms steps, only guards against a hang).
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "support/testing.h"
#include "engine/core/error.h"
#include "support/job_gate.h"
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
  std::string message;  // the result's
  bool done = false;
  JobCallbacks callbacks() {
    JobCallbacks cb;
    cb.onState = [this](JobId, JobState s) { std::lock_guard<std::mutex> l(m); states.push_back(s); };
    cb.onProgress = [this](JobId, const JobProgress& p) {
      std::lock_guard<std::mutex> l(m);
      if (p.step > 0) steps.push_back(p.step);
    };
    cb.onDone = [this](JobId, const JobResult& r) {
      std::lock_guard<std::mutex> l(m);
      done = true;
      message = r.message;
    };
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

// A job that holds at `gate` once it starts running (so it is running, and every job submitted
// after it is queued, until the test opens the gate), then finishes.
JobFunction heldJob(lstest::JobGate& gate) {
  return [&gate](JobContext& ctx) {
    ctx.beginStage("Holding", 0);
    gate.hold();
    ctx.progress(1);
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
    // Everything the job touches outlives the queue, whose destructor joins the worker.
    lstest::JobGate atStep4;
    std::atomic<int> stepsRun{0};
    Recorder r;
    JobQueue q;
    const lstest::OpenOnExit openGate{atStep4};
    // Three steps, then the job holds before its 4th step's work until the cancel is in.
    const auto id = q.submit(JobSpec{"test", "", false, [&](JobContext& ctx) {
                                       ctx.beginStage("Working", 1000);
                                       for (int i = 1; i <= 1000; ++i) {
                                         if (i == 4) atStep4.hold();
                                         std::this_thread::sleep_for(1ms);
                                         ++stepsRun;
                                         ctx.progress(i);
                                       }
                                       return JobResult{};
                                     }, r.callbacks()});
    QVERIFY(atStep4.waitReached());
    QCOMPARE(stepsRun.load(), 3);
    QVERIFY(q.cancel(id));
    atStep4.open();
    QVERIFY(q.waitIdle(10s));
    // The step under way when the cancel came finished its work; its progress() ended the job.
    QCOMPARE(stepsRun.load(), 4);
    QVERIFY(r.steps == (std::vector<int>{1, 2, 3}));
    QVERIFY(r.last() == JobState::Cancelled);
    QVERIFY(!r.done);
    QVERIFY(!q.info(id).has_value());
  }

  void cancelQueuedJobIsImmediate() {
    lstest::JobGate running;
    Recorder first, second;
    JobQueue q;
    const lstest::OpenOnExit openGate{running};
    const auto a = q.submit(JobSpec{"a", "", false, heldJob(running), first.callbacks()});
    const auto b = q.submit(JobSpec{"b", "", false, steppingJob(50, 5ms), second.callbacks()});
    QVERIFY(running.waitReached());  // a runs (and waits), so b is certainly still queued
    QVERIFY(q.cancel(b));
    QVERIFY(second.last() == JobState::Cancelled);
    running.open();
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
    lstest::JobGate running;
    Recorder blocker, older, other, newer;
    JobQueue q;
    const lstest::OpenOnExit openGate{running};
    q.submit(JobSpec{"preview", "", true, heldJob(running), blocker.callbacks()});
    QVERIFY(running.waitReached());  // the blocker runs until all three below are submitted
    q.submit(JobSpec{"preview", "", true, steppingJob(1, 1ms), older.callbacks()});
    q.submit(JobSpec{"other", "", true, steppingJob(1, 1ms), other.callbacks()});
    q.submit(JobSpec{"preview", "", true, steppingJob(1, 1ms), newer.callbacks()});
    running.open();
    QVERIFY(q.waitIdle(10s));
    QVERIFY(blocker.done);  // the running job is never superseded
    QVERIFY(older.last() == JobState::Cancelled);
    QVERIFY(!older.done);
    QVERIFY(other.done);
    QVERIFY(newer.done);
  }

  void stopRequestKeepsResult() {
    std::atomic<int> stepsRun{0};
    Recorder r;
    JobQueue q;
    // Runs until asked to stop (or cancelled by the queue's destructor), so the stop always meets
    // a running job.
    const auto id = q.submit(JobSpec{"drag", "", false, [&](JobContext& ctx) {
                                       ctx.beginStage("Dragging", 0);
                                       int i = 0;
                                       while (!ctx.stopRequested()) {
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
    QVERIFY(q.waitIdle(10s));
    QVERIFY(r.done);
    QVERIFY(r.last() == JobState::Done);
    QVERIFY2(r.message == "stopped after " + std::to_string(stepsRun.load()), r.message.c_str());
    QVERIFY(stepsRun.load() >= 3);
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
