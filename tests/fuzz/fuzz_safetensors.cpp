// libFuzzer harness: SafetensorsFile on arbitrary bytes (written to a tmpfs file: the reader maps a
// path), then every tensor viewed and converted, as the model loader does.
#include <torch/torch.h>

#include "engine/io/safetensors.h"
#include "tests/fuzz/fuzz_common.h"

using namespace latentshop;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string path = fuzz::writeScratch("input.safetensors", data, size);
  LATENTSHOP_FUZZ_EXPECT_ERROR(path, {
    SafetensorsFile f(path);
    for (const auto& name : f.names()) {
      const SafetensorsEntry& e = f.entry(name);
      torch::Tensor v = f.view(name);
      if (static_cast<std::uint64_t>(v.numel()) * v.element_size() != e.end - e.begin) std::abort();
      torch::Tensor converted = f.load(name, torch::kFloat);
      if (converted.numel() != v.numel()) std::abort();
    }
    (void)f.viewAll();
    for (const auto& kv : f.metadata()) (void)kv;
  });
  return 0;
}
