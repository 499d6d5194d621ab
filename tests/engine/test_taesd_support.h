// Shared by the TAESD and preview tests: the full-size TAESD key layout (written out by hand from
// the architecture, independently of engine/models/taesd.cpp) and a diffusers AutoencoderTiny
// folder with random weights in that layout.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "engine/io/safetensors.h"

namespace lstest {

using KeyShapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

// madebyollin/taesd (SD 1.x/2.x): 64 channels, latent 4, decoder blocks (3, 3, 3, 1), encoder
// blocks (1, 3, 3, 3). Decoder: 0 conv 4->64 (+bias), 1 ReLU, 2-4 blocks, 5 upsample, 6 conv (no
// bias), 7-9 blocks, 10 upsample, 11 conv, 12-14 blocks, 15 upsample, 16 conv, 17 block, 18 conv
// 64->3 (+bias). Encoder: 0 conv 3->64 (+bias), 1 block, 2 conv stride 2 (no bias), 3-5 blocks,
// 6 conv, 7-9 blocks, 10 conv, 11-13 blocks, 14 conv 64->4 (+bias).
inline KeyShapes taesdKeyLayout(bool withEncoder = true) {
  KeyShapes k;
  auto block = [&](const std::string& p) {
    for (int c : {0, 2, 4}) {
      k.push_back({p + ".conv." + std::to_string(c) + ".weight", {64, 64, 3, 3}});
      k.push_back({p + ".conv." + std::to_string(c) + ".bias", {64}});
    }
  };
  const std::string d = "decoder.layers.";
  k.push_back({d + "0.weight", {64, 4, 3, 3}});
  k.push_back({d + "0.bias", {64}});
  for (int i : {2, 3, 4, 7, 8, 9, 12, 13, 14, 17}) block(d + std::to_string(i));
  for (int i : {6, 11, 16}) k.push_back({d + std::to_string(i) + ".weight", {64, 64, 3, 3}});
  k.push_back({d + "18.weight", {3, 64, 3, 3}});
  k.push_back({d + "18.bias", {3}});
  if (withEncoder) {
    const std::string e = "encoder.layers.";
    k.push_back({e + "0.weight", {64, 3, 3, 3}});
    k.push_back({e + "0.bias", {64}});
    for (int i : {1, 3, 4, 5, 7, 8, 9, 11, 12, 13}) block(e + std::to_string(i));
    for (int i : {2, 6, 10}) k.push_back({e + std::to_string(i) + ".weight", {64, 64, 3, 3}});
    k.push_back({e + "14.weight", {4, 64, 3, 3}});
    k.push_back({e + "14.bias", {4}});
  }
  return k;
}

// Random weights (scaled so activations stay O(1)) for a key layout.
inline std::vector<std::pair<std::string, torch::Tensor>> randomWeights(const KeyShapes& layout, uint64_t seed,
                                                                        torch::ScalarType dtype = torch::kFloat32) {
  auto gen = at::detail::createCPUGenerator(seed);
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& [name, shape] : layout) {
    const double fanIn = shape.size() == 4 ? static_cast<double>(shape[1] * shape[2] * shape[3]) : 1.0;
    const double scale = shape.size() == 4 ? 1.0 / std::sqrt(fanIn) : 0.05;
    out.push_back({name, (torch::randn(shape, gen) * scale).to(dtype)});
  }
  return out;
}

// The config.json madebyollin/taesd ships (diffusers adds block_out_channels on save).
inline const char* taesdConfigJson() {
  return R"({"_class_name": "AutoencoderTiny", "_diffusers_version": "0.20.0.dev0", "act_fn": "relu",
  "block_out_channels": [64, 64, 64, 64], "decoder_block_out_channels": [64, 64, 64, 64],
  "encoder_block_out_channels": [64, 64, 64, 64], "force_upcast": false, "in_channels": 3,
  "latent_channels": 4, "latent_magnitude": 3, "latent_shift": 0.5, "num_decoder_blocks": [3, 3, 3, 1],
  "num_encoder_blocks": [1, 3, 3, 3], "out_channels": 3, "scaling_factor": 1.0, "upsampling_scaling_factor": 2})";
}

// Writes <dir>/config.json + <dir>/diffusion_pytorch_model.safetensors; returns dir.
inline std::string writeTaesdFolder(const std::string& dir, const std::vector<std::pair<std::string, torch::Tensor>>& weights,
                                    const std::string& config = taesdConfigJson()) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/config.json") << config;
  latentshop::writeSafetensors(dir + "/diffusion_pytorch_model.safetensors", weights);
  return dir;
}

}  // namespace lstest
