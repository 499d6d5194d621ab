#include "engine/nn/downsample_2d.h"

namespace latentshop::nn {

Downsample2DImpl::Downsample2DImpl(int64_t channels, int64_t outChannels, int64_t padding,
                                   const torch::TensorOptions& t)
    : padding_(padding) {
  conv = register_module("conv", Conv2d(channels, outChannels, 3, 2, padding, true, t));
}

torch::Tensor Downsample2DImpl::forward(const torch::Tensor& x) {
  if (padding_ == 0) return conv(at::constant_pad_nd(x, {0, 1, 0, 1}, 0.0));
  return conv(x);
}

}  // namespace latentshop::nn
