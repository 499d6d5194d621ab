// TAESD, the tiny distilled SD autoencoder (madebyollin/taesd), as diffusers' AutoencoderTiny:
// parameters registered under diffusers' state-dict names (`decoder.layers.N...`,
// `encoder.layers.N...`, blocks' `conv.0/2/4` and `skip`) so a diffusers AutoencoderTiny folder
// binds with no renaming. Used for live previews: decode(x0 latents in UNet space) -> [-1, 1].
// References: diffusers/src/diffusers/models/autoencoders/autoencoder_tiny.py (AutoencoderTiny),
// .../autoencoders/vae.py (EncoderTiny, DecoderTiny), .../unets/unet_2d_blocks.py
// (AutoencoderTinyBlock), diffusers 0.26.3; madebyollin/taesd taesd.py (the original, whose
// Sequential puts the Clamp at index 0, so its indices are diffusers' + 1).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace latentshop {

// AutoencoderTiny's config.json keys, diffusers' defaults (the real TAESD for SD 1.x/2.x).
struct AutoencoderTinyConfig {
  int64_t inChannels = 3;
  int64_t outChannels = 3;
  std::vector<int64_t> encoderBlockOutChannels{64, 64, 64, 64};
  std::vector<int64_t> decoderBlockOutChannels{64, 64, 64, 64};
  std::string actFn = "relu";  // relu | silu | swish | gelu | mish
  int64_t latentChannels = 4;
  int64_t upsamplingScalingFactor = 2;
  std::vector<int64_t> numEncoderBlocks{1, 3, 3, 3};
  std::vector<int64_t> numDecoderBlocks{3, 3, 3, 1};
  double latentMagnitude = 3.0;
  double latentShift = 0.5;
  double scalingFactor = 1.0;

  // Unknown keys ignored, absent ones default; throws Error("<source>: <key>: ...") on bad values.
  static AutoencoderTinyConfig fromJson(const nlohmann::json& config, const std::string& source = "config.json");
  nlohmann::json toJson() const;
};

// conv3x3 -> act -> conv3x3 -> act -> conv3x3, plus a 1x1 `skip` (no bias) when the channel count
// changes, then ReLU (`fuse`): relu(conv(x) + skip(x)).
class AutoencoderTinyBlockImpl : public torch::nn::Module {
public:
  AutoencoderTinyBlockImpl(int64_t inChannels, int64_t outChannels, const std::string& actFn);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::Sequential conv_{nullptr};
  torch::nn::Conv2d skip_{nullptr};
};
TORCH_MODULE(AutoencoderTinyBlock);

// EncoderTiny: image in [-1, 1] -> latents (maps to [0, 1] first, as TAESD expects).
class TaesdEncoderImpl : public torch::nn::Module {
public:
  explicit TaesdEncoderImpl(const AutoencoderTinyConfig& config);
  torch::Tensor forward(const torch::Tensor& image);

private:
  torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(TaesdEncoder);

// DecoderTiny: latents -> image in [-1, 1]; the input is soft-clamped with tanh(x / 3) * 3.
class TaesdDecoderImpl : public torch::nn::Module {
public:
  explicit TaesdDecoderImpl(const AutoencoderTinyConfig& config);
  torch::Tensor forward(const torch::Tensor& latents);

private:
  torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(TaesdDecoder);

// AutoencoderTiny with an optional encoder (previews need only the decoder).
class AutoencoderTinyImpl : public torch::nn::Module {
public:
  explicit AutoencoderTinyImpl(const AutoencoderTinyConfig& config, bool withEncoder = true);
  const AutoencoderTinyConfig& config() const { return config_; }
  bool hasEncoder() const { return !encoder_.is_empty(); }
  // image [B, in, H, W] in [-1, 1] -> latents [B, latent, H/8, W/8] (throws Error without encoder)
  torch::Tensor encode(const torch::Tensor& image);
  // latents [B, latent, h, w] -> image [B, out, 8h, 8w] in about [-1, 1] (not clamped)
  torch::Tensor decode(const torch::Tensor& latents);

private:
  AutoencoderTinyConfig config_;
  TaesdEncoder encoder_{nullptr};
  TaesdDecoder decoder_{nullptr};
};
TORCH_MODULE(AutoencoderTiny);

}  // namespace latentshop
