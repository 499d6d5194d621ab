#include "engine/core/device.h"

#include <cstdlib>

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include "engine/core/error.h"

namespace latentshop {

std::string dtypeName(c10::ScalarType t) {
  switch (t) {
    case c10::kFloat: return "fp32";
    case c10::kBFloat16: return "bf16";
    case c10::kHalf: return "fp16";
    case c10::kDouble: return "fp64";
    case c10::kLong: return "int64";
    case c10::kInt: return "int32";
    case c10::kByte: return "uint8";
    case c10::kBool: return "bool";
    default: return c10::toString(t);
  }
}

std::string ComputeTarget::describe() const {
  std::string s = device.str() + " " + dtypeName(dtype);
  if (device.is_cpu()) s += " (" + std::to_string(at::get_num_threads()) + " threads)";
  return s;
}

c10::Device parseDevice(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw Error("device '" + name + "': this libtorch has no CUDA or no GPU is visible");
    try {
      return c10::Device(name);
    } catch (const std::exception&) {
      throw Error("device '" + name + "': expected cpu, cuda or cuda:N");
    }
  }
  throw Error("device '" + name + "': expected cpu, cuda or cuda:N");
}

c10::ScalarType parseDtype(const std::string& name) {
  if (name == "fp32" || name == "float32" || name == "float") return c10::kFloat;
  if (name == "bf16" || name == "bfloat16") return c10::kBFloat16;
  if (name == "fp16" || name == "float16" || name == "half") return c10::kHalf;
  throw Error("dtype '" + name + "': expected fp32, bf16 or fp16");
}

ComputeTarget defaultComputeTarget() {
  ComputeTarget t;
  const char* dev = std::getenv("LATENTSHOP_DEVICE");
  if (dev && *dev) {
    t.device = parseDevice(dev);
  } else if (torch::cuda::is_available()) {
    t.device = c10::Device(c10::kCUDA, 0);
  }
  t.dtype = t.device.is_cuda() ? c10::kHalf : c10::kFloat;
  if (const char* dt = std::getenv("LATENTSHOP_DTYPE"); dt && *dt) t.dtype = parseDtype(dt);
  return t;
}

}  // namespace latentshop
