// Which device and dtype the engine computes on: CUDA when libtorch has it (fp16), else CPU
// (fp32 by default, bf16 on request). $LATENTSHOP_DEVICE=cpu|cuda and $LATENTSHOP_DTYPE=fp32|bf16|fp16
// override the choice; so do the CLI's --device/--dtype options.
#pragma once
#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace latentshop {

struct ComputeTarget {
  c10::Device device = c10::Device(c10::kCPU);
  c10::ScalarType dtype = c10::kFloat;
  std::string describe() const;  // "cpu fp32 (2 threads)", "cuda:0 fp16"
};

// The default target for this process (environment overrides applied).
ComputeTarget defaultComputeTarget();
// Parses "cpu"/"cuda"/"cuda:1" and "fp32"/"float32"/"bf16"/"bfloat16"/"fp16"/"float16";
// throws latentshop::Error naming the bad value.
c10::Device parseDevice(const std::string& name);
c10::ScalarType parseDtype(const std::string& name);
std::string dtypeName(c10::ScalarType t);  // "fp32", "bf16", "fp16", "int64", ...

}  // namespace latentshop
