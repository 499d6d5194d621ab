// The tensor core of instruction editing, step for step as diffusers'
// StableDiffusionInstructPix2PixPipeline (diffusers/src/diffusers/pipelines/stable_diffusion/
// pipeline_stable_diffusion_instruct_pix2pix.py, 0.26.3, __call__ from "set timesteps" to the
// decode):
//  - image latents = the VAE posterior's mode (its mean), NOT multiplied by the scaling factor;
//  - guidance when guidance > 1 and image guidance >= 1: UNet batch [text, image-only, uncond]
//    with embeddings [prompt, negative, negative] and image latents [img, img, 0];
//    ε = ε_u + s_t·(ε_text − ε_img) + s_i·(ε_img − ε_u);
//  - UNet input = scale_model_input(latents ×3) ‖ image latents (8 channels);
//  - the guided ε goes to scheduler.step for every scheduler (0.26.3 no longer has the older
//    "sigma space" hack, which was the same linear combination taken on x0);
//  - latents = noise · init_noise_sigma (noise = `latents` when given, else the generator's first
//    draw); the scheduler's own draws (Euler a) follow from the same generator.
#pragma once
#include <optional>

#include <torch/torch.h>

#include "engine/models/stable_diffusion_model.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/schedulers/scheduler.h"

namespace latentshop {

struct InstructDenoiseInput {
  torch::Tensor image;                 // float [1, 3, H, W] in [-1, 1]; H, W multiples of the VAE factor
  torch::Tensor promptEmbeds;          // [1, 77, C] of the instruction
  torch::Tensor negativePromptEmbeds;  // [1, 77, C] ("" unless a negative prompt is given)
  int64_t steps = 20;
  double guidanceScale = 7.5;
  double imageGuidanceScale = 1.5;
  double eta = 0.0;
  torch::Tensor latents;                   // diffusers' `latents=` argument (optional)
  torch::Tensor noiseLatents;              // a recorded draw replacing the generator's first (optional)
  std::optional<at::Generator> generator;  // draws the noise when `latents` is not given
  bool recordUnet = false;
};

struct InstructDenoiseOutput {
  torch::Tensor timesteps;       // [n]
  torch::Tensor latentsPerStep;  // [n, 1, 4, h, w]
  torch::Tensor latents;         // final
  torch::Tensor decoded;         // [1, 3, H, W]
  torch::Tensor imageLatents;    // [1, 4, h, w] (posterior mode, unscaled)
  torch::Tensor unetInputs;      // [n, B, 8, h, w] when recordUnet
  torch::Tensor unetOutputs;     // [n, B, 4, h, w] when recordUnet
};

// Throws Error for a UNet that does not take 8 channels, sizes that are not multiples of the VAE
// factor, or no noise source.
InstructDenoiseOutput runInstructDenoise(const StableDiffusionModel& model, Scheduler& scheduler,
                                         const InstructDenoiseInput& input, const StepObserver& observer = {});

}  // namespace latentshop
