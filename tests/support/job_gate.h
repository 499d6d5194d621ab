// A one-shot gate that holds an engine job at a known point, so a test reaches a state ("the job
// is still running", "the GUI thread is busy") by construction instead of by racing the clock:
// the job's thread calls hold(), which marks the gate reached and blocks until a test thread calls
// open(). Every wait is bounded, so a test that fails before opening the gate can never leave the
// worker blocked (and with it the teardown that joins the worker). Std-only: engine tests (also
// Qt-free) and app tests share it as "support/job_gate.h". Header-only.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace lstest {

class JobGate {
public:
  static constexpr std::chrono::milliseconds kTimeout{60000};

  // The held side: marks the gate reached, then blocks until open(). False when the wait timed out.
  bool hold(std::chrono::milliseconds timeout = kTimeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    reached_ = true;
    changed_.notify_all();
    return changed_.wait_for(lock, timeout, [this] { return open_; });
  }
  // The controlling side. open() is idempotent; waits block without running any event loop.
  void open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  bool isOpen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return open_;
  }
  bool reached() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return reached_;
  }
  bool waitOpen(std::chrono::milliseconds timeout = kTimeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return open_; });
  }
  bool waitReached(std::chrono::milliseconds timeout = kTimeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return reached_; });
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  bool reached_ = false;
};

// Opens a gate when it goes out of scope. Declare it after the object whose destructor joins the
// held thread (a JobQueue, a MainWindow), so the gate opens first even when the test fails early.
struct OpenOnExit {
  JobGate& gate;
  ~OpenOnExit() { gate.open(); }
};

}  // namespace lstest
