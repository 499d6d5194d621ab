// Live previews of a running diffusion job: after every step the pipeline hands the scheduler's
// x0 prediction (latents in UNet space, i.e. already multiplied by the VAE scaling factor
// 0.18215) to a PreviewDecoder and shows the RGB image it returns.
//
//  - Linear projection (always available, ~free): the 4x3 latent->RGB factors other SD tools use
//    for SD 1.x latents, from ComfyUI comfy/latent_formats.py `SD15.latent_rgb_factors` (no bias
//    for SD 1.5 there; `latent_rgb_factors_bias` is zero), mapped to pixels as ComfyUI's
//    latent_preview.py `preview_to_image` does: clamp(-1, 1), (x + 1) * 127.5, round.
//  - TAESD (engine/models/taesd.h) when the user configured one: the tiny decoder's output,
//    (x + 1) / 2 clamped to [0, 1], * 255, rounded.
// Both return RGB CV_8UC3 images (the first batch item), resized to the requested size.
#pragma once
#include <array>
#include <memory>
#include <string>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "engine/models/autoencoder_kl.h"
#include "engine/models/taesd.h"

namespace latentshop {

// ComfyUI's SD 1.5 factors: rgb[c] = sum_k latent[k] * kSd15LatentRgbFactors[k][c] + bias[c].
extern const std::array<std::array<float, 3>, 4> kSd15LatentRgbFactors;
extern const std::array<float, 3> kSd15LatentRgbBias;

// latents [4, h, w] or [B, 4, h, w] (first item), any float dtype/device -> RGB CV_8UC3 of `size`
// (bilinear upscaling from h x w; an empty size keeps h x w). Throws Error for other shapes.
cv::Mat latentToRgbPreview(const torch::Tensor& latents, cv::Size size = {});

// [3, H, W] or [B, 3, H, W] image in [-1, 1] -> RGB CV_8UC3 of `size` (empty: H x W).
cv::Mat imageTensorToRgb(const torch::Tensor& image, cv::Size size = {});

class PreviewDecoder {
public:
  virtual ~PreviewDecoder() = default;
  // "linear" or "taesd"
  virtual std::string name() const = 0;
  // x0 latents in UNet space -> RGB CV_8UC3 of `size` (empty: the decoder's native size:
  // latent size for linear, 8x for TAESD). Safe to call from the engine's worker thread.
  virtual cv::Mat decode(const torch::Tensor& latents, cv::Size size = {}) = 0;
};

class LinearPreviewDecoder : public PreviewDecoder {
public:
  std::string name() const override { return "linear"; }
  cv::Mat decode(const torch::Tensor& latents, cv::Size size = {}) override { return latentToRgbPreview(latents, size); }
};

class TaesdPreviewDecoder : public PreviewDecoder {
public:
  // Takes the model over (on the CPU its conv weights are made channels-last, ~2x faster).
  explicit TaesdPreviewDecoder(AutoencoderTiny model);
  std::string name() const override { return "taesd"; }
  cv::Mat decode(const torch::Tensor& latents, cv::Size size = {}) override;

private:
  AutoencoderTiny model_;
};

// The model's own VAE decoder, for models whose VAE is small enough to decode every step for
// nothing (the built-in demo models': their latents are not SD 1.5's, so the linear factors would
// show noise). Output as imageTensorToRgb.
class VaePreviewDecoder : public PreviewDecoder {
public:
  explicit VaePreviewDecoder(AutoencoderKL vae) : vae_(std::move(vae)) {}
  std::string name() const override { return "vae"; }
  cv::Mat decode(const torch::Tensor& latents, cv::Size size = {}) override;

private:
  AutoencoderKL vae_;
};
// True for VAEs of at most 4 M parameters (SD's has 84 M), whose decode costs less than a linear
// projection's share of a step.
bool vaeCheapEnoughToPreview(const AutoencoderKLImpl& vae);

// TAESD when `taesdPath` is non-empty (a diffusers AutoencoderTiny folder or taesd_decoder.safetensors,
// see engine/models/taesd_loader.h; loading errors propagate as Error naming the path), else linear.
std::unique_ptr<PreviewDecoder> makePreviewDecoder(const std::string& taesdPath = "",
                                                   torch::Device device = torch::kCPU);

}  // namespace latentshop
