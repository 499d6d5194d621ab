#include "engine/nn/upsample_2d.h"

namespace latentshop::nn {

Upsample2DImpl::Upsample2DImpl(int64_t channels, int64_t outChannels, const torch::TensorOptions& t) {
  conv = register_module("conv", Conv2d(channels, outChannels, 3, 1, 1, true, t));
}

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x, const std::vector<int64_t>& outputSize) {
  torch::Tensor up;
  if (outputSize.empty()) {
    up = at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}, 2.0, 2.0);
  } else {
    up = at::upsample_nearest2d(x, outputSize);
  }
  return conv(up);
}

}  // namespace latentshop::nn
