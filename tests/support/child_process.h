// Runs latentshop-cli (or any program) as a child process the way a hostile environment would:
// with a file-size limit (`ulimit -f`, so writes fail with EFBIG) or an address-space limit, and
// with a kill -9 at a chosen moment. Reports the exit status, the signal, the output and the
// child's peak memory. Qt-free and POSIX (fork/exec), for tests/robustness.
#pragma once
#include <string>
#include <vector>

namespace lstest {

struct ChildLimits {
  long long fileSizeBytes = -1;    // RLIMIT_FSIZE (-1: unlimited); SIGXFSZ is left at its default
  long long addressSpaceBytes = -1;  // RLIMIT_AS (-1: unlimited)
  int killAfterMs = -1;            // SIGKILL this long after the start (-1: never)
  int timeoutMs = 120000;          // SIGKILL after this, and report timedOut
};

struct ChildRun {
  int status = -1;        // exit code, -1 when killed by a signal
  int signal = 0;         // the terminating signal, 0 when it exited
  bool timedOut = false;
  std::string out;
  std::string err;
  long maxRssKb = 0;      // the child's peak resident memory (getrusage)
  double seconds = 0.0;
};

// Runs `program` with `args` (no shell); stdout/stderr go to files in scratchDir().
ChildRun runChild(const std::string& program, const std::vector<std::string>& args, const ChildLimits& limits = {});

// runChild(cliPath(), args, limits).
ChildRun runCliChild(const std::vector<std::string>& args, const ChildLimits& limits = {});

}  // namespace lstest
