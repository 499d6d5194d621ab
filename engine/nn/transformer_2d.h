// diffusers' Transformer2DModel for continuous (image-like) input, as the UNet's cross-attention
// blocks use it: norm (GroupNorm, eps 1e-6) → proj_in (1×1 conv, or Linear with
// use_linear_projection, SD 2.x) → transformer_blocks → proj_out → + residual.
// Recorded sub-outputs: norm, proj_in, proj_out (before the residual add).
// Reference: diffusers/src/diffusers/models/transformers/transformer_2d.py.
#pragma once
#include <cstdint>
#include <optional>

#include <torch/torch.h>

#include "engine/nn/basic_layers.h"
#include "engine/nn/forward_hooks.h"
#include "engine/nn/lora_linear.h"
#include "engine/nn/module_base.h"
#include "engine/nn/transformer_block.h"

namespace latentshop::nn {

struct Transformer2DOptions {
  int64_t heads = 16;
  int64_t headDim = 88;
  int64_t inChannels = 0;
  int64_t numLayers = 1;
  std::optional<int64_t> crossAttentionDim;
  int64_t normNumGroups = 32;
  bool useLinearProjection = false;
  bool onlyCrossAttention = false;
  bool upcastAttention = false;
};

class Transformer2DModelImpl : public PathedModule {
public:
  Transformer2DModelImpl(const Transformer2DOptions& options, const torch::TensorOptions& t);
  // x [B, C, H, W] (either memory format; the output keeps it), context [B, M, crossAttentionDim].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context, const ForwardHooks* hooks = nullptr);

  GroupNorm norm{nullptr};
  Conv2d projInConv{nullptr}, projOutConv{nullptr};
  LoraLinear projInLinear{nullptr}, projOutLinear{nullptr};
  torch::nn::ModuleList transformer_blocks{nullptr};
  std::vector<BasicTransformerBlock> blocks;

private:
  Transformer2DOptions options_;
};
TORCH_MODULE(Transformer2DModel);

}  // namespace latentshop::nn
