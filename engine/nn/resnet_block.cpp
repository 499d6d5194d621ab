#include "engine/nn/resnet_block.h"

namespace latentshop::nn {

ResnetBlock2DImpl::ResnetBlock2DImpl(const ResnetBlock2DOptions& o, const torch::TensorOptions& t) : options_(o) {
  norm1 = register_module("norm1", GroupNorm(o.groups, o.inChannels, o.eps, t));
  conv1 = register_module("conv1", Conv2d(o.inChannels, o.outChannels, 3, 1, 1, true, t));
  if (o.tembChannels) {
    const int64_t projOut = o.timeEmbeddingNorm == TimeEmbeddingNorm::ScaleShift ? 2 * o.outChannels : o.outChannels;
    time_emb_proj = register_module("time_emb_proj", LoraLinear(*o.tembChannels, projOut, true, t));
  }
  norm2 = register_module("norm2", GroupNorm(o.groups, o.outChannels, o.eps, t));
  conv2 = register_module("conv2", Conv2d(o.outChannels, o.outChannels, 3, 1, 1, true, t));
  if (o.inChannels != o.outChannels)
    conv_shortcut = register_module("conv_shortcut", Conv2d(o.inChannels, o.outChannels, 1, 1, 0, true, t));
}

torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb, const ForwardHooks* hooks) {
  const bool inplace = inplaceAllowed();
  auto h = norm1(x);
  recordChild(hooks, path(), "norm1", h);
  h = applyActivation(options_.act, h, inplace);
  h = conv1(h);
  recordChild(hooks, path(), "conv1", h);

  torch::Tensor t;
  if (time_emb_proj && temb.defined()) {
    t = time_emb_proj(applyActivation(options_.act, temb, false));
    recordChild(hooks, path(), "time_emb_proj", t);
    t = t.unsqueeze(-1).unsqueeze(-1);
  }
  if (options_.timeEmbeddingNorm == TimeEmbeddingNorm::ScaleShift && t.defined()) {
    h = norm2(h);
    recordChild(hooks, path(), "norm2", h);
    auto parts = t.chunk(2, 1);
    h = inplace ? h.mul_(parts[0] + 1).add_(parts[1]) : h * (parts[0] + 1) + parts[1];
  } else {
    if (t.defined()) h = inplace ? h.add_(t) : h + t;
    h = norm2(h);
    recordChild(hooks, path(), "norm2", h);
  }
  h = applyActivation(options_.act, h, inplace);
  h = conv2(h);
  recordChild(hooks, path(), "conv2", h);

  torch::Tensor shortcut = x;
  if (conv_shortcut) {
    shortcut = conv_shortcut(x);
    recordChild(hooks, path(), "conv_shortcut", shortcut);
  }
  auto out = inplace ? h.add_(shortcut) : shortcut + h;
  if (options_.outputScaleFactor != 1.0)
    out = inplace ? out.div_(options_.outputScaleFactor) : out / options_.outputScaleFactor;
  recordOutput(hooks, path(), out);
  return out;
}

}  // namespace latentshop::nn
