// The tensor core of SD inpainting, step for step as diffusers' StableDiffusionInpaintPipeline
// (diffusers/src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion_inpaint.py, 0.26.3,
// __call__ from "set timesteps" to the VAE decode):
//  - timesteps: set_timesteps(steps), then get_timesteps(steps, strength);
//  - initial latents (prepare_latents): strength 1 → noise · init_noise_sigma, else
//    add_noise(image latents, noise, first timestep); a given `latents` is the noise (× sigma);
//  - 9-channel UNets: UNet input = scale_model_input(latents) ‖ mask (nearest-resized) ‖ masked
//    image latents (0.18215 · posterior sample of image · (mask < 0.5));
//  - 4-channel UNets (blended latents): after every step, outside the mask the latents are the
//    image latents re-noised to the next timestep with the initial noise (the last step: the clean
//    image latents);
//  - classifier-free guidance when guidance > 1: batch [uncond, text], ε = ε_u + g·(ε_t − ε_u);
//  - randomness in diffusers' order from one generator: image posterior noise (when strength < 1
//    or 4 channels), initial noise, masked-image posterior noise, then whatever the scheduler's
//    steps draw. Recorded draws may replace each of them (the parity harness); the generator, when
//    given, still advances past a replaced draw so later draws stay in step with diffusers.
// The inputs are what VaeImageProcessor.preprocess produces; sd_inpaint.h turns user images into them.
#pragma once
#include <optional>

#include <torch/torch.h>

#include "engine/models/stable_diffusion_model.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/schedulers/scheduler.h"

namespace latentshop {

struct InpaintDenoiseInput {
  torch::Tensor image;  // init_image: float [1, 3, H, W] in [-1, 1]; H, W multiples of the VAE factor
  torch::Tensor mask;   // mask_condition: float [1, 1, H, W], 0/1 (1 = repaint)
  torch::Tensor promptEmbeds;          // [1, 77, C]
  torch::Tensor negativePromptEmbeds;  // [1, 77, C]; used when guidanceScale > 1
  int64_t steps = 30;
  double guidanceScale = 7.5;
  double strength = 1.0;
  double eta = 0.0;  // DDIM only

  torch::Tensor latents;                    // diffusers' `latents=` argument (optional)
  torch::Tensor noiseImagePosterior;        // recorded draws (optional), [1, 4, h, w] each
  torch::Tensor noiseLatents;
  torch::Tensor noiseMaskedImagePosterior;
  std::optional<at::Generator> generator;   // draws what is not given (required then)
  bool recordUnet = false;                  // keep every UNet input and (guided) output
};

struct InpaintDenoiseOutput {
  torch::Tensor timesteps;           // the timesteps run [n] (int64 or float32)
  torch::Tensor latentsPerStep;      // [n, 1, 4, h, w], after each step (and the blend)
  torch::Tensor latents;             // the final latents
  torch::Tensor decoded;             // vae.decode(latents / scaling_factor): [1, 3, H, W]
  torch::Tensor maskLatent;          // [1, 1, h, w]
  torch::Tensor maskedImageLatents;  // [1, 4, h, w] (9-channel UNets)
  torch::Tensor imageLatents;        // [1, 4, h, w] when computed (strength < 1, 4-channel UNets)
  torch::Tensor unetInputs;          // [n, B, C, h, w] when recordUnet
  torch::Tensor unetOutputs;         // [n, B, 4, h, w] (before guidance) when recordUnet
};

// Throws Error for a UNet that takes neither 9 nor 4 channels, sizes that are not multiples of the
// VAE factor, strength/steps leaving no step, or a draw needed with neither recording nor generator.
InpaintDenoiseOutput runInpaintDenoise(const StableDiffusionModel& model, Scheduler& scheduler,
                                       const InpaintDenoiseInput& input, const StepObserver& observer = {});

// The shared loop helpers of both pipelines.
namespace sdloop {
// `given` (moved to `options`, shape checked) or a draw from `generator`; with both, the generator
// advances by one draw and `given` is returned. `what` names the draw in errors.
torch::Tensor drawOrGiven(const torch::Tensor& given, std::optional<at::Generator>& generator,
                          at::IntArrayRef shape, const torch::TensorOptions& options, const char* what);
// The scheduler options of a step as prepare_extra_step_kwargs builds them (eta, generator).
StepOptions stepOptions(double eta, const std::optional<at::Generator>& generator);
}  // namespace sdloop

}  // namespace latentshop
