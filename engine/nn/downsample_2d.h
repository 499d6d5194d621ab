// diffusers' Downsample2D with use_conv (the only kind SD UNets and VAEs use): a 3×3 stride-2 conv
// named "conv"; with padding 0 (the VAE encoder) the input is first padded by one on the right and
// bottom. Reference: diffusers/src/diffusers/models/downsampling.py.
#pragma once
#include <cstdint>

#include <torch/torch.h>

#include "engine/nn/basic_layers.h"
#include "engine/nn/module_base.h"

namespace latentshop::nn {

class Downsample2DImpl : public PathedModule {
public:
  Downsample2DImpl(int64_t channels, int64_t outChannels, int64_t padding, const torch::TensorOptions& t);
  torch::Tensor forward(const torch::Tensor& x);
  Conv2d conv{nullptr};

private:
  int64_t padding_;
};
TORCH_MODULE(Downsample2D);

}  // namespace latentshop::nn
