// diffusers' Attention module (the parts SD 1.x/2.x UNets and the VAE use): to_q / to_k / to_v /
// to_out.0 projections (LoRA-capable), optional group_norm before the projections, optional residual
// connection and output rescale (the VAE mid-block attention), upcast_attention / upcast_softmax.
// Reference: diffusers/src/diffusers/models/attention_processor.py (Attention, AttnProcessor).
//
// Every call goes through the ForwardHooks' AttentionController when one is given (see
// forward_hooks.h): it receives q, k, v split into heads and may replace k/v or the result.
#pragma once
#include <cstdint>
#include <optional>

#include <torch/torch.h>

#include "engine/nn/basic_layers.h"
#include "engine/nn/forward_hooks.h"
#include "engine/nn/lora_linear.h"
#include "engine/nn/module_base.h"

namespace latentshop::nn {

struct AttentionOptions {
  int64_t queryDim = 0;
  std::optional<int64_t> crossAttentionDim;  // key/value input width; absent = queryDim
  int64_t heads = 8;
  int64_t dimHead = 64;
  bool bias = false;     // bias of to_q / to_k / to_v
  bool outBias = true;   // bias of to_out.0
  bool upcastAttention = false;
  bool upcastSoftmax = false;
  std::optional<int64_t> normNumGroups;  // group_norm over the query input (VAE)
  double eps = 1e-5;                     // of group_norm
  bool residualConnection = false;
  double rescaleOutputFactor = 1.0;
};

class AttentionImpl : public PathedModule {
public:
  AttentionImpl(const AttentionOptions& options, const torch::TensorOptions& tensorOptions);

  // x: [B, N, queryDim] or [B, queryDim, H, W]; context: [B, M, crossAttentionDim] for cross-attention,
  // undefined for self-attention. Returns the same shape (and memory format) as x.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {},
                        const ForwardHooks* hooks = nullptr);

  const AttentionOptions& options() const { return options_; }
  double scale() const { return scale_; }

  GroupNorm group_norm{nullptr};
  LoraLinear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  torch::nn::ModuleList to_out{nullptr};  // [0] = LoraLinear (dropout of diffusers' index 1 is a no-op)
  LoraLinear toOut0{nullptr};

private:
  AttentionOptions options_;
  double scale_;
};
TORCH_MODULE(Attention);

}  // namespace latentshop::nn
