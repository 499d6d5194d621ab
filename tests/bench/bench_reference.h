// The diffusers side of a side-by-side benchmark: tests/bench/reference/diffusers_bench.py started once
// as a child process (it builds the model and warms up), then asked for one timed run at a time, so the
// C++ benchmark alternates runs of both implementations in one sitting.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lsbench {

// LATENTSHOP_SOURCE_DIR is defined by tests/bench/CMakeLists.txt.
inline std::string referenceScript() { return std::string(LATENTSHOP_SOURCE_DIR) + "/tests/bench/reference/diffusers_bench.py"; }

class ReferenceProcess {
public:
  // argv: the interpreter, the script and its arguments (--serve is added).
  explicit ReferenceProcess(std::vector<std::string> argv) {
    argv.push_back("--serve");
    int toChild[2], fromChild[2];
    if (pipe(toChild) != 0 || pipe(fromChild) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(toChild[0], 0);
      dup2(fromChild[1], 1);
      close(toChild[1]);
      close(fromChild[0]);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      std::perror("exec");
      _exit(127);
    }
    close(toChild[0]);
    close(fromChild[1]);
    in_ = fdopen(toChild[1], "w");
    out_ = fdopen(fromChild[0], "r");
    std::string line;
    while (readLine(line)) {
      std::printf("  diffusers> %s\n", line.c_str());
      if (line == "READY") {
        ready_ = true;
        break;
      }
    }
  }
  ~ReferenceProcess() {
    finish();
  }
  bool ready() const { return ready_; }
  // Seconds of one timed run, or a negative value when the child failed.
  double run() {
    if (!ready_) return -1.0;
    std::fputs("run\n", in_);
    std::fflush(in_);
    std::string line;
    while (readLine(line)) {
      if (line.rfind("TIME ", 0) == 0) return std::atof(line.c_str() + 5);
      std::printf("  diffusers> %s\n", line.c_str());
    }
    ready_ = false;
    return -1.0;
  }
  // Ends the child; returns its peak RSS in MiB (-1 if it did not report one).
  double finish() {
    if (pid_ <= 0) return peak_;
    if (in_) std::fclose(in_);
    in_ = nullptr;
    std::string line;
    while (out_ && readLine(line))
      if (line.rfind("PEAK_RSS_MIB ", 0) == 0) peak_ = std::atof(line.c_str() + 13);
    if (out_) std::fclose(out_);
    out_ = nullptr;
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return peak_;
  }

private:
  bool readLine(std::string& line) {
    line.clear();
    if (!out_) return false;
    int c;
    while ((c = std::fgetc(out_)) != EOF && c != '\n') line += static_cast<char>(c);
    return c != EOF || !line.empty();
  }
  pid_t pid_ = -1;
  FILE* in_ = nullptr;
  FILE* out_ = nullptr;
  bool ready_ = false;
  double peak_ = -1.0;
};

}  // namespace lsbench
