// The VAE's Encoder and Decoder with their blocks: DownEncoderBlock2D, UpDecoderBlock2D and
// UNetMidBlock2D (resnet → Attention with group_norm, residual and fp32 softmax → resnet), under
// diffusers' names. No time embedding anywhere; every norm uses eps 1e-6.
// Reference: diffusers/src/diffusers/models/autoencoders/vae.py (Encoder, Decoder) and
// unets/unet_2d_blocks.py (DownEncoderBlock2D, UpDecoderBlock2D, UNetMidBlock2D).
#pragma once
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "engine/models/autoencoder_kl_config.h"
#include "engine/nn/activation.h"
#include "engine/nn/attention.h"
#include "engine/nn/basic_layers.h"
#include "engine/nn/downsample_2d.h"
#include "engine/nn/forward_hooks.h"
#include "engine/nn/module_base.h"
#include "engine/nn/resnet_block.h"
#include "engine/nn/upsample_2d.h"

namespace latentshop {

// DownEncoderBlock2D (downsampler padding 0) or UpDecoderBlock2D: resnets then an optional sampler.
class VaeResnetStackImpl : public nn::PathedModule {
public:
  VaeResnetStackImpl(int64_t numLayers, int64_t in, int64_t out, bool downsample, bool upsample, int64_t groups,
                     nn::Activation act, const torch::TensorOptions& t);
  torch::Tensor forward(const torch::Tensor& x, const nn::ForwardHooks* hooks);

  torch::nn::ModuleList resnets{nullptr}, downsamplers{nullptr}, upsamplers{nullptr};
  std::vector<nn::ResnetBlock2D> resnetList;
  nn::Downsample2D downsampler{nullptr};
  nn::Upsample2D upsampler{nullptr};
};
TORCH_MODULE(VaeResnetStack);

// UNetMidBlock2D as the VAE builds it (one attention layer, one head of all channels).
class VaeMidBlockImpl : public nn::PathedModule {
public:
  VaeMidBlockImpl(int64_t channels, int64_t groups, nn::Activation act, bool addAttention,
                  const torch::TensorOptions& t);
  torch::Tensor forward(const torch::Tensor& x, const nn::ForwardHooks* hooks);

  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr};
  std::vector<nn::ResnetBlock2D> resnetList;
  nn::Attention attention{nullptr};
};
TORCH_MODULE(VaeMidBlock);

class VaeEncoderImpl : public nn::PathedModule {
public:
  VaeEncoderImpl(const AutoencoderKLConfig& config, const torch::TensorOptions& t);
  torch::Tensor forward(const torch::Tensor& image, const nn::ForwardHooks* hooks);

  nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  torch::nn::ModuleList down_blocks{nullptr};
  std::vector<VaeResnetStack> downBlocks;
  VaeMidBlock mid_block{nullptr};
  nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(VaeEncoder);

class VaeDecoderImpl : public nn::PathedModule {
public:
  VaeDecoderImpl(const AutoencoderKLConfig& config, const torch::TensorOptions& t);
  torch::Tensor forward(const torch::Tensor& latent, const nn::ForwardHooks* hooks);

  nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  VaeMidBlock mid_block{nullptr};
  torch::nn::ModuleList up_blocks{nullptr};
  std::vector<VaeResnetStack> upBlocks;
  nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(VaeDecoder);

}  // namespace latentshop
