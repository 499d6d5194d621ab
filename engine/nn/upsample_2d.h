// diffusers' Upsample2D with use_conv: nearest-neighbour ×2 (or to an explicit output size, which the
// UNet forwards when the latent size is not a multiple of its total upsampling factor), then a 3×3
// conv named "conv". Reference: diffusers/src/diffusers/models/upsampling.py.
// (The reference casts bf16 to fp32 around the interpolation because old PyTorch lacked a bf16
// kernel; nearest interpolation copies values, so running it in bf16 gives the same numbers.)
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "engine/nn/basic_layers.h"
#include "engine/nn/module_base.h"

namespace latentshop::nn {

class Upsample2DImpl : public PathedModule {
public:
  Upsample2DImpl(int64_t channels, int64_t outChannels, const torch::TensorOptions& t);
  // outputSize: {H, W} to force, or empty for ×2.
  torch::Tensor forward(const torch::Tensor& x, const std::vector<int64_t>& outputSize = {});
  Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

}  // namespace latentshop::nn
