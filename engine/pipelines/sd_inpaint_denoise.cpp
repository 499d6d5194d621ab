#include "engine/pipelines/sd_inpaint_denoise.h"

#include <string>
#include <vector>

#include "engine/core/error.h"

namespace latentshop {

namespace sdloop {

torch::Tensor drawOrGiven(const torch::Tensor& given, std::optional<at::Generator>& generator, at::IntArrayRef shape,
                          const torch::TensorOptions& options, const char* what) {
  torch::Tensor drawn;
  if (generator) drawn = seededNoise(*generator, shape, options);
  if (given.defined()) {
    if (given.sizes() != shape) {
      throw Error(std::string(what) + ": has shape " + c10::str(given.sizes()) + ", expected " + c10::str(shape));
    }
    return given.to(options.device(), c10::typeMetaToScalarType(options.dtype()));
  }
  if (!drawn.defined()) throw Error(std::string(what) + ": neither given nor a generator to draw it with");
  return drawn;
}

StepOptions stepOptions(double eta, const std::optional<at::Generator>& generator) {
  StepOptions o;
  o.eta = eta;
  o.generator = generator;
  return o;
}

}  // namespace sdloop

namespace {

void checkInput(const StableDiffusionModel& model, const InpaintDenoiseInput& in, int64_t channels) {
  if (channels != 9 && channels != 4) {
    throw fileError(model.source, "the UNet takes " + std::to_string(channels) +
                                      " input channels; inpainting needs 9 (inpainting UNet) or 4 (plain UNet)");
  }
  if (!in.image.defined() || in.image.dim() != 4 || in.image.size(0) != 1 || in.image.size(1) != 3) {
    throw Error("inpaint: the image must be a [1, 3, H, W] tensor");
  }
  if (!in.mask.defined() || in.mask.dim() != 4 || in.mask.size(1) != 1 ||
      in.mask.sizes().slice(2) != in.image.sizes().slice(2)) {
    throw Error("inpaint: the mask must be a [1, 1, H, W] tensor of the image's size");
  }
  const int64_t f = vaeScaleFactor(model);
  if (in.image.size(2) % f != 0 || in.image.size(3) % f != 0) {
    throw Error("inpaint: image size " + std::to_string(in.image.size(3)) + "x" + std::to_string(in.image.size(2)) +
                " is not a multiple of the VAE factor " + std::to_string(f));
  }
  if (in.steps < 1) throw Error("steps must be at least 1, got " + std::to_string(in.steps));
  if (!in.promptEmbeds.defined()) throw Error("inpaint: no prompt embeddings");
  if (in.guidanceScale > 1.0 && !in.negativePromptEmbeds.defined()) {
    throw Error("inpaint: guidance > 1 needs negative prompt embeddings");
  }
}

}  // namespace

InpaintDenoiseOutput runInpaintDenoise(const StableDiffusionModel& model, Scheduler& scheduler,
                                       const InpaintDenoiseInput& in, const StepObserver& observer) {
  torch::InferenceMode inference;
  const int64_t channels = model.unet->config().inChannels;
  checkInput(model, in, channels);
  const auto opts = torch::TensorOptions().dtype(model.dtype).device(model.device);
  AutoencoderKL vae = model.vae;
  auto unet = model.unet;
  std::optional<at::Generator> generator = in.generator;

  const int64_t f = vaeScaleFactor(model);
  const int64_t h = in.image.size(2) / f, w = in.image.size(3) / f;
  const std::vector<int64_t> shape{1, vae->config().latentChannels, h, w};
  const bool cfg = in.guidanceScale > 1.0;
  const auto embeds = cfg ? torch::cat({in.negativePromptEmbeds.to(opts), in.promptEmbeds.to(opts)})
                          : in.promptEmbeds.to(opts);

  // 4. Timesteps.
  scheduler.setTimesteps(in.steps);
  const StrengthTimesteps st = timestepsForStrength(scheduler, in.steps, in.strength);
  if (st.numSteps < 1) {
    throw Error("strength " + std::to_string(in.strength) + " with " + std::to_string(in.steps) +
                " steps leaves no step to run (raise the strength or the steps)");
  }
  const torch::Tensor timesteps = st.timesteps;
  const bool strengthMax = in.strength == 1.0;

  // 6. Initial latents (prepare_latents).
  InpaintDenoiseOutput out;
  const auto image = in.image.to(opts);
  if (channels == 4 || (!in.latents.defined() && !strengthMax)) {
    const auto posterior = vae->encode(image);
    const auto n = sdloop::drawOrGiven(in.noiseImagePosterior, generator, shape, opts, "image posterior noise");
    out.imageLatents = vae->scaleLatents(posterior.sample(n));
  }
  torch::Tensor noise, latents;
  if (!in.latents.defined()) {
    noise = sdloop::drawOrGiven(in.noiseLatents, generator, shape, opts, "initial noise");
    latents = strengthMax ? noise * scheduler.initNoiseSigma()
                          : scheduler.addNoise(out.imageLatents, noise, timesteps.slice(0, 0, 1));
  } else {
    if (in.latents.sizes() != at::IntArrayRef(shape)) throw Error("latents: has shape " + c10::str(in.latents.sizes()));
    noise = in.latents.to(opts);
    latents = noise * scheduler.initNoiseSigma();
  }

  // 7. Mask latents (prepare_mask_latents).
  out.maskLatent = torch::nn::functional::interpolate(
                       in.mask.to(torch::kFloat32),
                       torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kNearest))
                       .to(opts);
  if (channels == 9) {
    const auto maskedImage = (in.image.to(torch::kFloat32) * (in.mask < 0.5)).to(opts);
    const auto posterior = vae->encode(maskedImage);
    const auto n = sdloop::drawOrGiven(in.noiseMaskedImagePosterior, generator, shape, opts, "masked image posterior noise");
    out.maskedImageLatents = vae->scaleLatents(posterior.sample(n));
  } else if (generator && !in.noiseMaskedImagePosterior.defined()) {
    // diffusers encodes the masked image for 4-channel UNets too (and ignores it): keep its draw.
    seededNoise(*generator, shape, opts);
  }
  const auto maskIn = cfg ? torch::cat({out.maskLatent, out.maskLatent}) : out.maskLatent;
  const auto maskedIn = channels == 9 ? (cfg ? torch::cat({out.maskedImageLatents, out.maskedImageLatents})
                                             : out.maskedImageLatents)
                                      : torch::Tensor();

