#include "support/child_process.h"

#include <chrono>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/cli_run.h"
#include "support/test_paths.h"

namespace lstest {


ChildRun runChild(const std::string& program, const std::vector<std::string>& args, const ChildLimits& limits) {
  static int n = 0;
  const std::string base = scratchDir() + "/child-" + std::to_string(++n);
  const std::string outPath = base + ".out", errPath = base + ".err";
  std::vector<std::string> argvText;
  argvText.push_back(program);
  argvText.insert(argvText.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argvText) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0) ::dup2(out, 1);
    if (err >= 0) ::dup2(err, 2);
    if (limits.fileSizeBytes >= 0) {
      const rlimit r{static_cast<rlim_t>(limits.fileSizeBytes), static_cast<rlim_t>(limits.fileSizeBytes)};
      ::setrlimit(RLIMIT_FSIZE, &r);
    }
    if (limits.addressSpaceBytes >= 0) {
      const rlimit r{static_cast<rlim_t>(limits.addressSpaceBytes), static_cast<rlim_t>(limits.addressSpaceBytes)};
      ::setrlimit(RLIMIT_AS, &r);
    }
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ChildRun run;
  if (pid < 0) {
    run.err = "fork failed";
    return run;
  }
  int wstatus = 0;
  rusage usage{};
  bool killed = false;
  for (;;) {
    const pid_t done = ::wait4(pid, &wstatus, WNOHANG, &usage);
    if (done == pid) break;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (!killed && limits.killAfterMs >= 0 && ms >= limits.killAfterMs) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    if (!killed && ms >= limits.timeoutMs) {
      ::kill(pid, SIGKILL);
      killed = true;
      run.timedOut = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.maxRssKb = usage.ru_maxrss;
  if (WIFEXITED(wstatus)) run.status = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) run.signal = WTERMSIG(wstatus);
  run.out = readTextFile(outPath);
  run.err = readTextFile(errPath);
  return run;
}

ChildRun runCliChild(const std::vector<std::string>& args, const ChildLimits& limits) {
  return runChild(cliPath(), args, limits);
}

}  // namespace lstest
