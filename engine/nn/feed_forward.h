// diffusers' FeedForward with the GEGLU activation (the only one SD UNets use): net.0 = GEGLU
// (proj: Linear(dim, 2·inner); value, gate = chunk(2); value · gelu(gate)), net.1 = dropout (no-op),
// net.2 = Linear(inner, dim). inner = 4·dim.
// Reference: diffusers/src/diffusers/models/attention.py (FeedForward), activations.py (GEGLU).
#pragma once
#include <cstdint>

#include <torch/torch.h>

#include "engine/nn/forward_hooks.h"
#include "engine/nn/lora_linear.h"
#include "engine/nn/module_base.h"

namespace latentshop::nn {

class GEGLUImpl : public PathedModule {
public:
  GEGLUImpl(int64_t dimIn, int64_t dimOut, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x);
  LoraLinear proj{nullptr};
};
TORCH_MODULE(GEGLU);

class FeedForwardImpl : public PathedModule {
public:
  FeedForwardImpl(int64_t dim, int64_t mult, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const ForwardHooks* hooks = nullptr);

  torch::nn::ModuleList net{nullptr};
  GEGLU geglu{nullptr};
  LoraLinear out{nullptr};
};
TORCH_MODULE(FeedForward);

}  // namespace latentshop::nn
