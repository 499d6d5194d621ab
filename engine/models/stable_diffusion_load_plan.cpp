#include "engine/models/stable_diffusion_load_plan.h"

#include <cstdlib>
#include <filesystem>

#include "engine/core/error.h"
#include "engine/io/checkpoint_key_mapping.h"
#include "engine/io/diffusers_folder.h"
#include "engine/io/model_files.h"
#include "engine/io/sd15_reference_configs.h"

namespace latentshop {

namespace fs = std::filesystem;

namespace {

void expectClass(const DiffusersFolder& folder, const DiffusersComponent& c, const std::string& expected) {
  if (c.className != expected)
    throw fileError((fs::path(folder.root()) / "model_index.json").string(),
                    c.name + " is " + c.className + "; Latentshop loads " + expected + " here");
}

ComponentPlan planComponent(const DiffusersFolder& folder, const std::string& name, const std::string& className,
                            const std::string& weightsName, bool fp16, bool& usedFp16) {
  const auto c = folder.require(name);
  expectClass(folder, c, className);
  ComponentPlan p;
  p.name = name;
  p.config = folder.readJson(name, "config.json");
  const auto files = locateWeights(c.dir, weightsName, fp16);
  usedFp16 = usedFp16 || files.fp16Variant;
  auto set = WeightSet::open(files);
  p.source = set.source();
  p.weights = std::move(set.tensors());
  p.files = files.files;
  return p;
}

std::int64_t configInChannels(const ComponentPlan& unet) {
  const auto& j = unet.config;
  if (!j.contains("in_channels")) return 4;
  if (!j["in_channels"].is_number_integer()) throw fileError(unet.source, "unet config in_channels is not an integer");
  return j["in_channels"].get<std::int64_t>();
}

std::string resolveClipVocab(const ModelLoadOptions& options, const std::string& file) {
  if (!options.clipVocab.empty()) return options.clipVocab;
  if (const char* env = std::getenv("LATENTSHOP_CLIP_VOCAB"); env && *env) return env;
  const fs::path beside = fs::path(file).parent_path() / "tokenizer";
  if (fs::exists(beside / "vocab.json")) return beside.string();
  throw fileError(file,
                  "single-file checkpoints carry no tokenizer: set LATENTSHOP_CLIP_VOCAB to "
                  "bpe_simple_vocab_16e6.txt.gz (or a diffusers tokenizer/ folder), or put a tokenizer/ folder "
                  "beside the file");
}

}  // namespace

LoadPlan planDiffusersFolder(const std::string& root, const ModelLoadOptions& options) {
  const auto folder = DiffusersFolder::open(root);
  LoadPlan plan;
  plan.format = "diffusers";
  plan.source = root;
  for (const char* unsupported : {"text_encoder_2", "tokenizer_2", "prior", "decoder"})
    if (folder.has(unsupported))
      throw fileError((fs::path(root) / "model_index.json").string(),
                      folder.pipelineClass() + " has a " + unsupported +
                          ": only Stable Diffusion 1.x/2.x pipelines (one CLIP text encoder) are supported");
  const bool fp16 = options.wantFp16Weights();
  if (options.tokenizer) {
    const auto c = folder.require("tokenizer");
    if (c.className != "CLIPTokenizer" && c.className != "CLIPTokenizerFast")
      throw fileError((fs::path(root) / "model_index.json").string(), "tokenizer is " + c.className +
                                                                          "; Latentshop loads a CLIP tokenizer");
    if (!fs::exists(fs::path(c.dir) / "vocab.json")) throw fileError(c.dir, "tokenizer folder has no vocab.json");
    if (!fs::exists(fs::path(c.dir) / "merges.txt")) throw fileError(c.dir, "tokenizer folder has no merges.txt");
    plan.tokenizerPath = c.dir;
  }
  if (options.textEncoder)
    plan.textEncoder = planComponent(folder, "text_encoder", "CLIPTextModel", kTransformersWeightsName, fp16, plan.fp16Weights);
  if (options.unet) {
    plan.unet = planComponent(folder, "unet", "UNet2DConditionModel", kDiffusersWeightsName, fp16, plan.fp16Weights);
    plan.unetKind = unetKindFromInChannels(configInChannels(*plan.unet), plan.unet->source);
    folder.require("scheduler");
    plan.schedulerConfig = folder.readJson("scheduler", "scheduler_config.json");
  }
  if (options.vae) {
    plan.vae = planComponent(folder, "vae", "AutoencoderKL", kDiffusersWeightsName, fp16, plan.fp16Weights);
    convertDeprecatedAttentionKeys(plan.vae->weights);  // old query/key/value/proj_attn names
  }
  return plan;
}

LoadPlan planSingleFile(const std::string& file, const ModelLoadOptions& options) {
  refusePickle(file);
  auto set = WeightSet::openFile(file);
  const auto& dict = set.tensors();
  const auto family = detectCheckpointFamily(dict);
  if (family == CheckpointFamily::StableDiffusion2 || family == CheckpointFamily::StableDiffusionXL)
    throw fileError(file, std::string("is a ") + toString(family) +
                              " checkpoint; single files are supported for Stable Diffusion 1.x only (load a "
                              "diffusers folder for other models)");
  const std::string convIn = std::string(kLdmUnetPrefix) + "input_blocks.0.0.weight";
  if (family == CheckpointFamily::Unknown && !dict.count(convIn))
    throw fileError(file, "not a Stable Diffusion checkpoint: no model.diffusion_model.*, first_stage_model.* or "
                          "cond_stage_model.transformer.* tensors");
  LoadPlan plan;
  plan.format = "single-file";
  plan.source = file;
  plan.schedulerConfig = sd15::schedulerConfig();
  auto unetConfig = options.singleFileUnetConfig.value_or(sd15::unetConfig());
  const auto vaeConfig = options.singleFileVaeConfig.value_or(sd15::vaeConfig());
  if (auto it = dict.find(convIn); it != dict.end()) {
    if (it->second.dim() != 4) throw fileError(file, convIn + " is not a convolution weight");
    unetConfig["in_channels"] = it->second.size(1);
  } else if (options.unet) {
    throw fileError(file, "no UNet weights (model.diffusion_model.input_blocks.0.0.weight is missing)");
  }
  auto converted = convertLdmCheckpoint(dict, unetConfig, vaeConfig);
  const auto component = [&](const char* name, StateDict& weights, nlohmann::json config, const char* prefix) {
    if (weights.empty()) throw fileError(file, std::string("no ") + name + " weights (" + prefix + "* tensors)");
    return ComponentPlan{name, file, std::move(config), std::move(weights), {file}};
  };
  if (options.unet) {
    plan.unet = component("unet", converted.unet, unetConfig, kLdmUnetPrefix);
    plan.unetKind = unetKindFromInChannels(unetConfig["in_channels"].get<std::int64_t>(), file);
  }
  if (options.vae) plan.vae = component("vae", converted.vae, vaeConfig, kLdmVaePrefix);
  if (options.textEncoder)
    plan.textEncoder = component("text_encoder", converted.textEncoder,
                                 options.singleFileTextEncoderConfig.value_or(sd15::textEncoderConfig()), kLdmClipPrefix);
  if (options.tokenizer) plan.tokenizerPath = resolveClipVocab(options, file);
  plan.fp16Weights = false;
  return plan;
}

LoadPlan planStableDiffusion(const std::string& path, const ModelLoadOptions& options) {
  if (!fs::exists(path)) throw fileError(path, "no such file or folder");
  if (fs::is_directory(path)) return planDiffusersFolder(path, options);
  refusePickle(path);
  if (fs::path(path).extension() != ".safetensors")
    throw fileError(path, "expected a diffusers model folder or a single-file .safetensors checkpoint");
  return planSingleFile(path, options);
}

}  // namespace latentshop
