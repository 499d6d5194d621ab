#include "engine/pipelines/sd_model_check.h"

#include <filesystem>

#include "engine/core/error.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/schedulers/scheduler_factory.h"

namespace latentshop {

const char* toString(SdTool tool) {
  switch (tool) {
    case SdTool::Inpaint: return "inpaint";
    case SdTool::Instruct: return "instruct";
    case SdTool::Drag: return "drag";
  }
  return "unknown";
}

std::string describeKind(const std::string& kind) {
  if (kind == "inpainting") return "SD 1.x inpainting (9-channel UNet)";
  if (kind == "instruct") return "InstructPix2Pix (8-channel UNet)";
  if (kind == "plain") return "SD 1.x (4-channel UNet)";
  return "unknown model";
}

std::string kindProblem(SdTool tool, const std::string& kind, const std::string& path) {
  const std::string what = path + " is an " + describeKind(kind) + " model";
  switch (tool) {
    case SdTool::Inpaint:
      if (kind == "inpainting" || kind == "plain") return "";
      return what + "; inpainting needs an SD 1.x inpainting model (9-channel UNet, e.g. sd15-inpainting) "
                    "or a plain SD 1.x model (4-channel UNet, blended-latent inpainting)";
    case SdTool::Instruct:
      if (kind == "instruct") return "";
      return what + "; instruction editing needs an InstructPix2Pix model (8-channel UNet, e.g. "
                    "instruct-pix2pix or MagicBrush)";
    case SdTool::Drag:
      if (kind == "plain") return "";
      return what + "; drag editing needs a plain SD 1.x model (4-channel UNet, e.g. sd15)";
  }
  return "";
}

SdModelCheck checkStableDiffusionModel(const SdModelRef& model) {
  SdModelCheck r;
  try {
    if (model.path.empty()) throw Error("no model chosen");
    ModelLoadOptions options = sdLoadOptions(model);
    const ModelInspection inspection = inspectStableDiffusion(model.path, options);
    r.format = inspection.format;
    r.kind = toString(inspection.unetKind);
    if (!inspection.ok()) {
      r.message = inspection.describe();
      return r;
    }
    // The networks are fine; the tokenizer (and the scheduler config) are read for real: they are
    // small, and a single file needs a vocabulary from elsewhere.
    ModelLoadOptions tokenizerOnly = options;
    tokenizerOnly.device = c10::Device(c10::kCPU);
    tokenizerOnly.textEncoder = tokenizerOnly.unet = tokenizerOnly.vae = false;
    loadStableDiffusion(model.path, tokenizerOnly);
    r.ok = true;
  } catch (const std::exception& e) {
    r.message = e.what();
  }
  return r;
}

std::vector<std::pair<std::string, std::string>> sdSchedulerChoices() {
  std::vector<std::pair<std::string, std::string>> out = {{"default", "Model default"}};
  for (const auto& c : schedulerChoices()) out.emplace_back(c.id, c.label);
  return out;
}

JobSpec makeModelLoadJob(SdModelRef model, JobCallbacks callbacks) {
  JobSpec spec;
  spec.kind = "model.load";
  spec.title = "Load model";
  spec.callbacks = std::move(callbacks);
  spec.run = [model](JobContext& ctx) {
    const auto loaded = loadSdModel(ctx, model);
    JobResult r;
    r.params = {{"model", model.path},
                {"kind", toString(loaded->unetKind)},
                {"format", loaded->format},
                {"dtype", sdDtypeName(*loaded)}};
    r.message = "Loaded " + std::filesystem::path(model.path).filename().string() + " (" +
                describeKind(toString(loaded->unetKind)) + ", " +
                std::to_string(loaded->parameterBytes() / (1024 * 1024)) + " MiB)";
    return r;
  };
  return spec;
}

}  // namespace latentshop
