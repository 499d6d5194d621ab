#include "engine/pipelines/drag_job.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/models/clip_text_model_prompts.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/models/unet_lora.h"
#include "engine/pipelines/drag_ddim.h"
#include "engine/pipelines/drag_features.h"
#include "engine/pipelines/drag_geometry.h"
#include "engine/pipelines/drag_lora.h"
#include "engine/pipelines/drag_lora_cache.h"
#include "engine/pipelines/drag_update.h"
#include "engine/pipelines/latent_preview.h"
#include "engine/pipelines/mask_ops.h"
#include "engine/pipelines/sd_step_reporter.h"

namespace latentshop {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Removes the LoRA from the shared (cached) UNet when the job ends, however it ends.
struct LoraGuard {
  UNet2DConditionModelImpl& unet;
  ~LoraGuard() { removeUNetLora(unet); }
};

ModelLoadOptions loadOptionsFor(const DragRequest& r) {
  ComputeTarget target = defaultComputeTarget();
  if (!r.device.empty()) {
    target.device = parseDevice(r.device);
    if (r.dtype.empty()) target.dtype = target.device.is_cuda() ? c10::kHalf : c10::kFloat;
  }
  if (!r.dtype.empty()) target.dtype = parseDtype(r.dtype);
  return ModelLoadOptions::forTarget(target);
}

cv::Mat resizeTo(const cv::Mat& image, cv::Size size, int shrinkInterpolation = cv::INTER_AREA) {
  if (image.size() == size) return image.clone();
  cv::Mat out;
  const bool shrink = size.width < image.cols || size.height < image.rows;
  cv::resize(image, out, size, 0, 0, shrink ? shrinkInterpolation : cv::INTER_CUBIC);
  return out;
}

// [1, 1, grid] float: 1 where the crop's mask is non-zero, resized nearest (run_drag: mask / 255,
// > 0 → 1, F.interpolate nearest to sup_res). All zero without a mask (no mask term).
torch::Tensor gridMask(const cv::Mat& cropMask, cv::Size grid) {
  namespace F = torch::nn::functional;
  if (cropMask.empty()) return torch::zeros({1, 1, grid.height, grid.width});
  cv::Mat binary = binarizeMask(cropMask, 0);
  cv::Mat contiguous = binary.isContinuous() ? binary : binary.clone();
  auto t = torch::from_blob(contiguous.data, {1, 1, contiguous.rows, contiguous.cols}, torch::kUInt8)
               .to(torch::kFloat)
               .gt(0)
               .to(torch::kFloat);
  return F::interpolate(t, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{grid.height, grid.width})
                               .mode(torch::kNearest));
}

nlohmann::json rectJson(const cv::Rect& r) { return {r.x, r.y, r.width, r.height}; }

struct LoraOutcome {
  std::string source = "none";
  int64_t stepsRun = 0;
  std::string key;
};

// Installs the LoRA the request asks for: a given file, a cached one, or a freshly trained one.
LoraOutcome prepareLora(JobContext& job, const DragRequest& r, StableDiffusionModel& model, const cv::Mat& workImage,
                        const torch::Tensor& emb, const std::string& modelKey, int64_t trainSize) {
  LoraOutcome out;
  auto& unet = *model.unet;
  if (!r.loraFile.empty()) {
    loadUNetLoraFile(unet, r.loraFile, c10::kFloat);
    out.source = "file";
    return out;
  }
  const auto& p = r.params;
  if (p.loraSteps <= 0) return out;
  DragLoraOptions o;
  o.steps = p.loraSteps;
  o.lr = p.loraLr;
  o.batchSize = p.loraBatchSize;
  o.rank = p.loraRank;
  o.seed = p.seed;
  o.trainSize = trainSize;
  out.key = dragLoraCacheKey(workImage, r.prompt, modelKey, o);
  DragLoraCache cache(job.models(), r.loraCacheDir);
  if (auto hit = cache.find(out.key)) {
    loadUNetLora(unet, *hit, "drag LoRA cache " + out.key, c10::kFloat);
    out.source = "cache";
    return out;
  }
  job.beginStage("Training LoRA", static_cast<int>(o.steps));
  const auto noise = DDIMScheduler(DDIMSchedulerConfig::fromJson(model.schedulerConfig, r.modelPath + " scheduler"));
  torch::AutoGradMode grad(true);
  auto trained = trainDragLora(unet, *model.vae, noise, emb, workImage, o, [&](int64_t done, int64_t, double loss) {
    spdlog::debug("drag LoRA step {}: loss {:.5f}", done, loss);
    job.progress(static_cast<int>(done));
    return !job.stopRequested();
  }, [&] { job.throwIfCancelled(); });
  out.stepsRun = trained.stepsRun;
  if (trained.stepsRun == o.steps) {
    cache.store(out.key, trained.weights);
    out.source = "trained";
  } else {
    out.source = "partial";  // stopped early: used once, not cached
  }
  return out;
}

}  // namespace

