#include "engine/models/unet_2d_blocks.h"

namespace latentshop {

namespace {

nn::ResnetBlock2D makeResnet(const UNetBlockOptions& o, int64_t in, int64_t out, const torch::TensorOptions& t) {
  nn::ResnetBlock2DOptions r;
  r.inChannels = in;
  r.outChannels = out;
  r.tembChannels = o.tembChannels;
  r.eps = o.resnetEps;
  r.groups = o.resnetGroups;
  r.act = o.act;
  r.timeEmbeddingNorm = o.timeEmbeddingNorm;
  r.outputScaleFactor = o.outputScaleFactor;
  return nn::ResnetBlock2D(r, t);
}

nn::Transformer2DModel makeTransformer(const UNetBlockOptions& o, int64_t channels, bool onlyCross,
                                       const torch::TensorOptions& t) {
  nn::Transformer2DOptions a;
  a.heads = o.numAttentionHeads;
  a.headDim = channels / o.numAttentionHeads;
  a.inChannels = channels;
  a.numLayers = o.transformerLayers;
  a.crossAttentionDim = o.crossAttentionDim;
  a.normNumGroups = o.resnetGroups;
  a.useLinearProjection = o.useLinearProjection;
  a.onlyCrossAttention = onlyCross;
  a.upcastAttention = o.upcastAttention;
  return nn::Transformer2DModel(a, t);
}

}  // namespace

// ---------------------------------------------------------------- down

UNetDownBlockImpl::UNetDownBlockImpl(const UNetBlockOptions& o, const torch::TensorOptions& t) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  if (o.crossAttention) attentions = register_module("attentions", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.numLayers; ++i) {
    resnetList.push_back(makeResnet(o, i == 0 ? o.inChannels : o.outChannels, o.outChannels, t));
    resnets->push_back(resnetList.back());
    if (o.crossAttention) {
      attentionList.push_back(makeTransformer(o, o.outChannels, o.onlyCrossAttention, t));
      attentions->push_back(attentionList.back());
    }
  }
  if (o.addSampler) {
    downsampler = nn::Downsample2D(o.outChannels, o.outChannels, o.downsamplePadding, t);
    downsamplers = register_module("downsamplers", torch::nn::ModuleList(downsampler));
  }
}

DownBlockOutput UNetDownBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                           const torch::Tensor& context, const nn::ForwardHooks* hooks) {
  DownBlockOutput out;
  auto h = x;
  for (std::size_t i = 0; i < resnetList.size(); ++i) {
    h = resnetList[i](h, temb, hooks);
    if (!attentionList.empty()) h = attentionList[i](h, context, hooks);
    out.residuals.push_back(h);
  }
  if (downsampler) {
    h = downsampler(h);
    nn::recordOutput(hooks, downsampler->path(), h);
    out.residuals.push_back(h);
  }
  out.hidden = h;
  nn::recordOutput(hooks, path(), h);
  return out;
}

// ---------------------------------------------------------------- mid

UNetMidBlock2DCrossAttnImpl::UNetMidBlock2DCrossAttnImpl(const UNetBlockOptions& o, const torch::TensorOptions& t) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  resnetList.push_back(makeResnet(o, o.inChannels, o.inChannels, t));
  resnets->push_back(resnetList.back());
  for (int64_t i = 0; i < o.numLayers; ++i) {
    attentionList.push_back(makeTransformer(o, o.inChannels, false, t));
    attentions->push_back(attentionList.back());
    resnetList.push_back(makeResnet(o, o.inChannels, o.inChannels, t));
    resnets->push_back(resnetList.back());
  }
}

torch::Tensor UNetMidBlock2DCrossAttnImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                                   const torch::Tensor& context, const nn::ForwardHooks* hooks) {
  auto h = resnetList[0](x, temb, hooks);
  for (std::size_t i = 0; i < attentionList.size(); ++i) {
    h = attentionList[i](h, context, hooks);
    h = resnetList[i + 1](h, temb, hooks);
  }
  nn::recordOutput(hooks, path(), h);
  return h;
}

// ---------------------------------------------------------------- up

UNetUpBlockImpl::UNetUpBlockImpl(const UNetBlockOptions& o, const torch::TensorOptions& t) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  if (o.crossAttention) attentions = register_module("attentions", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.numLayers; ++i) {
    const int64_t resSkip = (i == o.numLayers - 1) ? o.inChannels : o.outChannels;
    const int64_t resnetIn = (i == 0) ? o.prevOutputChannels : o.outChannels;
    resnetList.push_back(makeResnet(o, resnetIn + resSkip, o.outChannels, t));
    resnets->push_back(resnetList.back());
    if (o.crossAttention) {
      attentionList.push_back(makeTransformer(o, o.outChannels, o.onlyCrossAttention, t));
      attentions->push_back(attentionList.back());
    }
  }
  if (o.addSampler) {
    upsampler = nn::Upsample2D(o.outChannels, o.outChannels, t);
    upsamplers = register_module("upsamplers", torch::nn::ModuleList(upsampler));
  }
}

torch::Tensor UNetUpBlockImpl::forward(const torch::Tensor& x, std::vector<torch::Tensor>& residuals,
                                       const torch::Tensor& temb, const torch::Tensor& context,
                                       const std::vector<int64_t>& upsampleSize, const nn::ForwardHooks* hooks) {
  auto h = x;
  for (std::size_t i = 0; i < resnetList.size(); ++i) {
    auto res = std::move(residuals.back());
    residuals.pop_back();
    h = torch::cat({h, res}, 1);
    res = torch::Tensor();
    h = resnetList[i](h, temb, hooks);
    if (!attentionList.empty()) h = attentionList[i](h, context, hooks);
  }
  if (upsampler) {
    h = upsampler(h, upsampleSize);
    nn::recordOutput(hooks, upsampler->path(), h);
  }
  nn::recordOutput(hooks, path(), h);
  return h;
}

}  // namespace latentshop
