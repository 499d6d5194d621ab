#include "engine/pipelines/sd_inpaint.h"

#include <chrono>
#include <cmath>

#include <spdlog/spdlog.h>

#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/io/project_edit.h"
#include "engine/pipelines/exemplar/patchmatch_inpaint.h"
#include "engine/pipelines/mask_ops.h"
#include "engine/pipelines/sd_edit_geometry.h"
#include "engine/pipelines/sd_inpaint_denoise.h"
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

nlohmann::json rectJson(const cv::Rect& r) { return {r.x, r.y, r.width, r.height}; }

}  // namespace

void validate(const SdInpaintRequest& r) {
  if (r.image.empty()) throw Error("image: empty");
  if (r.image.type() != CV_8UC3) throw Error("image: expected an 8-bit RGB image");
  if (r.mask.empty() || r.mask.type() != CV_8UC1) throw Error("mask: expected an 8-bit single-channel image");
  if (r.mask.size() != r.image.size()) {
    throw Error("mask: size " + std::to_string(r.mask.cols) + "x" + std::to_string(r.mask.rows) +
                " differs from the image's " + std::to_string(r.image.cols) + "x" + std::to_string(r.image.rows));
  }
  if (cv::countNonZero(binarizeMask(r.mask, 127)) == 0) {
    throw Error("mask: nothing to repaint (paint the region to change; pixels >= 128 are repainted)");
  }
  if (r.model.path.empty()) throw Error("model: none chosen (a diffusers folder or a .safetensors checkpoint)");
  requireRange(r.steps, 1, 1000, "steps");
  requireRange(r.guidanceScale, 0.0, 50.0, "guidance");
  if (!(r.strength > 0.0 && r.strength <= 1.0)) throw Error("strength must be in (0, 1], got " + std::to_string(r.strength));
  requireRange(r.padding, 0, 1024, "padding");
  requireRange(r.featherPx, 0, 256, "feather");
  schedulerClassForChoice(r.scheduler);  // throws for an unknown choice
}

nlohmann::json sdInpaintParams(const SdInpaintRequest& r) {
  return {{"tool", "inpaint"},
          {"method", "inpaint"},
          {"model", r.model.path},
          {"model_name", modelDisplayName(r.model.path)},
          {"prompt", r.prompt},
          {"negative_prompt", r.negativePrompt},
          {"steps", r.steps},
          {"guidance_scale", r.guidanceScale},
          {"strength", r.strength},
          {"seed", r.seed},
          {"scheduler", r.scheduler.empty() ? "default" : r.scheduler},
          {"crop_to_mask", r.cropToMask},
          {"padding", r.padding},
          {"feather", r.featherPx},
          {"prefill", r.prefill ? "content-aware" : "none"},
          {"image_size", {r.image.cols, r.image.rows}}};
}

namespace {

// The image with the hole pre-filled by PatchMatch. Only the working region and its surroundings
// (as wide again on every side) take part, so crop-to-mask on a large photo stays fast.
cv::Mat prefilledImage(const SdInpaintRequest& request, const cv::Rect& region, JobContext& context) {
  context.beginStage("Pre-filling the hole", 0);
  const cv::Rect around = cv::Rect(region.x - region.width, region.y - region.height, 3 * region.width,
                                   3 * region.height) &
                          cv::Rect(0, 0, request.image.cols, request.image.rows);
  PatchMatchInpaintRequest pm;
  pm.image = request.image(around);
  cv::compare(request.mask(around), 127, pm.mask, cv::CMP_GT);
  pm.seed = request.seed;
  cv::Mat out = request.image.clone();
  patchMatchInpaint(pm, {}, [&] { context.throwIfCancelled(); }).copyTo(out(around));
  return out;
}

}  // namespace

