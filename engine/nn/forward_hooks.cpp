#include "engine/nn/forward_hooks.h"

namespace latentshop::nn {

void TensorMapRecorder::record(const std::string& path, const torch::Tensor& value) {
  values_[prefix_ + path] = value.detach().clone(at::MemoryFormat::Contiguous);
}

}  // namespace latentshop::nn
