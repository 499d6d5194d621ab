// The UNet's down, mid and up blocks: CrossAttnDownBlock2D / DownBlock2D (one class: with or without
// attentions), UNetMidBlock2DCrossAttn, CrossAttnUpBlock2D / UpBlock2D. Submodules are registered under
// diffusers' names (resnets.N, attentions.N, downsamplers.0, upsamplers.0).
// Reference: diffusers/src/diffusers/models/unets/unet_2d_blocks.py.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "engine/nn/activation.h"
#include "engine/nn/downsample_2d.h"
#include "engine/nn/forward_hooks.h"
#include "engine/nn/module_base.h"
#include "engine/nn/resnet_block.h"
#include "engine/nn/transformer_2d.h"
#include "engine/nn/upsample_2d.h"

namespace latentshop {

// What get_down_block / get_up_block pass on for our block kinds.
struct UNetBlockOptions {
  bool crossAttention = false;
  int64_t numLayers = 1;
  int64_t transformerLayers = 1;
  int64_t inChannels = 0;
  int64_t outChannels = 0;
  int64_t prevOutputChannels = 0;  // up blocks
  int64_t tembChannels = 0;
  bool addSampler = false;         // downsampler / upsampler
  double resnetEps = 1e-5;
  nn::Activation act = nn::Activation::SiLU;
  nn::TimeEmbeddingNorm timeEmbeddingNorm = nn::TimeEmbeddingNorm::Default;
  int64_t resnetGroups = 32;
  int64_t crossAttentionDim = 1280;
  int64_t numAttentionHeads = 8;
  int64_t downsamplePadding = 1;
  bool useLinearProjection = false;
  bool onlyCrossAttention = false;
  bool upcastAttention = false;
  double outputScaleFactor = 1.0;  // mid block: mid_block_scale_factor
};

struct DownBlockOutput {
  torch::Tensor hidden;
  std::vector<torch::Tensor> residuals;  // one per resnet (after its attention), plus the downsampled output
};

class UNetDownBlockImpl : public nn::PathedModule {
public:
  UNetDownBlockImpl(const UNetBlockOptions& options, const torch::TensorOptions& t);
  DownBlockOutput forward(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                          const nn::ForwardHooks* hooks);

  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, downsamplers{nullptr};
  std::vector<nn::ResnetBlock2D> resnetList;
  std::vector<nn::Transformer2DModel> attentionList;
  nn::Downsample2D downsampler{nullptr};
};
TORCH_MODULE(UNetDownBlock);

class UNetMidBlock2DCrossAttnImpl : public nn::PathedModule {
public:
  // Uses inChannels, tembChannels, resnetEps/Groups, act, numAttentionHeads, crossAttentionDim,
  // transformerLayers, useLinearProjection, upcastAttention, outputScaleFactor; numLayers attention layers.
  UNetMidBlock2DCrossAttnImpl(const UNetBlockOptions& options, const torch::TensorOptions& t);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                        const nn::ForwardHooks* hooks);

  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr};
  std::vector<nn::ResnetBlock2D> resnetList;
  std::vector<nn::Transformer2DModel> attentionList;
};
TORCH_MODULE(UNetMidBlock2DCrossAttn);

class UNetUpBlockImpl : public nn::PathedModule {
public:
  UNetUpBlockImpl(const UNetBlockOptions& options, const torch::TensorOptions& t);
  // Consumes the last numLayers entries of `residuals` (popped from the back, as the reference does).
  torch::Tensor forward(const torch::Tensor& x, std::vector<torch::Tensor>& residuals, const torch::Tensor& temb,
                        const torch::Tensor& context, const std::vector<int64_t>& upsampleSize,
                        const nn::ForwardHooks* hooks);
  int64_t numResnets() const { return static_cast<int64_t>(resnetList.size()); }

  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr}, upsamplers{nullptr};
  std::vector<nn::ResnetBlock2D> resnetList;
  std::vector<nn::Transformer2DModel> attentionList;
  nn::Upsample2D upsampler{nullptr};
};
TORCH_MODULE(UNetUpBlock);

}  // namespace latentshop
