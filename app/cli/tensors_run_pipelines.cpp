// `latentshop-cli tensors run inpaint|instruct --model FOLDER --inputs IO --out OUT`: the SD editing
// pipelines on recorded inputs in the format of ../shared/golden/pipeline_*_tiny.io.safetensors
// (see ../shared/golden/README.md):
//   in.image [1,3,H,W] in [0,1], in.mask_image [1,1,H,W] in [0,1] (inpaint), in.prompt_embeds and
//   in.negative_prompt_embeds (the tokenizer and text encoder are not used), scalars as 0-d
//   tensors: in.num_inference_steps, in.guidance_scale, in.image_guidance_scale (instruct),
//   in.strength (inpaint, default 1), in.eta (default 0).
//   Randomness: in.latents when present (diffusers' `latents=`); otherwise the recorded draws
//   derived.noise_image_posterior, derived.noise_latents, derived.noise_masked_image_posterior in
//   the order diffusers draws them. A draw that is not recorded comes from
//   torch.Generator().manual_seed(in.generator_seed) (seed 0 when absent), which also advances
//   past the recorded ones, so scheduler noise (Euler a) follows diffusers.
//   The scheduler is the folder's scheduler/scheduler_config.json class (an unimplemented one, e.g.
//   LMS, runs as DPM++ 2M with a log line, as in the app).
// Writes out.timesteps, out.latents_per_step, out.image_np (NHWC, (x/2+0.5).clamp(0,1)), and for
// checking out.unet_inputs, out.unet_outputs, derived.final_latents, derived.decoded,
// derived.mask_latent, derived.masked_image_latents / derived.image_latents.
#include <string>
#include <vector>

#include "app/cli/tensor_runners.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/pipelines/sd_inpaint_denoise.h"
#include "engine/pipelines/sd_instruct_denoise.h"
#include "engine/pipelines/sd_pipeline_common.h"

