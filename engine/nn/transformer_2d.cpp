#include "engine/nn/transformer_2d.h"

namespace latentshop::nn {

Transformer2DModelImpl::Transformer2DModelImpl(const Transformer2DOptions& o, const torch::TensorOptions& t)
    : options_(o) {
  const int64_t inner = o.heads * o.headDim;
  norm = register_module("norm", GroupNorm(o.normNumGroups, o.inChannels, 1e-6, t));
  if (o.useLinearProjection) {
    projInLinear = register_module("proj_in", LoraLinear(o.inChannels, inner, true, t));
  } else {
    projInConv = register_module("proj_in", Conv2d(o.inChannels, inner, 1, 1, 0, true, t));
  }
  transformer_blocks = register_module("transformer_blocks", torch::nn::ModuleList());
  BasicTransformerBlockOptions bo;
  bo.dim = inner;
  bo.heads = o.heads;
  bo.headDim = o.headDim;
  bo.crossAttentionDim = o.crossAttentionDim;
  bo.onlyCrossAttention = o.onlyCrossAttention;
  bo.upcastAttention = o.upcastAttention;
  for (int64_t i = 0; i < o.numLayers; ++i) {
    blocks.push_back(BasicTransformerBlock(bo, t));
    transformer_blocks->push_back(blocks.back());
  }
  if (o.useLinearProjection) {
    projOutLinear = register_module("proj_out", LoraLinear(inner, o.inChannels, true, t));
  } else {
    projOutConv = register_module("proj_out", Conv2d(inner, o.inChannels, 1, 1, 0, true, t));
  }
}

torch::Tensor Transformer2DModelImpl::forward(const torch::Tensor& x, const torch::Tensor& context,
                                              const ForwardHooks* hooks) {
  const int64_t b = x.size(0), height = x.size(2), width = x.size(3);
  auto h = norm(x);
  recordChild(hooks, path(), "norm", h);
  int64_t inner = 0;
  if (!options_.useLinearProjection) {
    h = projInConv(h);
    recordChild(hooks, path(), "proj_in", h);
    inner = h.size(1);
    h = h.permute({0, 2, 3, 1}).reshape({b, height * width, inner});  // free when channels-last
  } else {
    inner = h.size(1);
    h = h.permute({0, 2, 3, 1}).reshape({b, height * width, inner});
    h = projInLinear(h);
    recordChild(hooks, path(), "proj_in", h);
    inner = h.size(2);
  }
  for (auto& block : blocks) h = block(h, context, hooks);
  if (!options_.useLinearProjection) {
    h = h.view({b, height, width, inner}).permute({0, 3, 1, 2});  // channels-last view
    h = projOutConv(h.contiguous(x.suggest_memory_format()));
  } else {
    h = projOutLinear(h);
    h = h.view({b, height, width, h.size(2)}).permute({0, 3, 1, 2});
  }
  recordChild(hooks, path(), "proj_out", h);
  auto out = inplaceAllowed() ? h.add_(x) : h + x;
  out = out.contiguous(x.suggest_memory_format());
  recordOutput(hooks, path(), out);
  return out;
}

}  // namespace latentshop::nn
