#include "engine/nn/upsample_2d.h"

namespace latentshop::nn {

Upsample2DImpl::Upsample2DImpl(int64_t channels, int64_t outChannels, const torch::TensorOptions& t) {
  conv = register_module("conv", Conv2d(channels, outChannels, 3, 1, 1, true, t));
}

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x, const std::vector<int64_t>& outputSize) {
  if (outputSize.empty()) return conv->forwardUpsampled2x(x);
  return conv(at::upsample_nearest2d(x, outputSize));
}

}  // namespace latentshop::nn
