// LoRA on the UNet's attention projections, as DragDiffusion's train_lora sets it up
// (Yujun-Shi/DragDiffusion utils/lora_utils.py; diffusers LoRALinearLayer): a rank-r LoRA on to_q,
// to_k, to_v and to_out.0 of every Attention module (attn1 and attn2 of every transformer block;
// SD 1.5: 32 modules → 128 layers → 256 tensors), down ~ N(0, (1/r)²), up = 0, scale 1.
//
// LoRA weights live beside the base weights (never registered as module parameters), so binding a
// base state dict, parameters() and the model cache ignore them. Their state-dict keys are
// "<module>.<to_q|to_k|to_v|to_out.0>.lora.<down|up>.weight" (diffusers' unet_lora_state_dict);
// files are written with diffusers' "unet." prefix (LoraLoaderMixin.save_lora_weights). Loading accepts
// keys with or without "unet.", and the older attention-processor names
// "<module>.processor.<to_q_lora|to_k_lora|to_v_lora|to_out_lora>.<down|up>.weight".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "engine/io/state_dict.h"
#include "engine/models/unet_2d_condition.h"

namespace latentshop {

struct UNetLoraOptions {
  int64_t rank = 16;
  std::optional<c10::ScalarType> dtype;  // default: the UNet's dtype (train in fp32 by passing kFloat)
  bool requiresGrad = true;              // trainable leaves
  std::optional<uint64_t> seed;          // for the N(0, 1/r) init of the down weights
};

// Installs fresh LoRA layers on every attention projection (replacing any present).
void addUNetLora(UNet2DConditionModelImpl& unet, const UNetLoraOptions& options = {});
// Removes every LoRA layer.
void removeUNetLora(UNet2DConditionModelImpl& unet);
// cross_attention_kwargs["scale"]: y = Wx + b + scale · up(down(x)).
void setUNetLoraScale(UNet2DConditionModelImpl& unet, double scale);
// Switches the installed LoRA layers off (plain base model) or on, without removing them.
void setUNetLoraEnabled(UNet2DConditionModelImpl& unet, bool enabled);
// Number of projections that carry a LoRA.
int64_t countUNetLoraLayers(const UNet2DConditionModelImpl& unet);

// The LoRA tensors by key (the live tensors, not copies; for an optimizer or for saving).
StateDict unetLoraStateDict(const UNet2DConditionModelImpl& unet);
std::vector<torch::Tensor> unetLoraParameters(const UNet2DConditionModelImpl& unet);

// Installs LoRA layers from a state dict (copied, converted to `dtype` or the UNet's dtype, on the
// UNet's device). Throws latentshop::Error("<source>: ...") listing unknown keys, layers with only one
// of down/up, and shape mismatches; nothing is installed in that case.
void loadUNetLora(UNet2DConditionModelImpl& unet, const StateDict& dict, const std::string& source,
                  std::optional<c10::ScalarType> dtype = std::nullopt);
void loadUNetLoraFile(UNet2DConditionModelImpl& unet, const std::string& path,
                      std::optional<c10::ScalarType> dtype = std::nullopt);
// Writes "unet.<key>" tensors (fp32 unless `dtype`) to a .safetensors file.
void saveUNetLoraFile(const UNet2DConditionModelImpl& unet, const std::string& path,
                      std::optional<c10::ScalarType> dtype = c10::kFloat);

}  // namespace latentshop
