// Test support: the tensor layout of Stable Diffusion 1.x checkpoints, written down independently of
// the engine's key mapping. For a UNet / VAE / CLIP text encoder config it lists every tensor with
// its name in the original CompVis layout (ldm/modules/diffusionmodules/openaimodel.py and model.py,
// as in v1-5-pruned.safetensors), its diffusers/transformers name and its shapes. Tests use it to
// write full-size SD 1.5 files (sparse, header only) and tiny single-file checkpoints.
// The diffusers names are checked against the golden diffusers state dicts in test_checkpoint.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace lstest {

struct LayoutEntry {
  std::string ldm;                     // "model.diffusion_model.input_blocks.1.0.in_layers.0.weight"
  std::string diffusers;               // "down_blocks.0.resnets.0.norm1.weight"
  std::vector<int64_t> ldmShape;       // differs from diffusersShape only for the VAE attention's 1×1 convs
  std::vector<int64_t> diffusersShape;
  c10::ScalarType dtype = c10::kFloat; // int64 for position_ids
};

// diffusers UNet2DConditionModel config (block_out_channels, layers_per_block, down/up_block_types,
// in/out_channels, cross_attention_dim; one transformer layer, 1×1-conv projections as in SD 1.x).
std::vector<LayoutEntry> unetLayout(const nlohmann::json& config);
std::vector<LayoutEntry> vaeLayout(const nlohmann::json& config);
// transformers CLIPTextConfig; with position_ids (the buffer older files carry) when asked.
std::vector<LayoutEntry> clipTextLayout(const nlohmann::json& config, bool withPositionIds);

struct SparseTensor {
  std::string name;
  c10::ScalarType dtype;
  std::vector<int64_t> shape;
};
// A valid safetensors file whose data block is a hole (all zeros, no disk blocks): full-size layouts
// cost only their header.
void writeSparseSafetensors(const std::string& path, const std::vector<SparseTensor>& tensors);

}  // namespace lstest
