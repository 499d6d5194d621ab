// AutoencoderKL configuration: a diffusers `vae/config.json` with diffusers' defaults for absent keys.
// Reference: diffusers/src/diffusers/models/autoencoders/autoencoder_kl.py (__init__, v0.26.3) plus the
// later optional keys shift_factor, use_quant_conv, use_post_quant_conv, mid_block_add_attention.
// Block types: DownEncoderBlock2D / UpDecoderBlock2D (others are refused with an Error naming them).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentshop {

struct AutoencoderKLConfig {
  int64_t inChannels = 3;
  int64_t outChannels = 3;
  std::vector<std::string> downBlockTypes{"DownEncoderBlock2D"};
  std::vector<std::string> upBlockTypes{"UpDecoderBlock2D"};
  std::vector<int64_t> blockOutChannels{64};
  int64_t layersPerBlock = 1;
  std::string actFn = "silu";
  int64_t latentChannels = 4;
  int64_t normNumGroups = 32;
  int64_t sampleSize = 32;
  double scalingFactor = 0.18215;
  std::optional<double> shiftFactor;  // absent: none (SD 1.x/2.x)
  bool forceUpcast = true;            // pipelines decode in fp32 when the model runs in fp16
  bool useQuantConv = true;
  bool usePostQuantConv = true;
  bool midBlockAddAttention = true;

  // Spatial factor between image and latent: 2^(levels - 1) (8 for SD).
  int64_t downscaleFactor() const { return int64_t{1} << (blockOutChannels.size() - 1); }

  // The SD 1.x VAE (stabilityai/sd-vae-ft-mse / runwayml/stable-diffusion-v1-5 vae/config.json).
  static AutoencoderKLConfig stableDiffusion();
  static AutoencoderKLConfig fromJson(const nlohmann::json& json, const std::string& source);
  static AutoencoderKLConfig fromFile(const std::string& path);
};

}  // namespace latentshop
