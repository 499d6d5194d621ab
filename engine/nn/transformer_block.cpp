#include "engine/nn/transformer_block.h"

namespace latentshop::nn {

BasicTransformerBlockImpl::BasicTransformerBlockImpl(const BasicTransformerBlockOptions& o,
                                                     const torch::TensorOptions& t)
    : onlyCrossAttention_(o.onlyCrossAttention) {
  norm1 = register_module("norm1", LayerNorm(o.dim, o.normEps, true, t));
  AttentionOptions a1;
  a1.queryDim = o.dim;
  a1.heads = o.heads;
  a1.dimHead = o.headDim;
  a1.upcastAttention = o.upcastAttention;
  if (o.onlyCrossAttention) a1.crossAttentionDim = o.crossAttentionDim;
  attn1 = register_module("attn1", Attention(a1, t));
  if (o.crossAttentionDim) {
    norm2 = register_module("norm2", LayerNorm(o.dim, o.normEps, true, t));
    AttentionOptions a2 = a1;
    a2.crossAttentionDim = o.crossAttentionDim;
    attn2 = register_module("attn2", Attention(a2, t));
  }
  norm3 = register_module("norm3", LayerNorm(o.dim, o.normEps, true, t));
  ff = register_module("ff", FeedForward(o.dim, 4, t));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context,
                                                 const ForwardHooks* hooks) {
  const bool inplace = inplaceAllowed();
  auto n = norm1(x);
  recordChild(hooks, path(), "norm1", n);
  auto a = attn1(n, onlyCrossAttention_ ? context : torch::Tensor(), hooks);
  auto h = inplace ? a.add_(x) : a + x;
  if (attn2) {
    n = norm2(h);
    recordChild(hooks, path(), "norm2", n);
    a = attn2(n, context, hooks);
    h = inplace ? a.add_(h) : a + h;
  }
  n = norm3(h);
  recordChild(hooks, path(), "norm3", n);
  auto f = ff(n, hooks);
  h = inplace ? f.add_(h) : f + h;
  recordOutput(hooks, path(), h);
  return h;
}

}  // namespace latentshop::nn
