#include "engine/nn/attention.h"

#include <cmath>

#include "engine/nn/attention_kernel.h"

namespace latentshop::nn {

namespace {
// [B, N, H·D] → [B, H, N, D] (a view).
torch::Tensor splitHeads(const torch::Tensor& x, int64_t heads) {
  return x.reshape({x.size(0), x.size(1), heads, x.size(2) / heads}).permute({0, 2, 1, 3});
}
}  // namespace

AttentionImpl::AttentionImpl(const AttentionOptions& o, const torch::TensorOptions& t) : options_(o) {
  const int64_t inner = o.dimHead * o.heads;
  const int64_t kvDim = o.crossAttentionDim.value_or(o.queryDim);
  scale_ = 1.0 / std::sqrt(static_cast<double>(o.dimHead));
  if (o.normNumGroups) group_norm = register_module("group_norm", GroupNorm(*o.normNumGroups, o.queryDim, o.eps, t));
  to_q = register_module("to_q", LoraLinear(o.queryDim, inner, o.bias, t));
  to_k = register_module("to_k", LoraLinear(kvDim, inner, o.bias, t));
  to_v = register_module("to_v", LoraLinear(kvDim, inner, o.bias, t));
  toOut0 = LoraLinear(inner, o.queryDim, o.outBias, t);
  to_out = register_module("to_out", torch::nn::ModuleList(toOut0));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context, const ForwardHooks* hooks) {
  const bool image = x.dim() == 4;
  torch::Tensor h;
  int64_t b = x.size(0), c = 0, height = 0, width = 0;
  if (image) {
    c = x.size(1), height = x.size(2), width = x.size(3);
    h = group_norm ? group_norm(x) : x;
    h = h.permute({0, 2, 3, 1}).reshape({b, height * width, c});  // free for channels-last input
  } else {
    h = group_norm ? group_norm(x.transpose(1, 2)).transpose(1, 2) : x;
    h = h.contiguous();
  }
  const bool cross = context.defined();
  const auto& kvInput = cross ? context : h;
  auto q = to_q(h);
  auto k = to_k(kvInput);
  auto v = to_v(kvInput);

  const int64_t heads = options_.heads;
  torch::Tensor out;
  if (hooks && hooks->attention) {
    AttentionCall call{path(), cross, heads, scale_, splitHeads(q, heads), splitHeads(k, heads), splitHeads(v, heads), {}};
    hooks->attention->onAttention(call);
    if (call.out.defined()) {
      out = call.out.permute({0, 2, 1, 3}).reshape({call.out.size(0), call.out.size(2), call.out.size(1) * call.out.size(3)});
    } else {
      AttentionKernelOptions ko;
      ko.scale = scale_;
      ko.upcastAttention = options_.upcastAttention;
      ko.upcastSoftmax = options_.upcastSoftmax;
      out = scaledDotProductAttention(call.q, call.k, call.v, ko);
    }
  } else {
    AttentionKernelOptions ko;
    ko.scale = scale_;
    ko.upcastAttention = options_.upcastAttention;
    ko.upcastSoftmax = options_.upcastSoftmax;
    out = scaledDotProductAttention(splitHeads(q, heads), splitHeads(k, heads), splitHeads(v, heads), ko);
  }
  out = toOut0(out);  // [B, N, queryDim]

  if (image) out = out.view({b, height, width, c}).permute({0, 3, 1, 2});  // channels-last view
  const bool inplace = inplaceAllowed();
  if (options_.residualConnection) out = inplace ? out.add_(x) : out.add(x);
  if (options_.rescaleOutputFactor != 1.0)
    out = inplace ? out.div_(options_.rescaleOutputFactor) : out.div(options_.rescaleOutputFactor);
  if (image) out = out.contiguous(x.suggest_memory_format());
  recordOutput(hooks, path(), out);
  return out;
}

}  // namespace latentshop::nn