  // 10. Denoising loop.
  const int total = static_cast<int>(timesteps.size(0));
  std::vector<torch::Tensor> perStep, unetIn, unetOut;
  for (int i = 0; i < total; ++i) {
    const auto t = timesteps[i];
    auto modelInput = cfg ? torch::cat({latents, latents}) : latents;
    modelInput = scheduler.scaleModelInput(modelInput, t);
    if (channels == 9) modelInput = torch::cat({modelInput, maskIn, maskedIn}, 1);
    auto eps = unet->forward(modelInput, Timestep(t), embeds).sample;
    if (in.recordUnet) {
      unetIn.push_back(modelInput.to(torch::kFloat32).cpu());
      unetOut.push_back(eps.to(torch::kFloat32).cpu());
    }
    if (cfg) {
      const auto parts = eps.chunk(2);
      eps = parts[0] + in.guidanceScale * (parts[1] - parts[0]);
    }
    const auto step = scheduler.step(eps, t, latents, sdloop::stepOptions(in.eta, generator));
    latents = step.prevSample;
    auto x0 = step.predOriginalSample;
    if (channels == 4) {
      auto proper = out.imageLatents;
      if (i < total - 1) proper = scheduler.addNoise(out.imageLatents, noise, timesteps.slice(0, i + 1, i + 2));
      latents = (1 - out.maskLatent) * proper + out.maskLatent * latents;
      // The preview shows the original outside the mask, as the result will.
      x0 = (1 - out.maskLatent) * out.imageLatents + out.maskLatent * x0.to(latents.scalar_type());
    }
    perStep.push_back(latents.to(torch::kFloat32).cpu());
    if (observer) observer(DenoiseStep{i, total, t, x0, latents});
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