SdInpaintResult runSdInpaint(const SdInpaintRequest& request, JobContext& context) {
  validate(request);
  const auto start = std::chrono::steady_clock::now();
  const auto model = loadSdModel(context, request.model);
  requirePipelineModel(*model, SdTool::Inpaint);
  context.throwIfCancelled();
  torch::InferenceMode inference;

  PipelineScheduler sched = makePipelineScheduler(model->schedulerConfig, request.scheduler, model->source);
  const int resolution = static_cast<int>(modelResolution(*model));
  const int multiple = static_cast<int>(vaeScaleFactor(*model));
  const SdEditGeometry g = request.cropToMask ? cropToMaskGeometry(request.mask, request.padding, resolution, multiple)
                                              : wholeImageGeometry(request.image.size(), resolution, multiple);
  const int feather = request.cropToMask ? std::min(request.featherPx, request.padding) : request.featherPx;

  context.beginStage("Encoding prompt", 0);
  const cv::Mat source = request.prefill ? prefilledImage(request, g.region, context) : request.image;
  InpaintDenoiseInput in;
  in.image = normalizeImage(rgbToTensor01(regionToWork(source, g)));
  in.mask = binarizeMaskTensor(maskToTensor01(maskToWork(request.mask, g)));
  const EncodedPrompt prompt = encodeSdPrompt(*model, request.prompt);
  in.promptEmbeds = prompt.embeddings;
  if (request.guidanceScale > 1.0) in.negativePromptEmbeds = encodeSdPrompt(*model, request.negativePrompt).embeddings;
  in.steps = request.steps;
  in.guidanceScale = request.guidanceScale;
  in.strength = request.strength;
  in.generator = makeCpuGenerator(request.seed);
  context.throwIfCancelled();

  SdStepReporter reporter(context, previewDecoderFor(context, request.taesdPath, model->device, model->vae), g.region, g.workSize);
  sched.scheduler->setTimesteps(request.steps);
  // One report per model call: steps after strength, + 1 for PNDM's PLMS warm-up.
  reporter.begin(static_cast<int>(timestepsForStrength(*sched.scheduler, request.steps, request.strength).timesteps.size(0)));
  const InpaintDenoiseOutput out = runInpaintDenoise(*model, *sched.scheduler, in, reporter.observer());
  context.throwIfCancelled();

  SdInpaintResult r;
  r.generated = decodedToRgb(out.decoded);
  const cv::Mat back = workToRegion(r.generated, g);
  const cv::Mat alpha = pasteAlpha(request.mask, g, feather);  // over g.region
  cv::Mat support;
  cv::compare(alpha, 0.0f, support, cv::CMP_GT);
  const cv::Rect inRegion = maskBoundingBox(support);
  r.placement = inRegion + g.region.tl();
  r.composite = compositeOver(request.image, back(inRegion), alpha(inRegion), r.placement);
  cv::Mat a8 = alphaToMask(alpha(inRegion));
  std::vector<cv::Mat> planes;
  cv::split(back(inRegion), planes);
  planes.push_back(a8);
  cv::merge(planes, r.rgba);

  const bool blended = model->unetKind == UnetKind::Plain;
  r.params = sdInpaintParams(request);
  r.params["variant"] = blended ? "sd-blended" : "sd-inpainting";
  addSdRunParams(r.params, *model, sched, g, request.taesdPath, prompt.truncated);
  r.params["region"] = rectJson(g.region);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char text[160];
  std::snprintf(text, sizeof text, "%d steps in %.1f s (%s)", reporter.steps(), seconds, g.describe().c_str());
  r.message = std::string(blended ? "Inpainted (blended latents): " : "Inpainted: ") + text;
  spdlog::info("inpaint: {}; previews took {:.3f} s", r.message, reporter.previewSeconds());
  return r;
}

JobSpec makeSdInpaintJob(SdInpaintRequest request, JobCallbacks callbacks) {
  JobSpec spec;
  spec.kind = "inpaint.sd";
  spec.title = resultLayerName(sdInpaintParams(request));
  spec.supersedeQueued = true;
  spec.callbacks = std::move(callbacks);
  spec.run = [request = std::move(request)](JobContext& ctx) {
    SdInpaintResult r = runSdInpaint(request, ctx);
    JobResult out;
    out.image = std::move(r.rgba);
    out.placement = r.placement;
    out.params = std::move(r.params);
    out.message = std::move(r.message);
    return out;
  };
  return spec;
}

}  // namespace latentshop
