#include "engine/models/unet_2d_condition.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/nn/module_base.h"

namespace latentshop {

namespace {
std::string shapeText(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}
}  // namespace

Timestep::Timestep(int t) : value(torch::tensor(static_cast<int64_t>(t), torch::kLong)) {}
Timestep::Timestep(int64_t t) : value(torch::tensor(t, torch::kLong)) {}
Timestep::Timestep(double t) : value(torch::tensor(t, torch::kDouble)) {}
Timestep::Timestep(torch::Tensor t) : value(std::move(t)) {}

UNet2DConditionModelImpl::UNet2DConditionModelImpl(UNet2DConditionConfig config, const torch::TensorOptions& options)
    : config_(std::move(config)) {
  const auto& c = config_;
  if (c.layersPerBlock.size() != c.numBlocks() || c.numAttentionHeads.size() != c.numBlocks())
    throw Error("UNet2DConditionModel: the config is not resolved (build it with UNet2DConditionConfig::fromJson)");
  act_ = nn::parseActivation(c.actFn, "act_fn");
  if (c.timeEmbeddingActFn) timeEmbedAct_ = nn::parseActivation(*c.timeEmbeddingActFn, "time_embedding_act_fn");
  std::optional<nn::Activation> postAct;
  if (c.timestepPostAct) postAct = nn::parseActivation(*c.timestepPostAct, "timestep_post_act");
  const auto t = options.requires_grad(false);
  const int64_t n = static_cast<int64_t>(c.numBlocks());
  const int64_t temb = c.timeEmbedDim();
  const auto timeNorm = c.resnetTimeScaleShift == "scale_shift" ? nn::TimeEmbeddingNorm::ScaleShift
                                                                 : nn::TimeEmbeddingNorm::Default;

  conv_in = register_module("conv_in", nn::Conv2d(c.inChannels, c.blockOutChannels[0], c.convInKernel, 1,
                                                  (c.convInKernel - 1) / 2, true, t));
  time_embedding = register_module("time_embedding", nn::TimestepEmbedding(c.blockOutChannels[0], temb, act_, postAct, t));

  UNetBlockOptions base;
  base.tembChannels = temb;
  base.resnetEps = c.normEps;
  base.act = act_;
  base.timeEmbeddingNorm = timeNorm;
  base.resnetGroups = c.normNumGroups;
  base.downsamplePadding = c.downsamplePadding;
  base.useLinearProjection = c.useLinearProjection;
  base.upcastAttention = c.upcastAttention;

  down_blocks = register_module("down_blocks", torch::nn::ModuleList());
  int64_t outputChannel = c.blockOutChannels[0];
  for (int64_t i = 0; i < n; ++i) {
    UNetBlockOptions o = base;
    o.inChannels = outputChannel;
    outputChannel = c.blockOutChannels[i];
    o.outChannels = outputChannel;
    o.crossAttention = c.downBlockTypes[i] == "CrossAttnDownBlock2D";
    o.numLayers = c.layersPerBlock[i];
    o.transformerLayers = c.transformerLayersPerBlock[i];
    o.addSampler = i != n - 1;
    o.crossAttentionDim = c.crossAttentionDim[i];
    o.numAttentionHeads = c.numAttentionHeads[i];
    o.onlyCrossAttention = c.onlyCrossAttention[i];
    downBlocks.push_back(UNetDownBlock(o, t));
    down_blocks->push_back(downBlocks.back());
  }

  if (c.midBlockType) {
    UNetBlockOptions o = base;
    o.inChannels = c.blockOutChannels.back();
    o.numLayers = 1;
    o.transformerLayers = c.transformerLayersPerBlock.back();
    o.crossAttentionDim = c.crossAttentionDim.back();
    o.numAttentionHeads = c.numAttentionHeads.back();
    o.outputScaleFactor = c.midBlockScaleFactor;
    mid_block = register_module("mid_block", UNetMidBlock2DCrossAttn(o, t));
  }

  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  std::vector<int64_t> revChannels(c.blockOutChannels.rbegin(), c.blockOutChannels.rend());
  outputChannel = revChannels[0];
  for (int64_t i = 0; i < n; ++i) {
    const int64_t rev = n - 1 - i;  // index into the per-down-block lists, reversed
    UNetBlockOptions o = base;
    o.prevOutputChannels = outputChannel;
    outputChannel = revChannels[i];
    o.outChannels = outputChannel;
    o.inChannels = revChannels[std::min(i + 1, n - 1)];
    o.crossAttention = c.upBlockTypes[i] == "CrossAttnUpBlock2D";
    o.numLayers = c.layersPerBlock[rev] + 1;
    o.transformerLayers = c.reverseTransformerLayersPerBlock[i];
    o.addSampler = i != n - 1;
    o.crossAttentionDim = c.crossAttentionDim[rev];
    o.numAttentionHeads = c.numAttentionHeads[rev];
    o.onlyCrossAttention = c.onlyCrossAttention[rev];
    if (o.addSampler) ++numUpsamplers_;
    upBlocks.push_back(UNetUpBlock(o, t));
    up_blocks->push_back(upBlocks.back());
  }

  conv_norm_out = register_module("conv_norm_out", nn::GroupNorm(c.normNumGroups, c.blockOutChannels[0], c.normEps, t));
  conv_out = register_module("conv_out", nn::Conv2d(c.blockOutChannels[0], c.outChannels, c.convOutKernel, 1,
                                                    (c.convOutKernel - 1) / 2, true, t));
  nn::assignModulePaths(*this);
  setChannelsLast(!conv_in->weight.is_cuda());
}

void UNet2DConditionModelImpl::setChannelsLast(bool on) {
  channelsLast_ = on;
  nn::setConvWeightsMemoryFormat(*this, on ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
}

std::vector<std::pair<std::string, nn::Attention>> UNet2DConditionModelImpl::attentionModules() const {
  std::vector<std::pair<std::string, nn::Attention>> out;
  auto add = [&out](const std::vector<nn::Transformer2DModel>& list) {
    for (const auto& t : list)
      for (const auto& block : t->blocks) {
        out.emplace_back(block->attn1->path(), block->attn1);
        if (block->attn2) out.emplace_back(block->attn2->path(), block->attn2);
      }
  };
  for (const auto& b : downBlocks) add(b->attentionList);
  if (mid_block) add(mid_block->attentionList);
  for (const auto& b : upBlocks) add(b->attentionList);
  return out;
}

UNetOutput UNet2DConditionModelImpl::forward(const torch::Tensor& sampleIn, const Timestep& timestep,
                                             const torch::Tensor& encoderHiddenStates, const UNetForwardOptions& options) {
  const auto* hooks = options.hooks;
  const auto dtype = this->dtype();
  const auto device = this->device();
  if (sampleIn.dim() != 4 || sampleIn.size(1) != config_.inChannels)
    throw Error("UNet2DConditionModel: sample must be [B, " + std::to_string(config_.inChannels) + ", H, W], got " +
                shapeText(sampleIn));
  if (encoderHiddenStates.dim() != 3 || encoderHiddenStates.size(0) != sampleIn.size(0))
    throw Error("UNet2DConditionModel: encoder_hidden_states must be [B, tokens, dim] with B = " +
                std::to_string(sampleIn.size(0)) + ", got " + shapeText(encoderHiddenStates));
  const int64_t batch = sampleIn.size(0);
  auto sample = sampleIn.to(device, dtype);
  auto context = encoderHiddenStates.to(device, dtype);

  // Upsample sizes are forwarded when the sample is not a multiple of the total upsampling factor.
  const int64_t factor = int64_t{1} << numUpsamplers_;
  const bool forwardUpsampleSize = sample.size(2) % factor != 0 || sample.size(3) % factor != 0;

  if (config_.centerInputSample) sample = sample * 2.0 - 1.0;

  // 1. time
  auto timesteps = timestep.value.to(device);
  if (timesteps.dim() == 0) timesteps = timesteps.unsqueeze(0);
  if (timesteps.dim() != 1 || (timesteps.size(0) != 1 && timesteps.size(0) != batch))
    throw Error("UNet2DConditionModel: timestep must be a scalar or hold " + std::to_string(batch) +
                " values, got shape " + shapeText(timestep.value));
  timesteps = timesteps.expand({batch});
  auto tEmb = nn::sinusoidalTimestepEmbedding(timesteps, config_.blockOutChannels[0], config_.flipSinToCos,
                                              config_.freqShift);
  nn::recordOutput(hooks, "time_proj", tEmb);
  auto emb = time_embedding(tEmb.to(dtype));
  nn::recordOutput(hooks, "time_embedding", emb);
  if (timeEmbedAct_) emb = nn::applyActivation(*timeEmbedAct_, emb, false);

  // 2. pre-process
  if (channelsLast_) sample = sample.contiguous(at::MemoryFormat::ChannelsLast);
  auto h = conv_in(sample);
  nn::recordOutput(hooks, "conv_in", h);

  // 3. down
  std::vector<torch::Tensor> residuals{h};
  for (auto& block : downBlocks) {
    auto out = block(h, emb, context, hooks);
    h = out.hidden;
    for (auto& r : out.residuals) residuals.push_back(std::move(r));
  }

  UNetOutput result;
  auto feature = [&](const torch::Tensor& x) {
    if (options.returnDecoderFeatures) result.decoderFeatures.push_back(x.contiguous());
  };

  // 4. mid
  if (mid_block) {
    h = mid_block(h, emb, context, hooks);
    feature(h);
  }

  // 5. up
  for (std::size_t i = 0; i < upBlocks.size(); ++i) {
    auto& block = upBlocks[i];
    const bool finalBlock = i + 1 == upBlocks.size();
    std::vector<int64_t> upsampleSize;
    const auto consumed = static_cast<std::size_t>(block->numResnets());
    if (!finalBlock && forwardUpsampleSize && residuals.size() > consumed) {
      const auto& next = residuals[residuals.size() - consumed - 1];
      upsampleSize = {next.size(2), next.size(3)};
    }
    h = block(h, residuals, emb, context, upsampleSize, hooks);
    feature(h);
  }

  // 6. post-process
  h = conv_norm_out(h);
  nn::recordOutput(hooks, "conv_norm_out", h);
  h = nn::applyActivation(act_, h, nn::inplaceAllowed());
  h = conv_out(h);
  nn::recordOutput(hooks, "conv_out", h);
  result.sample = h.contiguous();
  return result;
}

}  // namespace latentshop
