#include "engine/pipelines/sd_instruct_denoise.h"

#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/pipelines/sd_inpaint_denoise.h"

namespace latentshop {

InstructDenoiseOutput runInstructDenoise(const StableDiffusionModel& model, Scheduler& scheduler,
                                         const InstructDenoiseInput& in, const StepObserver& observer) {
  torch::InferenceMode inference;
  const int64_t channels = model.unet->config().inChannels;
  if (channels != 8) {
    throw fileError(model.source, "the UNet takes " + std::to_string(channels) +
                                      " input channels; instruction editing needs an InstructPix2Pix UNet (8)");
  }
  if (!in.image.defined() || in.image.dim() != 4 || in.image.size(0) != 1 || in.image.size(1) != 3) {
    throw Error("instruct: the image must be a [1, 3, H, W] tensor");
  }
  const int64_t f = vaeScaleFactor(model);
  if (in.image.size(2) % f != 0 || in.image.size(3) % f != 0) {
    throw Error("instruct: image size " + std::to_string(in.image.size(3)) + "x" + std::to_string(in.image.size(2)) +
                " is not a multiple of the VAE factor " + std::to_string(f));
  }
  if (in.steps < 1) throw Error("steps must be at least 1, got " + std::to_string(in.steps));
  const bool cfg = in.guidanceScale > 1.0 && in.imageGuidanceScale >= 1.0;
  if (!in.promptEmbeds.defined() || (cfg && !in.negativePromptEmbeds.defined())) {
    throw Error("instruct: prompt embeddings missing");
  }

  const auto opts = torch::TensorOptions().dtype(model.dtype).device(model.device);
  AutoencoderKL vae = model.vae;
  auto unet = model.unet;
  std::optional<at::Generator> generator = in.generator;
  const auto embeds = cfg ? torch::cat({in.promptEmbeds.to(opts), in.negativePromptEmbeds.to(opts),
                                        in.negativePromptEmbeds.to(opts)})
                          : in.promptEmbeds.to(opts);

  scheduler.setTimesteps(in.steps);
  const torch::Tensor timesteps = scheduler.timesteps();

  InstructDenoiseOutput out;
  out.imageLatents = vae->encode(in.image.to(opts)).mode();
  const auto imageIn = cfg ? torch::cat({out.imageLatents, out.imageLatents, torch::zeros_like(out.imageLatents)})
                           : out.imageLatents;
  const std::vector<int64_t> shape{1, vae->config().latentChannels, out.imageLatents.size(2), out.imageLatents.size(3)};
  torch::Tensor latents;
  if (in.latents.defined()) {
    if (in.latents.sizes() != at::IntArrayRef(shape)) throw Error("latents: has shape " + c10::str(in.latents.sizes()));
    latents = in.latents.to(opts) * scheduler.initNoiseSigma();
  } else {
    latents = sdloop::drawOrGiven(in.noiseLatents, generator, shape, opts, "initial noise") * scheduler.initNoiseSigma();
  }

  const int total = static_cast<int>(timesteps.size(0));
  std::vector<torch::Tensor> perStep, unetIn, unetOut;
  for (int i = 0; i < total; ++i) {
    const auto t = timesteps[i];
    const auto expanded = cfg ? torch::cat({latents, latents, latents}) : latents;
    auto modelInput = torch::cat({scheduler.scaleModelInput(expanded, t), imageIn}, 1);
    auto eps = unet->forward(modelInput, Timestep(t), embeds).sample;
    if (in.recordUnet) {
      unetIn.push_back(modelInput.to(torch::kFloat32).cpu());
      unetOut.push_back(eps.to(torch::kFloat32).cpu());
    }
    if (cfg) {
      const auto parts = eps.chunk(3);  // text, image-only, uncond
      eps = parts[2] + in.guidanceScale * (parts[0] - parts[1]) + in.imageGuidanceScale * (parts[1] - parts[2]);
    }
    const auto step = scheduler.step(eps, t, latents, sdloop::stepOptions(in.eta, generator));
    latents = step.prevSample;
    perStep.push_back(latents.to(torch::kFloat32).cpu());
    if (observer) observer(DenoiseStep{i, total, t, step.predOriginalSample, latents});
  }

  out.timesteps = timesteps;
  out.latentsPerStep = torch::stack(perStep);
  out.latents = latents;
  out.decoded = vae->decode(vae->unscaleLatents(latents));
  if (in.recordUnet) {
    out.unetInputs = torch::stack(unetIn);
    out.unetOutputs = torch::stack(unetOut);
  }
  return out;
}

}  // namespace latentshop
