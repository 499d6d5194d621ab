// AutoencoderKL (the SD VAE) built from its config with diffusers' parameter names: encode → diagonal
// Gaussian posterior (mean, logvar clamped to [-30, 20], std = exp(logvar / 2)); decode =
// post_quant_conv → decoder (no latent scaling: use scaleLatents / unscaleLatents around it).
// Reference: diffusers/src/diffusers/models/autoencoders/autoencoder_kl.py and vae.py
// (DiagonalGaussianDistribution), v0.26.3. Large latents are tiled by a memory budget
// (engine/models/autoencoder_kl_tiling.h: same result in bands); no slicing.
//
// Old diffusers checkpoints name the mid-block attention query/key/value/proj_attn:
// convertDeprecatedAttentionKeys() renames them (call it on the state dict before binding).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "engine/io/state_dict.h"
#include "engine/models/autoencoder_kl_blocks.h"
#include "engine/models/autoencoder_kl_tiling.h"
#include "engine/models/autoencoder_kl_config.h"
#include "engine/nn/basic_layers.h"
#include "engine/nn/forward_hooks.h"

namespace latentshop {

struct DiagonalGaussianDistribution {
  torch::Tensor mean, logvar, std;  // [B, latent_channels, h, w]
  // mean + std · noise (noise of the same shape, e.g. torch.randn with a seeded generator).
  torch::Tensor sample(const torch::Tensor& noise) const;
  // Draws the noise like diffusers' randn_tensor with a CPU torch.Generator: same numbers as
  // torch.randn(shape, generator=torch.Generator().manual_seed(seed)) for a float32 model.
  torch::Tensor sample(at::Generator generator) const;
  torch::Tensor mode() const { return mean; }
};

class AutoencoderKLImpl : public torch::nn::Module {
public:
  explicit AutoencoderKLImpl(AutoencoderKLConfig config, const torch::TensorOptions& options = {});

  // image [B, in_channels, H, W] in [-1, 1]. Recorded paths: "encoder.*", "quant_conv".
  // Tiled when its working memory exceeds the tiling policy's budget (never while hooks record).
  DiagonalGaussianDistribution encode(const torch::Tensor& image, const nn::ForwardHooks* hooks = nullptr);
  // latent [B, latent_channels, h, w] (unscaled). Recorded paths: "post_quant_conv", "decoder.*".
  torch::Tensor decode(const torch::Tensor& latent, const nn::ForwardHooks* hooks = nullptr);
  // decode(posterior mode) — diffusers' forward(sample_posterior=False).
  torch::Tensor forward(const torch::Tensor& image);

  // Pipelines' conventions: latents = (z - shift) · scaling_factor, and back.
  torch::Tensor scaleLatents(const torch::Tensor& z) const;
  torch::Tensor unscaleLatents(const torch::Tensor& latents) const;

  const AutoencoderKLConfig& config() const { return config_; }
  c10::ScalarType dtype() const { return decoder->conv_in->weight.scalar_type(); }
  torch::Device device() const { return decoder->conv_in->weight.device(); }
  void setChannelsLast(bool on);
  // This model's tiling policy instead of the process-wide one (tests, benchmarks); nullopt = shared.
  void setTilingPolicy(std::optional<VaeTilingPolicy> policy) { tiling_ = policy; }
  VaeTilingPolicy tilingPolicy() const { return tiling_ ? *tiling_ : vaeTilingPolicy(); }
  // Whether decode / encode of `batch` latents of h × w run in bands under the current policy.
  bool tiles(int64_t batch, int64_t h, int64_t w) const;
  bool channelsLast() const { return channelsLast_; }

  VaeEncoder encoder{nullptr};
  VaeDecoder decoder{nullptr};
  nn::Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};

private:
  AutoencoderKLConfig config_;
  bool channelsLast_ = true;
  std::optional<VaeTilingPolicy> tiling_;
};
TORCH_MODULE(AutoencoderKL);

// Renames "<...>.query|key|value|proj_attn.weight|bias" (old diffusers VAE attention names) to
// to_q / to_k / to_v / to_out.0, and reshapes 1×1-conv weights [C, C, 1, 1] to Linear [C, C].
// Keys already in the current naming are left alone. Returns the number of renamed keys.
int64_t convertDeprecatedAttentionKeys(StateDict& dict);

}  // namespace latentshop
