#include "engine/models/autoencoder_kl_blocks.h"

namespace latentshop {

namespace {
constexpr double kEps = 1e-6;

nn::ResnetBlock2D makeResnet(int64_t in, int64_t out, int64_t groups, nn::Activation act, const torch::TensorOptions& t) {
  nn::ResnetBlock2DOptions r;
  r.inChannels = in;
  r.outChannels = out;
  r.eps = kEps;
  r.groups = groups;
  r.act = act;
  return nn::ResnetBlock2D(r, t);
}
}  // namespace

VaeResnetStackImpl::VaeResnetStackImpl(int64_t numLayers, int64_t in, int64_t out, bool downsample, bool upsample,
                                       int64_t groups, nn::Activation act, const torch::TensorOptions& t) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  for (int64_t i = 0; i < numLayers; ++i) {
    resnetList.push_back(makeResnet(i == 0 ? in : out, out, groups, act, t));
    resnets->push_back(resnetList.back());
  }
  if (downsample) {
    downsampler = nn::Downsample2D(out, out, /*padding=*/0, t);
    downsamplers = register_module("downsamplers", torch::nn::ModuleList(downsampler));
  }
  if (upsample) {
    upsampler = nn::Upsample2D(out, out, t);
    upsamplers = register_module("upsamplers", torch::nn::ModuleList(upsampler));
  }
}

torch::Tensor VaeResnetStackImpl::forward(const torch::Tensor& x, const nn::ForwardHooks* hooks) {
  auto h = x;
  for (auto& r : resnetList) h = r(h, torch::Tensor(), hooks);
  if (downsampler) {
    h = downsampler(h);
    nn::recordOutput(hooks, downsampler->path(), h);
  }
  if (upsampler) {
    h = upsampler(h);
    nn::recordOutput(hooks, upsampler->path(), h);
  }
  nn::recordOutput(hooks, path(), h);
  return h;
}

VaeMidBlockImpl::VaeMidBlockImpl(int64_t channels, int64_t groups, nn::Activation act, bool addAttention,
                                 const torch::TensorOptions& t) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  resnetList.push_back(makeResnet(channels, channels, groups, act, t));
  if (addAttention) {
    nn::AttentionOptions a;
    a.queryDim = channels;
    a.heads = 1;  // in_channels // attention_head_dim with attention_head_dim = in_channels
    a.dimHead = channels;
    a.bias = true;
    a.outBias = true;
    a.upcastSoftmax = true;
    a.normNumGroups = groups;
    a.eps = kEps;
    a.residualConnection = true;
    a.rescaleOutputFactor = 1.0;
    attention = nn::Attention(a, t);
    attentions = register_module("attentions", torch::nn::ModuleList(attention));
  }
  resnetList.push_back(makeResnet(channels, channels, groups, act, t));
  for (auto& r : resnetList) resnets->push_back(r);
}

torch::Tensor VaeMidBlockImpl::forward(const torch::Tensor& x, const nn::ForwardHooks* hooks) {
  auto h = resnetList[0](x, torch::Tensor(), hooks);
  if (attention) h = attention(h, torch::Tensor(), hooks);
  h = resnetList[1](h, torch::Tensor(), hooks);
  nn::recordOutput(hooks, path(), h);
  return h;
}

VaeEncoderImpl::VaeEncoderImpl(const AutoencoderKLConfig& c, const torch::TensorOptions& t) {
  const auto act = nn::parseActivation(c.actFn, "act_fn");
  const auto& ch = c.blockOutChannels;
  const int64_t n = static_cast<int64_t>(ch.size());
  conv_in = register_module("conv_in", nn::Conv2d(c.inChannels, ch[0], 3, 1, 1, true, t));
  down_blocks = register_module("down_blocks", torch::nn::ModuleList());
  int64_t out = ch[0];
  for (int64_t i = 0; i < n; ++i) {
    const int64_t in = out;
    out = ch[i];
    downBlocks.push_back(VaeResnetStack(c.layersPerBlock, in, out, i != n - 1, false, c.normNumGroups, act, t));
    down_blocks->push_back(downBlocks.back());
  }
  mid_block = register_module("mid_block", VaeMidBlock(ch.back(), c.normNumGroups, act, c.midBlockAddAttention, t));
  conv_norm_out = register_module("conv_norm_out", nn::GroupNorm(c.normNumGroups, ch.back(), kEps, t));
  conv_out = register_module("conv_out", nn::Conv2d(ch.back(), 2 * c.latentChannels, 3, 1, 1, true, t));
}

torch::Tensor VaeEncoderImpl::forward(const torch::Tensor& image, const nn::ForwardHooks* hooks) {
  auto h = conv_in(image);
  nn::recordChild(hooks, path(), "conv_in", h);
  for (auto& b : downBlocks) h = b(h, hooks);
  h = mid_block(h, hooks);
  h = conv_norm_out(h);
  nn::recordChild(hooks, path(), "conv_norm_out", h);
  h = nn::applyActivation(nn::Activation::SiLU, h, nn::inplaceAllowed());  // nn.SiLU regardless of act_fn
  h = conv_out(h);
  nn::recordChild(hooks, path(), "conv_out", h);
  return h;
}

VaeDecoderImpl::VaeDecoderImpl(const AutoencoderKLConfig& c, const torch::TensorOptions& t) {
  const auto act = nn::parseActivation(c.actFn, "act_fn");
  const auto& ch = c.blockOutChannels;
  const int64_t n = static_cast<int64_t>(ch.size());
  conv_in = register_module("conv_in", nn::Conv2d(c.latentChannels, ch.back(), 3, 1, 1, true, t));
  mid_block = register_module("mid_block", VaeMidBlock(ch.back(), c.normNumGroups, act, c.midBlockAddAttention, t));
  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  int64_t out = ch.back();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t prev = out;
    out = ch[n - 1 - i];
    upBlocks.push_back(VaeResnetStack(c.layersPerBlock + 1, prev, out, false, i != n - 1, c.normNumGroups, act, t));
    up_blocks->push_back(upBlocks.back());
  }
  conv_norm_out = register_module("conv_norm_out", nn::GroupNorm(c.normNumGroups, ch[0], kEps, t));
  conv_out = register_module("conv_out", nn::Conv2d(ch[0], c.outChannels, 3, 1, 1, true, t));
}

torch::Tensor VaeDecoderImpl::forward(const torch::Tensor& latent, const nn::ForwardHooks* hooks) {
  auto h = conv_in(latent);
  nn::recordChild(hooks, path(), "conv_in", h);
  h = mid_block(h, hooks);
  for (auto& b : upBlocks) h = b(h, hooks);
  h = conv_norm_out(h);
  nn::recordChild(hooks, path(), "conv_norm_out", h);
  h = nn::applyActivation(nn::Activation::SiLU, h, nn::inplaceAllowed());
  h = conv_out(h);
  nn::recordChild(hooks, path(), "conv_out", h);
  return h;
}

}  // namespace latentshop
