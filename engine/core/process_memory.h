// This process's resident memory from /proc/self/status (Linux), for benchmarks (latentshop-cli bench,
// tests/bench) and tests that measure a phase's peak: reset the high-water mark, run the phase, read
// VmHWM.
#pragma once
#include <fstream>
#include <string>

namespace latentshop {

// "VmHWM" (peak) or "VmRSS" (current) in MiB; -1 where /proc is not available.
inline double statusMiB(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size())) / 1024.0;  // kB
  }
  return -1.0;
}
inline double peakRssMiB() { return statusMiB("VmHWM"); }
inline double rssMiB() { return statusMiB("VmRSS"); }
// Resets VmHWM to the current RSS (Linux >= 4.0); false where the kernel refuses.
inline bool resetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

}  // namespace latentshop
