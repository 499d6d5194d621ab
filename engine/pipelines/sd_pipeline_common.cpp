#include "engine/pipelines/sd_pipeline_common.h"

#include <cstring>
#include <filesystem>
#include <random>

#include <spdlog/spdlog.h>

#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/models/clip_text_model_prompts.h"
#include "engine/pipelines/sd_edit_geometry.h"
#include "engine/runtime/job.h"
#include "engine/schedulers/scheduler_factory.h"

namespace latentshop {

// ---- Models -------------------------------------------------------------------------------------

ModelLoadOptions sdLoadOptions(const SdModelRef& model) {
  ComputeTarget target = defaultComputeTarget();
  if (!model.device.empty()) {
    target.device = parseDevice(model.device);
    // A device given without a dtype gets that device's default.
    if (model.dtype.empty()) target.dtype = target.device.is_cuda() ? c10::kHalf : c10::kFloat;
  }
  if (!model.dtype.empty()) target.dtype = parseDtype(model.dtype);
  if (target.device.is_cpu() && target.dtype == c10::kHalf) {
    throw Error("dtype 'fp16' is not supported on the CPU (use fp32 or bf16)");
  }
  ModelLoadOptions o = ModelLoadOptions::forTarget(target);
  o.clipVocab = model.clipVocab;
  return o;
}

std::shared_ptr<StableDiffusionModel> loadSdModel(JobContext& job, const SdModelRef& model) {
  if (model.path.empty()) throw Error("no model chosen (pass a diffusers folder or a .safetensors checkpoint)");
  return loadStableDiffusion(job, model.path, sdLoadOptions(model));
}

std::string sdDtypeName(const StableDiffusionModel& model) { return dtypeName(model.dtype); }

std::string modelDisplayName(const std::string& path) {
  std::filesystem::path p(path);
  while (!p.empty() && p.filename().empty()) p = p.parent_path();  // "folder/" -> "folder"
  std::string name = p.filename().string();
  if (p.has_extension() && p.extension() == ".safetensors") name = p.stem().string();
  return name.empty() ? path : name;
}

void requirePipelineModel(const StableDiffusionModel& model, SdTool tool) {
  std::string missing;
  if (!model.tokenizer) missing += " tokenizer";
  if (!model.textEncoder) missing += " text_encoder";
  if (!model.unet) missing += " unet";
  if (!model.vae) missing += " vae";
  if (!missing.empty()) throw fileError(model.source, "the model was loaded without:" + missing);
  const std::string problem = kindProblem(tool, toString(model.unetKind), model.source);
  if (!problem.empty()) throw Error(problem);
}

int64_t vaeScaleFactor(const StableDiffusionModel& model) { return model.vae->config().downscaleFactor(); }

int64_t modelResolution(const StableDiffusionModel& model) {
  const auto& size = model.unet->config().sampleSize;
  if (!size || size->empty()) return 512;
  return (*size)[0] * vaeScaleFactor(model);
}

// ---- Scheduler ----------------------------------------------------------------------------------

PipelineScheduler makePipelineScheduler(const nlohmann::json& schedulerConfig, const std::string& choice,
                                        const std::string& source) {
  PipelineScheduler r;
  r.choice = choice.empty() ? "default" : choice;
  if (r.choice == "default") {
    const std::string cls = schedulerConfig.is_object() && schedulerConfig.contains("_class_name") &&
                                    schedulerConfig["_class_name"].is_string()
                                ? schedulerConfig["_class_name"].get<std::string>()
                                : "";
    bool implemented = false;
    for (const auto& c : schedulerChoices()) implemented = implemented || schedulerClassForChoice(c.id) == cls;
    if (!implemented) {
      r.note = (cls.empty() ? std::string("the model names no scheduler class") : "the model's " + cls + " is not implemented") +
               "; using DPM++ 2M with the model's noise schedule";
      spdlog::info("{}: {}", source, r.note);
      r.scheduler = makeScheduler(schedulerConfig, "dpmpp2m", nullptr, source);
      r.used = r.scheduler->className();
      return r;
    }
  }
  r.scheduler = makeScheduler(schedulerConfig, r.choice, nullptr, source);
  r.used = r.scheduler->className();
  return r;
}

// ---- Prompts ------------------------------------------------------------------------------------

EncodedPrompt encodeSdPrompt(const StableDiffusionModel& model, const std::string& prompt) {
  ClipTextModel encoder = model.textEncoder;
  const ClipTokenization tokens = model.tokenizer->encode(prompt);
  const int64_t vocab = encoder->config().vocabSize;
  for (const auto id : tokens.inputIds) {
    if (id < 0 || id >= vocab) {
      throw fileError(model.source, "the tokenizer produced id " + std::to_string(id) +
                                        " but the text encoder's vocabulary has only " + std::to_string(vocab) +
                                        " entries (tokenizer and text_encoder do not belong together)");
    }
  }
  PromptEncoding enc = encodePrompts(*model.tokenizer, encoder, {prompt});
  EncodedPrompt r;
  r.embeddings = enc.embeddings;
  r.numTokens = tokens.numTokens;
  r.truncated = tokens.truncated;
  return r;
}

// ---- Images ------------------------------------------------------------------------------------

torch::Tensor rgbToTensor01(const cv::Mat& rgb) {
  if (rgb.empty() || rgb.type() != CV_8UC3) throw Error("image: expected an 8-bit RGB image");
  cv::Mat contiguous = rgb.isContinuous() ? rgb : rgb.clone();
  auto t = torch::from_blob(contiguous.data, {contiguous.rows, contiguous.cols, 3}, torch::kUInt8)
               .to(torch::kFloat32)
               .div(255.0f);
  return t.permute({2, 0, 1}).unsqueeze(0).contiguous();
}

torch::Tensor normalizeImage(const torch::Tensor& image01) {
  if (image01.min().item<double>() < 0.0) return image01;
  return 2.0f * image01 - 1.0f;
}

torch::Tensor maskToTensor01(const cv::Mat& mask) {
  if (mask.empty() || mask.type() != CV_8UC1) throw Error("mask: expected an 8-bit single-channel image");
  cv::Mat contiguous = mask.isContinuous() ? mask : mask.clone();
  return torch::from_blob(contiguous.data, {1, 1, contiguous.rows, contiguous.cols}, torch::kUInt8)
      .to(torch::kFloat32)
      .div(255.0f)
      .contiguous();
}

torch::Tensor binarizeMaskTensor(const torch::Tensor& mask01) { return (mask01 >= 0.5).to(mask01.scalar_type()); }

torch::Tensor decodedToImageNp(const torch::Tensor& decoded) {
  return (decoded.to(torch::kFloat32) / 2 + 0.5).clamp(0, 1).permute({0, 2, 3, 1}).contiguous().cpu();
}

cv::Mat decodedToRgb(const torch::Tensor& decoded) {
  const auto np = decodedToImageNp(decoded)[0];  // [H, W, 3]
  const auto u8 = (np * 255).round().to(torch::kUInt8).contiguous();
  cv::Mat out(static_cast<int>(u8.size(0)), static_cast<int>(u8.size(1)), CV_8UC3);
  std::memcpy(out.data, u8.data_ptr<uint8_t>(), static_cast<size_t>(u8.numel()));
  return out;
}

// ---- Randomness ---------------------------------------------------------------------------------

at::Generator makeCpuGenerator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

torch::Tensor seededNoise(at::Generator& generator, at::IntArrayRef shape, const torch::TensorOptions& options) {
  auto noise = torch::randn(shape, generator, torch::TensorOptions().dtype(torch::kFloat32).device(torch::kCPU));
  return noise.to(options.device(), c10::typeMetaToScalarType(options.dtype()));
}

uint64_t randomSeed() {
  std::random_device device;
  std::mt19937_64 engine((static_cast<uint64_t>(device()) << 32) ^ device());
  return engine() & 0xffffffffULL;
}

void addSdRunParams(nlohmann::json& params, const StableDiffusionModel& model, const PipelineScheduler& sched,
                    const SdEditGeometry& geometry, const std::string& taesdPath, bool promptTruncated) {
  params["model_kind"] = toString(model.unetKind);
  params["scheduler_class"] = sched.used;
  if (!sched.note.empty()) params["scheduler_note"] = sched.note;
  params["width"] = geometry.workSize.width;
  params["height"] = geometry.workSize.height;
  params["geometry"] = geometry.describe();
  // The models accept any size; the pipelines round to the VAE's multiple as diffusers does.
  params["size_multiple"] = geometry.multiple;
  if (geometry.rounded()) {
    params["size_rounded_from"] = std::to_string(geometry.unroundedSize.width) + "x" + std::to_string(geometry.unroundedSize.height);
  }
  params["dtype"] = sdDtypeName(model);
  params["device"] = model.device.str();
  params["preview"] = taesdPath.empty() ? "linear" : "taesd";
  if (promptTruncated) params["prompt_truncated_at_tokens"] = 75;
}

}  // namespace latentshop
