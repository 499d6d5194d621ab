// Single-file SD 1.x checkpoints (CompVis/LDM layout, as A1111/ComfyUI users have them) mapped to
// diffusers/transformers state dicts, generically from the UNet/VAE configs:
//   model.diffusion_model.*           → UNet2DConditionModel (input_blocks/middle_block/output_blocks ↔
//                                       down_blocks/mid_block/up_blocks; in_layers/emb_layers/out_layers/
//                                       skip_connection ↔ norm1,conv1/time_emb_proj/norm2,conv2/conv_shortcut;
//                                       op ↔ downsamplers.0.conv; time_embed ↔ time_embedding; out ↔ conv_norm_out/conv_out)
//   first_stage_model.*                → AutoencoderKL (down/up ↔ down_blocks/up_blocks, the decoder's order
//                                       reversed; block_1/attn_1/block_2 ↔ mid_block; nin_shortcut ↔
//                                       conv_shortcut; norm_out ↔ conv_norm_out; the attention's 1×1 convs
//                                       q/k/v/proj_out ↔ linears to_q/to_k/to_v/to_out.0, reshaped [C,C,1,1] → [C,C];
//                                       norm ↔ group_norm)
//   cond_stage_model.transformer.*     → CLIPTextModel ("text_model." added when the file lacks it)
// The mapped tensors are views of the file's tensors (no copies; the VAE reshape is a view too).
// Keys the table does not know stay under their original name, so strict binding reports them.
// Reference: huggingface/diffusers src/diffusers/pipelines/stable_diffusion/convert_from_ckpt.py
// (convert_ldm_unet_checkpoint, convert_ldm_vae_checkpoint, convert_ldm_clip_checkpoint).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/io/state_dict.h"

namespace latentshop {

inline constexpr const char* kLdmUnetPrefix = "model.diffusion_model.";
inline constexpr const char* kLdmVaePrefix = "first_stage_model.";
inline constexpr const char* kLdmClipPrefix = "cond_stage_model.transformer.";

enum class CheckpointFamily { StableDiffusion1, StableDiffusion2, StableDiffusionXL, Unknown };
// From the key names alone: SD 1.x has cond_stage_model.transformer.*, SD 2.x OpenCLIP's
// cond_stage_model.model.*, SDXL conditioner.embedders.*.
CheckpointFamily detectCheckpointFamily(const StateDict& file);
const char* toString(CheckpointFamily family);

// Original-layout key (without its prefix) → diffusers key; empty when the table has no entry.
std::string mapLdmUnetKey(const std::string& key, const nlohmann::json& unetConfig);
std::string mapLdmVaeKey(const std::string& key, const nlohmann::json& vaeConfig);
std::string mapLdmClipKey(const std::string& key);

struct SingleFileStateDicts {
  StateDict unet;         // diffusers UNet2DConditionModel keys
  StateDict vae;          // diffusers AutoencoderKL keys
  StateDict textEncoder;  // transformers CLIPTextModel keys
  std::vector<std::string> ignored;  // keys outside the three prefixes (EMA copies, noise-schedule buffers)
};

// Splits and renames every tensor of an original SD 1.x checkpoint.
SingleFileStateDicts convertLdmCheckpoint(const StateDict& file, const nlohmann::json& unetConfig,
                                          const nlohmann::json& vaeConfig);

}  // namespace latentshop
