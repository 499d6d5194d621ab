// diffusers' BasicTransformerBlock with norm_type "layer_norm" (SD 1.x/2.x): norm1 → attn1 (self, or
// cross with only_cross_attention) → +residual → norm2 → attn2 (cross) → +residual → norm3 → ff
// (GEGLU) → +residual. Recorded sub-outputs: norm1, norm2, norm3 (and attn1, attn2, ff themselves).
// Reference: diffusers/src/diffusers/models/attention.py (BasicTransformerBlock).
#pragma once
#include <cstdint>
#include <optional>

#include <torch/torch.h>

#include "engine/nn/attention.h"
#include "engine/nn/basic_layers.h"
#include "engine/nn/feed_forward.h"
#include "engine/nn/forward_hooks.h"
#include "engine/nn/module_base.h"

namespace latentshop::nn {

struct BasicTransformerBlockOptions {
  int64_t dim = 0;
  int64_t heads = 8;
  int64_t headDim = 64;
  std::optional<int64_t> crossAttentionDim;  // absent: no attn2 / norm2
  bool onlyCrossAttention = false;
  bool upcastAttention = false;
  double normEps = 1e-5;
};

class BasicTransformerBlockImpl : public PathedModule {
public:
  BasicTransformerBlockImpl(const BasicTransformerBlockOptions& options, const torch::TensorOptions& t);
  // x [B, N, dim]; context [B, M, crossAttentionDim].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context, const ForwardHooks* hooks = nullptr);

  LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  Attention attn1{nullptr}, attn2{nullptr};
  FeedForward ff{nullptr};

private:
  bool onlyCrossAttention_;
};
TORCH_MODULE(BasicTransformerBlock);

}  // namespace latentshop::nn