namespace latentshop::cli {

namespace {

using Outputs = std::vector<std::pair<std::string, torch::Tensor>>;

torch::Tensor required(const SafetensorsFile& file, const std::string& name) {
  if (!file.contains(name)) throw fileError(file.path(), "missing input tensor '" + name + "'");
  return file.load(name, file.entry(name).dtype);
}

torch::Tensor optionalTensor(const SafetensorsFile& file, const std::string& name) {
  return file.contains(name) ? file.load(name, file.entry(name).dtype) : torch::Tensor();
}

double scalar(const SafetensorsFile& file, const std::string& name, std::optional<double> fallback = std::nullopt) {
  if (!file.contains(name)) {
    if (fallback) return *fallback;
    throw fileError(file.path(), "missing input tensor '" + name + "'");
  }
  const auto t = file.load(name, file.entry(name).dtype);
  if (t.numel() != 1) throw fileError(file.path(), name + ": expected a scalar (0-d tensor)");
  return t.item<double>();
}

struct Loaded {
  std::shared_ptr<StableDiffusionModel> model;
  PipelineScheduler scheduler;
};

Loaded load(const TensorRunOptions& o) {
  if (o.model.empty()) throw Error("tensors run " + o.what + ": --model FOLDER (a diffusers folder) is required");
  ModelLoadOptions options = sdLoadOptions(SdModelRef{o.model, o.device, o.dtype, ""});
  options.tokenizer = false;  // embeddings are given
  options.textEncoder = false;
  Loaded l;
  l.model = loadStableDiffusion(o.model, options);
  l.scheduler = makePipelineScheduler(l.model->schedulerConfig, "default", o.model + "/scheduler/scheduler_config.json");
  return l;
}

at::Generator generatorFor(const SafetensorsFile& inputs) {
  return makeCpuGenerator(static_cast<uint64_t>(scalar(inputs, "in.generator_seed", 0.0)));
}

void write(const TensorRunOptions& o, const Outputs& outputs) {
  Outputs host;
  for (const auto& [name, t] : outputs) {
    if (!t.defined()) continue;
    auto c = t.detach().to(torch::kCPU);
    if (c.is_floating_point()) c = c.to(torch::kFloat);
    host.emplace_back(name, c.contiguous());
  }
  writeSafetensors(o.out, host, {{"runner", "tensors run " + o.what}, {"dtype", o.dtype}, {"device", o.device}});
}

void runInpaint(const TensorRunOptions& o) {
  SafetensorsFile inputs(o.inputs);
  Loaded l = load(o);
  InpaintDenoiseInput in;
  in.image = normalizeImage(required(inputs, "in.image").to(torch::kFloat32));
  in.mask = binarizeMaskTensor(required(inputs, "in.mask_image").to(torch::kFloat32));
  in.promptEmbeds = required(inputs, "in.prompt_embeds");
  in.negativePromptEmbeds = optionalTensor(inputs, "in.negative_prompt_embeds");
  in.steps = static_cast<int64_t>(scalar(inputs, "in.num_inference_steps"));
  in.guidanceScale = scalar(inputs, "in.guidance_scale", 7.5);
  in.strength = scalar(inputs, "in.strength", 1.0);
  in.eta = scalar(inputs, "in.eta", 0.0);
  in.latents = optionalTensor(inputs, "in.latents");
  in.noiseImagePosterior = optionalTensor(inputs, "derived.noise_image_posterior");
  in.noiseLatents = optionalTensor(inputs, "derived.noise_latents");
  in.noiseMaskedImagePosterior = optionalTensor(inputs, "derived.noise_masked_image_posterior");
  in.generator = generatorFor(inputs);
  in.recordUnet = true;
  const auto r = runInpaintDenoise(*l.model, *l.scheduler.scheduler, in);
  write(o, {{"out.timesteps", r.timesteps},
            {"out.latents_per_step", r.latentsPerStep},
            {"out.image_np", decodedToImageNp(r.decoded)},
            {"out.unet_inputs", r.unetInputs},
            {"out.unet_outputs", r.unetOutputs},
            {"derived.final_latents", r.latents},
            {"derived.decoded", r.decoded},
            {"derived.mask_latent", r.maskLatent},
            {"derived.masked_image_latents", r.maskedImageLatents},
            {"derived.image_latents", r.imageLatents}});
}

void runInstruct(const TensorRunOptions& o) {
  SafetensorsFile inputs(o.inputs);
  Loaded l = load(o);
  InstructDenoiseInput in;
  in.image = normalizeImage(required(inputs, "in.image").to(torch::kFloat32));
  in.promptEmbeds = required(inputs, "in.prompt_embeds");
  in.negativePromptEmbeds = optionalTensor(inputs, "in.negative_prompt_embeds");
  in.steps = static_cast<int64_t>(scalar(inputs, "in.num_inference_steps"));
  in.guidanceScale = scalar(inputs, "in.guidance_scale", 7.5);
  in.imageGuidanceScale = scalar(inputs, "in.image_guidance_scale", 1.5);
  in.eta = scalar(inputs, "in.eta", 0.0);
  in.latents = optionalTensor(inputs, "in.latents");
  in.noiseLatents = optionalTensor(inputs, "derived.noise_latents");
  in.generator = generatorFor(inputs);
  in.recordUnet = true;
  const auto r = runInstructDenoise(*l.model, *l.scheduler.scheduler, in);
  write(o, {{"out.timesteps", r.timesteps},
            {"out.latents_per_step", r.latentsPerStep},
            {"out.image_np", decodedToImageNp(r.decoded)},
            {"out.unet_inputs", r.unetInputs},
            {"out.unet_outputs", r.unetOutputs},
            {"derived.final_latents", r.latents},
            {"derived.decoded", r.decoded},
            {"derived.image_latents", r.imageLatents}});
}

}  // namespace

}  // namespace latentshop::cli

LATENTSHOP_TENSOR_RUNNER(run, inpaint, latentshop::cli::runInpaint)
LATENTSHOP_TENSOR_RUNNER(run, instruct, latentshop::cli::runInstruct)
