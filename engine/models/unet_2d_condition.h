// UNet2DConditionModel (SD 1.x / 2.x UNets: plain, inpainting with 9 input channels, InstructPix2Pix
// with 8) built from its config, with diffusers' parameter names, so a diffusers state dict binds with
// no renaming (engine/io/state_dict.h, strict).
// Reference: diffusers/src/diffusers/models/unets/unet_2d_condition.py (v0.26.3, forward()).
//
// Hooks for the pipelines (see engine/nn/forward_hooks.h):
//  - decoder features (DragDiffusion's `all_intermediate_features`): with
//    UNetForwardOptions::returnDecoderFeatures, UNetOutput::decoderFeatures[0] is the mid-block output
//    and [1 + i] the output of up_blocks[i] (after its upsampler).
//  - attention control: ForwardHooks::attention sees every Attention call in forward order
//    (down_blocks → mid_block → up_blocks; attn1 then attn2 in each transformer block).
//  - intermediate recorder: ForwardHooks::recorder receives module outputs by path
//    ("time_proj", "time_embedding", "conv_in", "down_blocks.0.resnets.0.norm1", ..., "conv_out").
//  - LoRA on every attention projection: engine/models/unet_lora.h.
//
// Parameters are created uninitialised (torch::empty) in the requested dtype/device; bind weights or
// fill them before use. Run under torch::InferenceMode (or NoGradGuard) for speed and memory; with
// grad mode on the forward is differentiable (LoRA training, DragDiffusion's motion supervision).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "engine/models/unet_2d_blocks.h"
#include "engine/models/unet_2d_condition_config.h"
#include "engine/nn/attention.h"
#include "engine/nn/basic_layers.h"
#include "engine/nn/forward_hooks.h"
#include "engine/nn/timestep_embedding.h"

namespace latentshop {

// A timestep as diffusers accepts it: a Python int (→ int64), a float (→ float64), a 0-d tensor, or
// a 1-D tensor of 1 or batch values. Broadcast to the batch inside forward().
struct Timestep {
  torch::Tensor value;
  Timestep(int t);      // NOLINT(google-explicit-constructor): mirrors Python's implicit scalars
  Timestep(int64_t t);  // NOLINT
  Timestep(double t);   // NOLINT
  Timestep(torch::Tensor t);  // NOLINT
};

struct UNetForwardOptions {
  const nn::ForwardHooks* hooks = nullptr;
  bool returnDecoderFeatures = false;
};

struct UNetOutput {
  torch::Tensor sample;                      // [B, out_channels, H, W], contiguous
  std::vector<torch::Tensor> decoderFeatures;  // [0] mid block, [1 + i] up_blocks[i] (when requested)
};

class UNet2DConditionModelImpl : public torch::nn::Module {
public:
  explicit UNet2DConditionModelImpl(UNet2DConditionConfig config, const torch::TensorOptions& options = {});

  // sample [B, in_channels, H, W]; encoderHiddenStates [B, M, cross_attention_dim]. Inputs are
  // converted to the model's dtype/device; the timestep embedding is computed in float32 then cast.
  UNetOutput forward(const torch::Tensor& sample, const Timestep& timestep, const torch::Tensor& encoderHiddenStates,
                     const UNetForwardOptions& options = {});

  const UNet2DConditionConfig& config() const { return config_; }
  c10::ScalarType dtype() const { return conv_in->weight.scalar_type(); }
  torch::Device device() const { return conv_in->weight.device(); }

  // Every Attention module with its path, in the order forward() calls them (2 per transformer block).
  std::vector<std::pair<std::string, nn::Attention>> attentionModules() const;

  // Computes in channels-last memory format (faster convolutions and group norms on CPU, zero-copy
  // entry/exit of the transformer blocks) and stores the 3×3 conv weights channels-last. On by
  // default on CPU; the output is the same.
  void setChannelsLast(bool on);
  bool channelsLast() const { return channelsLast_; }

  nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  nn::TimestepEmbedding time_embedding{nullptr};
  torch::nn::ModuleList down_blocks{nullptr}, up_blocks{nullptr};
  UNetMidBlock2DCrossAttn mid_block{nullptr};
  nn::GroupNorm conv_norm_out{nullptr};
  std::vector<UNetDownBlock> downBlocks;
  std::vector<UNetUpBlock> upBlocks;

private:
  UNet2DConditionConfig config_;
  nn::Activation act_;
  std::optional<nn::Activation> timeEmbedAct_;
  int64_t numUpsamplers_ = 0;
  bool channelsLast_ = true;
};
TORCH_MODULE(UNet2DConditionModel);

}  // namespace latentshop
