#include "engine/pipelines/sd_instruct.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "engine/core/error.h"
#include "engine/io/project_edit.h"
#include "engine/pipelines/mask_ops.h"
#include "engine/pipelines/sd_edit_geometry.h"
#include "engine/pipelines/sd_instruct_denoise.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/pipelines/sd_step_reporter.h"
#include "engine/schedulers/scheduler_factory.h"

namespace latentshop {

namespace {

void requireRange(double v, double lo, double hi, const char* name) {
  if (!(v >= lo && v <= hi)) {
    throw Error(std::string(name) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                ", got " + std::to_string(v));
  }
}

}  // namespace

void validate(const SdInstructRequest& r) {
  if (r.image.empty()) throw Error("image: empty");
  if (r.image.type() != CV_8UC3) throw Error("image: expected an 8-bit RGB image");
  if (r.model.path.empty()) throw Error("model: none chosen (an InstructPix2Pix diffusers folder or .safetensors)");
  if (r.instruction.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw Error("instruction: empty (say what to change, e.g. \"make it snowy\")");
  }
  requireRange(r.steps, 1, 1000, "steps");
  requireRange(r.textGuidance, 0.0, 50.0, "text guidance");
  requireRange(r.imageGuidance, 0.0, 50.0, "image guidance");
  if (!r.mask.empty()) {
    if (r.mask.type() != CV_8UC1) throw Error("mask: expected an 8-bit single-channel image");
    if (r.mask.size() != r.image.size()) {
      throw Error("mask: " + std::to_string(r.mask.cols) + "x" + std::to_string(r.mask.rows) + " does not match the image's " +
                  std::to_string(r.image.cols) + "x" + std::to_string(r.image.rows));
    }
  }
  requireRange(r.featherPx, 0, 256, "feather");
  schedulerClassForChoice(r.scheduler);  // throws for an unknown choice
}

nlohmann::json sdInstructParams(const SdInstructRequest& r) {
  nlohmann::json p = {{"tool", "instruct"},
          {"method", "instruct"},
          {"model", r.model.path},
          {"model_name", modelDisplayName(r.model.path)},
          {"instruction", r.instruction},
          {"negative_prompt", r.negativePrompt},
          {"steps", r.steps},
          {"guidance_scale", r.textGuidance},
          {"image_guidance_scale", r.imageGuidance},
          {"seed", r.seed},
          {"scheduler", r.scheduler.empty() ? "default" : r.scheduler},
          {"image_size", {r.image.cols, r.image.rows}}};
  if (!r.mask.empty()) {
    p["masked"] = true;
    p["feather"] = r.featherPx;
  }
  return p;
}

SdInstructResult runSdInstruct(const SdInstructRequest& request, JobContext& context) {
  validate(request);
  const auto start = std::chrono::steady_clock::now();
  const auto model = loadSdModel(context, request.model);
  requirePipelineModel(*model, SdTool::Instruct);
  context.throwIfCancelled();
  torch::InferenceMode inference;

  PipelineScheduler sched = makePipelineScheduler(model->schedulerConfig, request.scheduler, model->source);
  const SdEditGeometry g = wholeImageGeometry(request.image.size(), static_cast<int>(modelResolution(*model)),
                                              static_cast<int>(vaeScaleFactor(*model)));

  context.beginStage("Encoding prompt", 0);
  InstructDenoiseInput in;
  in.image = normalizeImage(rgbToTensor01(regionToWork(request.image, g)));
  const EncodedPrompt prompt = encodeSdPrompt(*model, request.instruction);
  in.promptEmbeds = prompt.embeddings;
  in.negativePromptEmbeds = encodeSdPrompt(*model, request.negativePrompt).embeddings;
  in.steps = request.steps;
  in.guidanceScale = request.textGuidance;
  in.imageGuidanceScale = request.imageGuidance;
  in.generator = makeCpuGenerator(request.seed);
  context.throwIfCancelled();

  SdStepReporter reporter(context, previewDecoderFor(context, request.taesdPath, model->device, model->vae), g.region, g.workSize);
  sched.scheduler->setTimesteps(request.steps);
  reporter.begin(static_cast<int>(sched.scheduler->timesteps().size(0)));  // model calls (PNDM: steps + 1)
  const InstructDenoiseOutput out = runInstructDenoise(*model, *sched.scheduler, in, reporter.observer());
  context.throwIfCancelled();

  SdInstructResult r;
  r.generated = decodedToRgb(out.decoded);
  r.image = workToRegion(r.generated, g);
  if (!request.mask.empty()) {
    // Only the painted region changes, with a soft edge, as inpaint blends its result.
    r.image = compositeOver(request.image, r.image, featherOutward(binarizeMask(request.mask), request.featherPx));
  }
  r.params = sdInstructParams(request);
  addSdRunParams(r.params, *model, sched, g, request.taesdPath, prompt.truncated);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char text[160];
  std::snprintf(text, sizeof text, "Edited: %d steps in %.1f s (%s)", reporter.steps(), seconds, g.describe().c_str());
  r.message = text;
  spdlog::info("instruct: {}; previews took {:.3f} s", r.message, reporter.previewSeconds());
  return r;
}

JobSpec makeSdInstructJob(SdInstructRequest request, JobCallbacks callbacks) {
  JobSpec spec;
  spec.kind = "instruct.sd";
  spec.title = resultLayerName(sdInstructParams(request));
  spec.supersedeQueued = true;
  spec.callbacks = std::move(callbacks);
  spec.run = [request = std::move(request)](JobContext& ctx) {
    SdInstructResult r = runSdInstruct(request, ctx);
    JobResult out;
    out.image = std::move(r.image);
    out.params = std::move(r.params);
    out.message = std::move(r.message);
    return out;
  };
  return spec;
}

}  // namespace latentshop
