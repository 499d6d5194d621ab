#include "engine/nn/feed_forward.h"

namespace latentshop::nn {

GEGLUImpl::GEGLUImpl(int64_t dimIn, int64_t dimOut, const torch::TensorOptions& options) {
  proj = register_module("proj", LoraLinear(dimIn, dimOut * 2, true, options));
}

torch::Tensor GEGLUImpl::forward(const torch::Tensor& x) {
  auto both = proj(x);
  auto parts = both.chunk(2, -1);
  auto gated = at::gelu(parts[1]);  // a new contiguous tensor
  return inplaceAllowed() ? gated.mul_(parts[0]) : parts[0] * gated;
}

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t mult, const torch::TensorOptions& options) {
  const int64_t inner = dim * mult;
  geglu = GEGLU(dim, inner, options);
  out = LoraLinear(inner, dim, true, options);
  net = register_module("net", torch::nn::ModuleList(geglu, torch::nn::Identity(), out));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x, const ForwardHooks* hooks) {
  auto y = out(geglu(x));
  recordOutput(hooks, path(), y);
  return y;
}

}  // namespace latentshop::nn