JobSpec makeDragJob(DragRequest request) {
  validateDragRequest(request);
  JobSpec spec;
  spec.kind = "drag";
  const auto n = request.points.size();
  spec.title = "Drag (" + std::to_string(n) + (n == 1 ? " point)" : " points)");
  auto shared = std::make_shared<const DragRequest>(std::move(request));
  spec.run = [shared](JobContext& job) { return runDragJob(job, *shared); };
  return spec;
}

JobResult runDragJob(JobContext& job, const DragRequest& r) {
  validateDragRequest(r);
  const auto started = Clock::now();
  nlohmann::json seconds;
  const auto& p = r.params;

  const auto loadOptions = loadOptionsFor(r);
  auto model = loadStableDiffusion(job, r.modelPath, loadOptions);
  if (model->unetKind != UnetKind::Plain)
    throw Error("drag: " + r.modelPath + " is a " + toString(model->unetKind) +
                " model; drag editing needs a plain text-to-image SD 1.x model (4 input channels)");
  if (!model->unet || !model->vae || !model->textEncoder || !model->tokenizer)
    throw Error("drag: " + r.modelPath + " lacks a UNet, VAE, text encoder or tokenizer");
  auto& unet = *model->unet;
  auto& vae = *model->vae;
  const auto device = unet.device();
  seconds["load"] = secondsSince(started);

  // Region and work image (points: document pixels → work pixels → supervision grid).
  const int vaeFactor = static_cast<int>(vae.config().downscaleFactor());
  const auto& sample = unet.config().sampleSize;
  const int nativeSize = static_cast<int>((sample && !sample->empty() ? sample->front() : 64) * vaeFactor);
  const int modelSize = p.workingSize > 0 ? p.workingSize : nativeSize;
  const int multiple = std::max(8, vaeFactor);
  const DragRegion region = chooseDragRegion(r.image.size(), r.mask, r.points, modelSize, multiple);
  const cv::Mat workImage = resizeTo(r.image(region.crop), region.work);
  const cv::Mat cropMask = r.mask.empty() ? cv::Mat() : r.mask(region.crop).clone();
  const cv::Size grid = dragSupervisionSize(region.work);
  auto handles = torch::empty({static_cast<int64_t>(r.points.size()), 2});
  auto targets = torch::empty_like(handles);
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const auto h = workPointToGrid(region.toWork(r.points[i].handle), region.work, grid);
    const auto t = workPointToGrid(region.toWork(r.points[i].target), region.work, grid);
    handles[i][0] = h[0];
    handles[i][1] = h[1];
    targets[i][0] = t[0];
    targets[i][1] = t[1];
  }
  const auto maskSup = gridMask(cropMask, grid);

  // Prompt and image latent.
  job.beginStage("Encoding", 0);
  torch::Tensor emb, x0;
  {
    torch::NoGradGuard noGrad;
    emb = encodePrompts(*model->tokenizer, model->textEncoder, {r.prompt}).embeddings.to(torch::kFloat);
    const auto posterior = vae.encode(rgbToUnitTensor(workImage).to(vae.device(), vae.dtype()));
    x0 = vae.scaleLatents(posterior.mean.to(torch::kFloat));
  }

  LoraGuard guard{unet};
  auto t0 = Clock::now();
  const auto lora = prepareLora(job, r, *model, workImage, emb, modelCacheKey(r.modelPath, loadOptions), nativeSize);
  seconds["lora"] = secondsSince(t0);
  if (!r.saveLoraFile.empty() && countUNetLoraLayers(unet) > 0) saveUNetLoraFile(unet, r.saveLoraFile);

  // DDIM inversion to t = timesteps[n - round(strength · n)].
  auto scheduler = makeDragScheduler(p.inferenceSteps);
  const int64_t nActual = dragActualSteps(p.inversionStrength, p.inferenceSteps);
  t0 = Clock::now();
  job.beginStage("Inverting", static_cast<int>(nActual));
  const auto inversion = invertForDrag(unet, scheduler, x0, emb, nActual, false,
                                       [&](int64_t done, int64_t) { job.progress(static_cast<int>(done)); });
  seconds["inversion"] = secondsSince(t0);

  // Latent optimisation with a preview after every step.
  DragUpdateOptions update;
  update.steps = p.dragSteps;
  update.lr = p.latentLr;
  update.rM = p.rM;
  update.rP = p.rP;
  update.lam = p.lam;
  const DragLayers layers = dragLayersFor(unet, p.featureLayer, p.startLayer);
  update.featureIdx = {layers.featureLayer};
  update.supH = grid.height;
  update.supW = grid.width;
  const auto previewer = previewDecoderFor(job, r.taesdPath, device, model->vae);
  std::vector<cv::Point2f> targetPoints;
  for (const auto& pt : r.points) targetPoints.push_back(pt.target);
  auto toDocument = [&](const torch::Tensor& gridPoints) {
    std::vector<cv::Point2f> out;
    for (int64_t i = 0; i < gridPoints.size(0); ++i)
      out.push_back(region.toDocument(gridToWorkPoint(gridPoints[i][0].item<float>(), gridPoints[i][1].item<float>(),
                                                      region.work, grid)));
    return out;
  };
  t0 = Clock::now();
  job.beginStage("Dragging", p.dragSteps);
  DragUpdateResult dragged;
  {
    torch::AutoGradMode grad(true);
    dragged = dragDiffusionUpdate(
        unet, scheduler, inversion.latent, emb, inversion.t, handles, targets, maskSup.to(device), update,
        [&](const DragUpdateStep& s) {
          PreviewImage preview;
          preview.rgb = previewer->decode(s.predX0, region.crop.size());
          preview.placement = region.crop;
          preview.step = static_cast<int>(s.index + 1);
          preview.total = p.dragSteps;
          preview.points = toDocument(s.handles);
          preview.targets = targetPoints;
          job.preview(preview);
          job.progress(static_cast<int>(s.index + 1));
          return !job.stopRequested();
        },
        [&] {
          job.throwIfCancelled();
          return job.stopRequested();
        });
  }
  seconds["drag"] = secondsSince(t0);

  // Denoise [original, edited] with mutual self-attention, decode the edited one.
  t0 = Clock::now();
  job.beginStage("Denoising", static_cast<int>(nActual));
  DragDenoiseOptions denoise;
  denoise.numActualSteps = nActual;
  denoise.startStep = p.startStep;
  denoise.startLayer = layers.startLayer;
  denoise.layerCount = layers.layerCount;
  const auto both = torch::cat({inversion.latent.to(device), dragged.latent.to(device)}, 0);
  const auto denoised = denoiseWithMutualAttention(unet, scheduler, both, emb, denoise,
                                                [&](int64_t done, int64_t) { job.progress(static_cast<int>(done)); });
  seconds["denoise"] = secondsSince(t0);
  job.beginStage("Decoding", 0);
  cv::Mat edited;
  {
    torch::NoGradGuard noGrad;
    const auto latent = denoised.latents.narrow(0, 1, 1).to(vae.device(), vae.dtype());
    edited = imageTensorToRgb(vae.decode(vae.unscaleLatents(latent)));
  }
  job.throwIfCancelled();

  // Paste back: resize to the crop and composite through the alpha (0 outside: original pixels).
  const int longCrop = std::max(region.crop.width, region.crop.height);
  const int grow = p.pasteGrowPx >= 0 ? p.pasteGrowPx : std::max(4, longCrop / 64);
  const int feather = p.pasteFeatherPx >= 0 ? p.pasteFeatherPx : std::max(4, longCrop / 32);
  const cv::Mat editedCrop = resizeTo(edited, region.crop.size());
  const cv::Mat alpha = dragPasteAlpha(region, cropMask, grow, feather);
  JobResult result;
  result.image = compositeOver(r.image(region.crop).clone(), editedCrop, alpha);
  result.placement = region.crop;

  nlohmann::json points = nlohmann::json::array();
  for (const auto& pt : r.points) points.push_back({pt.handle.x, pt.handle.y, pt.target.x, pt.target.y});
  nlohmann::json tracked = nlohmann::json::array();
  for (const auto& q : toDocument(dragged.handles)) tracked.push_back({q.x, q.y});
  seconds["total"] = secondsSince(started);
  result.params = {{"tool", "drag"},
                   {"method", "dragdiffusion"},
                   {"model", r.modelPath},
                   {"prompt", r.prompt},
                   {"points", points},
                   {"mask", !r.mask.empty() && cv::countNonZero(r.mask) > 0},
                   {"params", p.toJson()},
                   {"device", dtypeName(unet.dtype()) + " on " + device.str()},
                   {"layers", {{"feature_layer", layers.featureLayer},
                               {"start_layer", layers.startLayer},
                               {"layer_count", layers.layerCount}}},
                   {"region", {{"crop", rectJson(region.crop)},
                               {"work", {region.work.width, region.work.height}},
                               {"grid", {grid.width, grid.height}},
                               {"paste_grow", grow},
                               {"paste_feather", feather}}},
                   {"lora", {{"source", lora.source}, {"steps_run", lora.stepsRun}, {"key", lora.key}}},
                   {"drag", {{"steps_run", dragged.stepsRun},
                             {"reached", dragged.reached},
                             {"stopped", dragged.stopped},
                             {"handles", tracked}}},
                   {"seconds", seconds}};
  if (!r.sourcePath.empty()) result.params["image"] = r.sourcePath;
  char msg[160];
  std::snprintf(msg, sizeof msg, "Drag: %lld step%s%s, LoRA %s, %.0f s", static_cast<long long>(dragged.stepsRun),
                dragged.stepsRun == 1 ? "" : "s",
                dragged.reached ? " (handles reached their targets)" : (dragged.stopped ? " (stopped)" : ""),
                lora.source.c_str(), secondsSince(started));
  result.message = msg;
  return result;
}

}  // namespace latentshop
