// What the CPU can do, from /proc/cpuinfo: model name, logical cores and the instruction-set flags that
// decide how fast the engine runs (AVX2/FMA, AVX-512, native bf16 through AVX-512-BF16 or AMX).
// Benchmarks print it with every figure; the precision advice reads nativeBf16().
#pragma once
#include <string>

namespace latentshop {

struct CpuInfo {
  std::string model = "unknown CPU";
  int logicalCores = 0;
  bool avx2 = false, fma = false, avx512f = false, avx512bf16 = false, amx = false;

  // Native bf16 arithmetic (AVX-512-BF16 dot products or AMX tiles). Without it libtorch computes
  // bf16 by converting to fp32 and back, which on AVX2 machines is far slower than fp32.
  bool nativeBf16() const { return avx512bf16 || amx; }
  // "AMD EPYC 7B13 (2 cores; avx2 fma; no avx512f, no avx512_bf16, no amx)".
  std::string describe() const;
};

// Read once per process; on systems without /proc/cpuinfo every flag is false.
const CpuInfo& cpuInfo();

}  // namespace latentshop
