// A loaded Stable Diffusion 1.x model: tokenizer, text encoder, UNet, VAE and the scheduler config,
// all on one device in one compute dtype. Built by engine/models/stable_diffusion_loader.h from a
// diffusers folder or a single-file checkpoint; shared (read-only) between jobs through the ModelCache.
// Reference: huggingface/diffusers StableDiffusionPipeline / StableDiffusionInpaintPipeline /
// StableDiffusionInstructPix2PixPipeline components (pipeline_stable_diffusion*.py).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "engine/models/autoencoder_kl.h"
#include "engine/models/clip_text_model.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/tokenizer/clip_tokenizer.h"

namespace latentshop {

// What the UNet's first convolution takes: 4 latent channels (text-to-image, drag), 9 = latents ‖
// mask ‖ masked-image latents (SD inpainting), 8 = latents ‖ image latents (InstructPix2Pix).
enum class UnetKind { Plain, Inpainting, Instruct };
const char* toString(UnetKind kind);  // "plain", "inpainting", "instruct"
// Throws Error("<source>: ...") for channel counts other than 4, 9 and 8.
UnetKind unetKindFromInChannels(std::int64_t inChannels, const std::string& source);

struct StableDiffusionModel {
  std::string source;   // the folder or file it was loaded from
  std::string format;   // "diffusers" or "single-file"
  UnetKind unetKind = UnetKind::Plain;
  c10::Device device = c10::Device(c10::kCPU);
  c10::ScalarType dtype = c10::kFloat;  // compute dtype of every network
  bool fp16Weights = false;             // the *.fp16.safetensors variants were read

  // Each is null when ModelLoadOptions left it out.
  std::shared_ptr<const ClipTokenizer> tokenizer;
  ClipTextModel textEncoder{nullptr};
  UNet2DConditionModel unet{nullptr};
  AutoencoderKL vae{nullptr};
  // scheduler/scheduler_config.json (single files: SD 1.5's), for the pipelines' scheduler factory.
  nlohmann::json schedulerConfig;
  std::vector<std::string> weightFiles;  // every safetensors file that was read

  // Bytes of parameters held by the networks.
  std::uint64_t parameterBytes() const;
};

}  // namespace latentshop
