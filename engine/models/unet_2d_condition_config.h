// UNet2DConditionModel configuration: a diffusers `unet/config.json` parsed into per-block values with
// diffusers' defaults for absent keys and diffusers' resolution rules (ints broadcast to every block;
// `num_attention_heads` defaults to `attention_head_dim`, which SD 1.x/2.x configs use — a misnomer —
// as the head count; up blocks use the reversed lists).
// Reference: diffusers/src/diffusers/models/unets/unet_2d_condition.py (__init__, v0.26.3).
//
// Supported: CrossAttnDownBlock2D / DownBlock2D, UpBlock2D / CrossAttnUpBlock2D (also with diffusers'
// "UNetRes" prefix), UNetMidBlock2DCrossAttn or no mid block, positional time embedding, any in/out
// channels, per-block lists, use_linear_projection, upcast_attention, only_cross_attention,
// resnet_time_scale_shift default/scale_shift, center_input_sample, conv_in/out kernels.
// Refused with an Error naming the option: dual_cross_attention true, class embeddings
// (class_embed_type / num_class_embeds / class_embeddings_concat), addition_embed_type,
// encoder_hid_dim(_type), time_cond_proj_dim, fourier time embedding, attention_type other than
// "default", cross_attention_norm, norm_num_groups null, other block types.
// Deviation: diffusers 0.26 raises on a non-null `num_attention_heads`; we take it as the head count
// (what the key means), falling back to `attention_head_dim` as diffusers does.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentshop {

struct UNet2DConditionConfig {
  std::optional<std::vector<int64_t>> sampleSize;  // int → {n, n}; informative only
  int64_t inChannels = 4;
  int64_t outChannels = 4;
  bool centerInputSample = false;
  bool flipSinToCos = true;
  double freqShift = 0.0;
  std::vector<std::string> downBlockTypes{"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                          "DownBlock2D"};
  std::optional<std::string> midBlockType = std::string("UNetMidBlock2DCrossAttn");
  std::vector<std::string> upBlockTypes{"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"};
  std::vector<int64_t> blockOutChannels{320, 640, 1280, 1280};
  int64_t downsamplePadding = 1;
  double midBlockScaleFactor = 1.0;
  std::string actFn = "silu";
  int64_t normNumGroups = 32;
  double normEps = 1e-5;
  bool useLinearProjection = false;
  bool upcastAttention = false;
  std::string resnetTimeScaleShift = "default";  // "default" | "scale_shift"
  std::optional<int64_t> timeEmbeddingDim;        // default blockOutChannels[0] * 4
  std::optional<std::string> timeEmbeddingActFn;
  std::optional<std::string> timestepPostAct;
  int64_t convInKernel = 3;
  int64_t convOutKernel = 3;

  // Per down block i (resolved; the up blocks use them reversed, as diffusers does).
  std::vector<int64_t> layersPerBlock;              // default 2
  std::vector<int64_t> transformerLayersPerBlock;   // default 1
  std::vector<int64_t> reverseTransformerLayersPerBlock;  // per up block (reverse of the above unless given)
  std::vector<int64_t> crossAttentionDim;           // default 1280
  std::vector<int64_t> attentionHeadDim;            // as written (default 8)
  std::vector<int64_t> numAttentionHeads;           // resolved head count per block
  std::vector<bool> onlyCrossAttention;             // default false

  // Derived.
  int64_t timeEmbedDim() const { return timeEmbeddingDim.value_or(blockOutChannels.at(0) * 4); }
  std::size_t numBlocks() const { return blockOutChannels.size(); }

  // SD 1.5's UNet: diffusers' defaults with cross_attention_dim 768 and sample_size 64 (the config of
  // runwayml/stable-diffusion-v1-5). A default-constructed struct is NOT resolved: use fromJson.
  static UNet2DConditionConfig stableDiffusion15();
  // Parses and validates; `source` (the file path) prefixes every error message.
  static UNet2DConditionConfig fromJson(const nlohmann::json& json, const std::string& source);
  static UNet2DConditionConfig fromFile(const std::string& path);
};

}  // namespace latentshop
