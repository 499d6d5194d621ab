#include "engine/training/demo_export.h"

#include <filesystem>
#include <fstream>

#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/io/sd15_reference_configs.h"
#include "engine/tokenizer/clip_vocabulary.h"
#include "engine/io/model_defaults.h"
#include "engine/training/demo_trainer.h"
#include "engine/training/loss_curve.h"
#include "engine/io/project_atomic_file.h"

namespace latentshop::training {

namespace fs = std::filesystem;

namespace {

void writeJson(const fs::path& path, const nlohmann::json& j) {
  writeTextFileAtomically(path.string(), j.dump(2) + "\n");
}

struct StageFile {
  std::vector<std::pair<std::string, torch::Tensor>> weights(const std::string& prefix, c10::ScalarType dtype) const {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    const std::string p = prefix + ".";
    for (const auto& name : file->names())
      if (name.rfind(p, 0) == 0) out.emplace_back(name.substr(p.size()), file->view(name).to(dtype).contiguous());
    if (out.empty()) throw Error(file->path() + ": no '" + prefix + "' weights");
    return out;
  }
  std::unique_ptr<SafetensorsFile> file;
};

StageFile finished(const std::string& workDir, const std::string& stage) {
  const auto path = stageCheckpointPath(workDir, stage);
  if (!stageFinished(workDir, stage))
    throw Error("export needs every stage finished: " + path + " is missing or unfinished (run `latentshop-cli train " +
                stage + "`)");
  return StageFile{std::make_unique<SafetensorsFile>(path)};
}

nlohmann::json modelIndex(const std::string& pipeline, const nlohmann::json& scheduler) {
  return {{"_class_name", pipeline},
          {"_diffusers_version", "0.26.3"},
          {"feature_extractor", {nullptr, nullptr}},
          {"requires_safety_checker", false},
          {"safety_checker", {nullptr, nullptr}},
          {"scheduler", {"diffusers", scheduler.value("_class_name", "PNDMScheduler")}},
          {"text_encoder", {"transformers", "CLIPTextModel"}},
          {"tokenizer", {"transformers", "CLIPTokenizer"}},
          {"unet", {"diffusers", "UNet2DConditionModel"}},
          {"vae", {"diffusers", "AutoencoderKL"}}};
}

void linkOrCopy(const fs::path& target, const fs::path& link, bool symlink) {
  fs::remove_all(link);
  if (symlink) fs::create_directory_symlink(fs::path("..") / target.parent_path().filename() / target.filename(), link);
  else fs::copy(target, link, fs::copy_options::recursive);
}

}  // namespace

void exportDemoModels(const DemoRecipe& recipe, const DemoExportOptions& o) {
  if (o.outDir.empty()) throw Error("export needs an output folder");
  const auto vae = finished(o.workDir, "vae");
  const auto base = finished(o.workDir, "base");
  const auto inpaint = finished(o.workDir, "inpaint");
  const auto instruct = finished(o.workDir, "instruct");
  const fs::path out(o.outDir);
  const std::string dtypeName = o.dtype == c10::kHalf ? "fp16" : (o.dtype == c10::kBFloat16 ? "bf16" : "fp32");
  const std::map<std::string, std::string> meta{{"format", "pt"}, {"latentshop", "demo model, " + dtypeName}};

  // plain/: every shared component.
  const fs::path plain = out / "plain";
  fs::remove_all(plain);
  for (const char* d : {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) fs::create_directories(plain / d);
  nlohmann::json vaeConfig = recipe.vae;
  vaeConfig["scaling_factor"] = std::stod(base.file->metadata().at("scaling_factor"));
  writeJson(plain / "vae/config.json", vaeConfig);
  writeSafetensors((plain / "vae/diffusion_pytorch_model.safetensors").string(), vae.weights("vae", o.dtype), meta);
  writeJson(plain / "text_encoder/config.json", recipe.textEncoder);
  writeSafetensors((plain / "text_encoder/model.safetensors").string(), base.weights("text_encoder", o.dtype), meta);
  const auto vocab = ClipVocabulary::fromOpenAiBpe(o.clipVocab);
  nlohmann::json v = nlohmann::json::object();
  for (const auto& [token, id] : vocab.encoder) v[token] = id;
  {
    writeTextFileAtomically((plain / "tokenizer/vocab.json").string(), v.dump());
    std::string merges = "#version: 0.2\n";
    for (const auto& [a, b] : vocab.merges) merges += a + ' ' + b + '\n';
    writeTextFileAtomically((plain / "tokenizer/merges.txt").string(), merges);
  }
  writeJson(plain / "tokenizer/tokenizer_config.json", sd15::tokenizerConfig());
  writeJson(plain / "tokenizer/special_tokens_map.json",
            {{"bos_token", "<|startoftext|>"}, {"eos_token", "<|endoftext|>"}, {"pad_token", "<|endoftext|>"},
             {"unk_token", "<|endoftext|>"}});

  struct Kind {
    const char* folder;
    const char* unetKind;
    const char* pipeline;
    const StageFile* stage;
  };
  const Kind kinds[] = {{"plain", "plain", "StableDiffusionPipeline", &base},
                        {"inpaint", "inpainting", "StableDiffusionInpaintPipeline", &inpaint},
                        {"instruct", "instruct", "StableDiffusionInstructPix2PixPipeline", &instruct}};
  for (const auto& k : kinds) {
    const fs::path folder = out / k.folder;
    if (folder != plain) {
      fs::remove_all(folder);
      for (const char* d : {"unet", "scheduler"}) fs::create_directories(folder / d);
      for (const char* shared : {"vae", "text_encoder", "tokenizer"}) linkOrCopy(plain / shared, folder / shared, o.symlinkShared);
    }
    writeJson(folder / "model_index.json", modelIndex(k.pipeline, recipe.scheduler));
    writeJson(folder / "scheduler/scheduler_config.json", recipe.scheduler);
    writeJson(folder / "unet/config.json", demoUnetConfig(recipe, k.unetKind));
    writeJson(folder / kModelDefaultsFile, demoModelDefaults(k.unetKind));
    writeSafetensors((folder / "unet/diffusion_pytorch_model.safetensors").string(), k.stage->weights("unet", o.dtype), meta);
  }

  // training.json: how they were made.
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : recipe.stages) {
    const auto rows = readLossLog((fs::path(o.workDir) / s.name / "losses.csv").string());
    double tail = 0.0;
    const std::size_t n = std::min<std::size_t>(50, rows.size());
    for (std::size_t i = rows.size() - n; i < rows.size(); ++i) tail += rows[i].loss;
    const auto ckpt = SafetensorsFile(stageCheckpointPath(o.workDir, s.name));
    stages.push_back({{"stage", s.name},
                      {"steps", std::stoll(ckpt.metadata().at("steps"))},
                      {"batch", std::stoll(ckpt.metadata().at("batch"))},
                      {"seed", ckpt.metadata().at("seed")},
                      {"lr", s.lr},
                      {"final_loss_mean_of_50", n ? tail / static_cast<double>(n) : 0.0},
                      {"seconds_logged_last_run", rows.empty() ? 0.0 : rows.back().seconds}});
    std::error_code ec;
    fs::create_directories(out / "training", ec);
    fs::copy_file(fs::path(o.workDir) / s.name / "loss.png", out / "training" / (s.name + "_loss.png"),
                  fs::copy_options::overwrite_existing, ec);
    fs::copy_file(fs::path(o.workDir) / s.name / "losses.csv", out / "training" / (s.name + "_losses.csv"),
                  fs::copy_options::overwrite_existing, ec);
  }
  writeJson(out / "training.json", {{"image_size", recipe.imageSize},
                                    {"weights_dtype", dtypeName},
                                    {"vae", recipe.vae},
                                    {"text_encoder", recipe.textEncoder},
                                    {"unet", recipe.unet},
                                    {"stages", stages}});
}

}  // namespace latentshop::training
