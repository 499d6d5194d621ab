#include "engine/models/stable_diffusion_loader.h"

#include <filesystem>
#include <sstream>

#include <spdlog/spdlog.h>

#include "engine/core/error.h"
#include "engine/models/stable_diffusion_load_plan.h"
#include "engine/runtime/job.h"
#include "engine/runtime/model_cache.h"

namespace latentshop {

namespace fs = std::filesystem;

const char* toString(UnetKind kind) {
  switch (kind) {
    case UnetKind::Inpainting: return "inpainting";
    case UnetKind::Instruct: return "instruct";
    default: return "plain";
  }
}

UnetKind unetKindFromInChannels(std::int64_t inChannels, const std::string& source) {
  switch (inChannels) {
    case 4: return UnetKind::Plain;
    case 9: return UnetKind::Inpainting;
    case 8: return UnetKind::Instruct;
    default:
      throw fileError(source, "UNet takes " + std::to_string(inChannels) +
                                  " input channels; expected 4 (plain), 9 (inpainting) or 8 (InstructPix2Pix)");
  }
}

std::uint64_t StableDiffusionModel::parameterBytes() const {
  std::uint64_t n = 0;
  const auto add = [&](const torch::nn::Module& m) {
    for (const auto& p : m.parameters()) n += static_cast<std::uint64_t>(p.numel()) * p.element_size();
  };
  if (textEncoder) add(*textEncoder);
  if (unet) add(*unet);
  if (vae) add(*vae);
  return n;
}

ModelLoadOptions ModelLoadOptions::forTarget(const ComputeTarget& target) {
  ModelLoadOptions o;
  o.device = target.device;
  o.dtype = target.dtype;
  return o;
}

namespace {

torch::TensorOptions tensorOptions(const ModelLoadOptions& o) {
  return torch::TensorOptions().dtype(o.dtype).device(o.device);
}

BindOptions bindOptionsFor(const std::string& component) {
  BindOptions b;
  if (component == "text_encoder") b.ignoreUnexpectedSuffixes = kClipTextIgnoredKeys;
  return b;
}

const char* className(const std::string& component);

// The first line of an exception's text (c10 errors carry a long backtrace after it).
std::string firstLine(const std::exception& e) {
  std::string text = e.what();
  if (const size_t nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  return text;
}

// The network `config` describes, built on the meta device (shapes only, no memory) and compared
// with the weights' header shapes before any real allocation: a config.json whose widths do not
// fit its weights, or are absurd, is refused with the faults listed, never a c10 allocation trace.
template <class Net, class Config>
void checkConfigAgainstWeights(const ComponentPlan& p, const Config& config, const torch::TensorOptions& options) {
  BindReport report;
  try {
    Net meta(config, options.device(torch::kMeta));
    report = checkStateDict(*meta, p.weights, bindOptionsFor(p.name));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw fileError(p.source, std::string("cannot load ") + className(p.name) + ": its config describes a network that cannot be built (" + firstLine(e) + ")");
  }
  if (!report.ok())
    throw fileError(p.source, std::string("cannot load ") + className(p.name) + ": " + report.describe());
}

// Builds each wanted network (untouched storage) and hands it to `use` with its plan. With
// `checkFirst`, each config is first checked against its weights' shapes (for loading; an
// inspection reports the faults itself).
template <class F>
void forEachNetwork(const LoadPlan& plan, const torch::TensorOptions& options, F&& use, bool checkFirst = true) {
  if (plan.textEncoder) {
    const auto& p = *plan.textEncoder;
    const auto config = ClipTextConfig::fromJson(p.config, p.source);
    if (checkFirst) checkConfigAgainstWeights<ClipTextModel>(p, config, options);
    ClipTextModel m(config, options);
    use(p, *m, m);
  }
  if (plan.unet) {
    const auto& p = *plan.unet;
    const auto config = UNet2DConditionConfig::fromJson(p.config, p.source);
    if (checkFirst) checkConfigAgainstWeights<UNet2DConditionModel>(p, config, options);
    UNet2DConditionModel m(config, options);
    use(p, *m, m);
  }
  if (plan.vae) {
    const auto& p = *plan.vae;
    const auto config = AutoencoderKLConfig::fromJson(p.config, p.source);
    if (checkFirst) checkConfigAgainstWeights<AutoencoderKL>(p, config, options);
    AutoencoderKL m(config, options);
    use(p, *m, m);
  }
}

const char* className(const std::string& component) {
  if (component == "text_encoder") return "CLIPTextModel";
  if (component == "unet") return "UNet2DConditionModel";
  return "AutoencoderKL";
}

}  // namespace

std::shared_ptr<StableDiffusionModel> loadStableDiffusion(const std::string& path, const ModelLoadOptions& options,
                                                          const LoadProgress& progress) {
  if (options.dtype == c10::kHalf && options.device.is_cpu())
    spdlog::warn("loading {} in fp16 on the CPU: many CPU kernels are slow or missing in fp16; prefer bf16", path);
  LoadPlan plan = planStableDiffusion(path, options);
  auto model = std::make_shared<StableDiffusionModel>();
  model->source = path;
  model->format = plan.format;
  model->unetKind = plan.unetKind;
  model->device = options.device;
  model->dtype = options.dtype;
  model->fp16Weights = plan.fp16Weights;
  model->schedulerConfig = plan.schedulerConfig;
  const int total = (plan.tokenizerPath.empty() ? 0 : 1) + (plan.textEncoder ? 1 : 0) + (plan.unet ? 1 : 0) +
                    (plan.vae ? 1 : 0);
  int done = 0;
  const auto step = [&](const std::string& component) {
    ++done;
    if (progress) progress(component, done, total);
  };
  if (!plan.tokenizerPath.empty()) {
    model->tokenizer = std::make_shared<const ClipTokenizer>(ClipTokenizer::fromPath(plan.tokenizerPath));
    step("tokenizer");
  }
  torch::NoGradGuard noGrad;
  const auto options_ = tensorOptions(options);
  forEachNetwork(plan, options_, [&](const ComponentPlan& p, torch::nn::Module& module, auto holder) {
    bindStateDict(module, p.weights, p.source, className(p.name), bindOptionsFor(p.name));
    module.eval();
    using Holder = decltype(holder);
    if constexpr (std::is_same_v<Holder, ClipTextModel>) model->textEncoder = holder;
    else if constexpr (std::is_same_v<Holder, UNet2DConditionModel>) model->unet = holder;
    else model->vae = holder;
    model->weightFiles.insert(model->weightFiles.end(), p.files.begin(), p.files.end());
    step(p.name);
  });
  // In-channels of the weights (single files) or config (folders) decided the kind; check it agrees.
  if (model->unet) unetKindFromInChannels(model->unet->config().inChannels, plan.unet->source);
  return model;
}

std::string modelCacheKey(const std::string& path, const ModelLoadOptions& options) {
  std::error_code ec;
  auto canonical = fs::weakly_canonical(path, ec);
  std::ostringstream key;
  key << (ec ? path : canonical.string()) << '|' << dtypeName(options.dtype) << '|' << options.device.str() << '|'
      << (options.wantFp16Weights() ? "fp16-files" : "full-files") << '|' << options.tokenizer << options.textEncoder
      << options.unet << options.vae << '|' << options.clipVocab;
  for (const auto* c : {&options.singleFileUnetConfig, &options.singleFileVaeConfig, &options.singleFileTextEncoderConfig})
    key << '|' << (*c ? (*c)->dump() : std::string());
  return key.str();
}

std::shared_ptr<StableDiffusionModel> loadStableDiffusionCached(ModelCache& cache, const std::string& path,
                                                                const ModelLoadOptions& options,
                                                                const LoadProgress& progress) {
  return cache.getOrLoad<StableDiffusionModel>("model", modelCacheKey(path, options),
                                               [&] { return loadStableDiffusion(path, options, progress); });
}

std::shared_ptr<StableDiffusionModel> loadStableDiffusion(JobContext& job, const std::string& path,
                                                          const ModelLoadOptions& options) {
  const auto key = modelCacheKey(path, options);
  if (auto hit = job.models().get<StableDiffusionModel>("model", key)) return hit;
  const int parts = int(options.tokenizer) + int(options.textEncoder) + int(options.unet) + int(options.vae);
  job.beginStage("Loading model", parts);
  job.throwIfCancelled();
  auto model = loadStableDiffusion(path, options, [&](const std::string&, int done, int) {
    job.progress(done);  // throws JobCancelled between components
  });
  job.models().put("model", key, model);
  return model;
}

bool ModelInspection::ok() const {
  for (const auto& c : components)
    if (!c.report.ok()) return false;
  return true;
}

std::string ModelInspection::describe() const {
  std::string s;
  for (const auto& c : components) {
    if (c.report.ok()) continue;
    s += (s.empty() ? "" : "\n") + c.component + " (" + c.source + "): " + c.report.describe();
  }
  return s.empty() ? "ok" : s;
}

ModelInspection inspectStableDiffusion(const std::string& path, const ModelLoadOptions& options) {
  ModelLoadOptions o = options;
  o.tokenizer = false;
  o.device = c10::Device(c10::kCPU);  // storage is never touched: nothing is allocated for real
  const LoadPlan plan = planStableDiffusion(path, o);
  ModelInspection result;
  result.format = plan.format;
  result.unetKind = plan.unetKind;
  forEachNetwork(
      plan, tensorOptions(o),
      [&](const ComponentPlan& p, torch::nn::Module& module, auto) {
        result.components.push_back({p.name, p.source, checkStateDict(module, p.weights, bindOptionsFor(p.name))});
      },
      /*checkFirst=*/false);
  return result;
}

}  // namespace latentshop
