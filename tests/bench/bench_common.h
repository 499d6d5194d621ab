// Shared helpers of the model benchmarks: peak/current RSS from /proc/self/status, resetting the peak
// (/proc/self/clear_refs), wall-clock timing, random parameter fill, and argument parsing.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <torch/torch.h>

#include "engine/core/cpu_info.h"
#include "engine/runtime/model_benchmark.h"
#include "support/process_memory.h"

namespace lsbench {

using lstest::peakRssMiB;
using lstest::resetPeakRss;
using lstest::rssMiB;
using lstest::statusMiB;

// "AMD EPYC 7B13 (2 cores; avx2 fma; no avx512f, no avx512_bf16, no amx)": what the figures were measured on.
inline std::string cpuDescription() { return latentshop::cpuInfo().describe(); }
inline void printMachine() { std::printf("machine: %s\n", cpuDescription().c_str()); }

inline double seconds(const std::function<void()>& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Process CPU time (user + system, all threads) in seconds. On a shared machine, CPU seconds / threads
// estimates the wall time the same work takes when the cores are free.
inline double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Wall and CPU seconds of one call.
struct Timing {
  double wall = 0.0;
  double cpu = 0.0;
};
inline Timing timed(const std::function<void()>& fn) {
  const double c0 = cpuSeconds();
  Timing t;
  t.wall = seconds(fn);
  t.cpu = cpuSeconds() - c0;
  return t;
}

inline double median(std::vector<double> v) { return latentshop::medianOf(std::move(v)); }

inline std::string loadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

inline void fillRandom(torch::nn::Module& module, uint64_t seed) { latentshop::fillRandomWeights(module, seed); }

inline int64_t parameterBytes(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel() * static_cast<int64_t>(p.element_size());
  return n;
}

// --key value / --flag arguments.
class Args {
public:
  Args(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string k = argv[i];
      if (k.rfind("--", 0) != 0) continue;
      k = k.substr(2);
      if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
        values_[k] = argv[++i];
      } else {
        values_[k] = "1";
      }
    }
  }
  std::string get(const std::string& k, const std::string& fallback) const {
    auto it = values_.find(k);
    return it == values_.end() ? fallback : it->second;
  }
  int64_t integer(const std::string& k, int64_t fallback) const { return std::stoll(get(k, std::to_string(fallback))); }

private:
  std::map<std::string, std::string> values_;
};

}  // namespace lsbench
