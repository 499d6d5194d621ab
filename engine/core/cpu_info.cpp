#include "engine/core/cpu_info.h"

#include <fstream>

namespace latentshop {

namespace {
CpuInfo readCpuInfo() {
  CpuInfo info;
  std::ifstream f("/proc/cpuinfo");
  std::string line, flags;
  while (std::getline(f, line)) {
    const auto colon = line.find(':');
    const std::string value = colon == std::string::npos || colon + 2 > line.size() ? "" : line.substr(colon + 2);
    if (line.rfind("model name", 0) == 0) {
      ++info.logicalCores;
      info.model = value;
    } else if (line.rfind("flags", 0) == 0 && flags.empty()) {
      flags = " " + value + " ";
    }
  }
  auto has = [&](const char* flag) { return flags.find(std::string(" ") + flag + " ") != std::string::npos; };
  info.avx2 = has("avx2");
  info.fma = has("fma");
  info.avx512f = has("avx512f");
  info.avx512bf16 = has("avx512_bf16");
  info.amx = has("amx_bf16") || has("amx_tile");
  return info;
}
}  // namespace

std::string CpuInfo::describe() const {
  std::string have, lack;
  auto add = [&](bool on, const char* name) { (on ? have : lack) += std::string(on ? (have.empty() ? "" : " ") : (lack.empty() ? "no " : ", no ")) + name; };
  add(avx2, "avx2");
  add(fma, "fma");
  add(avx512f, "avx512f");
  add(avx512bf16, "avx512_bf16");
  add(amx, "amx");
  std::string out = model + " (" + std::to_string(logicalCores) + " cores";
  if (!have.empty()) out += "; " + have;
  if (!lack.empty()) out += "; " + lack;
  return out + ")";
}

const CpuInfo& cpuInfo() {
  static const CpuInfo info = readCpuInfo();
  return info;
}

}  // namespace latentshop
