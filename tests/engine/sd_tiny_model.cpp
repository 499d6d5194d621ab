#include "sd_tiny_model.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <torch/torch.h>

#include "support/test_paths.h"
#include "engine/io/safetensors.h"
#include "engine/io/sd15_reference_configs.h"
#include "engine/models/clip_text_model.h"
#include "engine/tokenizer/clip_vocabulary.h"

namespace fs = std::filesystem;

namespace lstest {

namespace {

void writeJson(const fs::path& p, const nlohmann::json& j) { std::ofstream(p) << j.dump(2); }

const char* pipelineClass(const std::string& unetCase) {
  if (unetCase.find("inpaint") != std::string::npos) return "StableDiffusionInpaintPipeline";
  if (unetCase.find("ip2p") != std::string::npos) return "StableDiffusionInstructPix2PixPipeline";
  return "StableDiffusionPipeline";
}

fs::path startFolder(const std::string& name, const std::string& unetCase, const nlohmann::json& scheduler) {
  const fs::path root = fs::path(scratchDir()) / name;
  fs::remove_all(root);
  for (const char* d : {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) fs::create_directories(root / d);
  writeJson(root / "model_index.json", {{"_class_name", pipelineClass(unetCase)},
                                        {"_diffusers_version", "0.26.3"},
                                        {"unet", {"diffusers", "UNet2DConditionModel"}},
                                        {"vae", {"diffusers", "AutoencoderKL"}},
                                        {"text_encoder", {"transformers", "CLIPTextModel"}},
                                        {"tokenizer", {"transformers", "CLIPTokenizer"}},
                                        {"scheduler", {"diffusers", scheduler.value("_class_name", "PNDMScheduler")}},
                                        {"safety_checker", {nullptr, nullptr}}});
  writeJson(root / "unet/config.json", goldenJson(unetCase));
  fs::copy_file(goldenPath(unetCase + ".weights.safetensors"), root / "unet/diffusion_pytorch_model.safetensors");
  writeJson(root / "vae/config.json", goldenJson("vae_tiny"));
  fs::copy_file(goldenPath("vae_tiny.weights.safetensors"), root / "vae/diffusion_pytorch_model.safetensors");
  const auto vocab = latentshop::ClipVocabulary::fromOpenAiBpe(clipVocabPath());
  nlohmann::json v = nlohmann::json::object();
  for (const auto& [token, id] : vocab.encoder) v[token] = id;
  writeJson(root / "tokenizer/vocab.json", v);
  std::ofstream merges(root / "tokenizer/merges.txt");
  merges << "#version: 0.2\n";
  for (const auto& [a, b] : vocab.merges) merges << a << ' ' << b << '\n';
  merges.close();
  writeJson(root / "tokenizer/tokenizer_config.json", latentshop::sd15::tokenizerConfig());
  writeJson(root / "scheduler/scheduler_config.json", scheduler);
  return root;
}

}  // namespace

nlohmann::json goldenJson(const std::string& name) {
  std::ifstream in(goldenPath(name + ".config.json"));
  return nlohmann::json::parse(in);
}

nlohmann::json goldenPipelineScheduler(const std::string& pipelineCase) {
  return goldenJson(pipelineCase)["components"]["scheduler"];
}

std::string unetCaseFor(const std::string& kind) {
  if (kind == "inpainting") return "unet_inpaint_tiny";
  if (kind == "instruct") return "unet_ip2p_tiny";
  return "unet_sd15_shaped_tiny";
}

std::string makeGoldenSdFolder(const std::string& name, const std::string& unetCase, const nlohmann::json& scheduler) {
  const fs::path root = startFolder(name, unetCase, scheduler);
  writeJson(root / "text_encoder/config.json", goldenJson("clip_text_tiny"));
  fs::copy_file(goldenPath("clip_text_tiny.weights.safetensors"), root / "text_encoder/model.safetensors");
  return root.string();
}

std::string makeRandomSdFolder(const std::string& name, const std::string& kind, uint64_t seed,
                               const nlohmann::json& scheduler) {
  const nlohmann::json sched = scheduler.is_null() ? latentshop::sd15::schedulerConfig() : scheduler;
  const fs::path root = startFolder(name, unetCaseFor(kind), sched);
  // clip_text_tiny's shape with CLIP's vocabulary (bos 49406, eos = pad 49407).
  nlohmann::json config = goldenJson("clip_text_tiny");
  config["vocab_size"] = 49408;
  config["bos_token_id"] = 49406;
  config["pad_token_id"] = 49407;
  writeJson(root / "text_encoder/config.json", config);
  torch::NoGradGuard noGrad;
  latentshop::ClipTextModel model(latentshop::ClipTextConfig::fromJson(config, "random text encoder"));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<std::pair<std::string, torch::Tensor>> weights;
  for (const auto& p : model->named_parameters()) {
    const std::string& n = p.key();
    const auto shape = p.value().sizes();
    torch::Tensor t;
    if (n.find("layer_norm") != std::string::npos && n.size() > 7 && n.compare(n.size() - 7, 7, ".weight") == 0) {
      t = 1.0 + 0.1 * torch::randn(shape, gen);
    } else if (n.size() > 5 && n.compare(n.size() - 5, 5, ".bias") == 0) {
      t = 0.05 * torch::randn(shape, gen);
    } else if (n.find("embedding") != std::string::npos) {
      t = 0.5 * torch::randn(shape, gen);
    } else {
      t = torch::randn(shape, gen) / std::sqrt(static_cast<double>(shape.back()));
    }
    weights.emplace_back(n, t.to(torch::kFloat32).contiguous());
  }
  latentshop::writeSafetensors((root / "text_encoder/model.safetensors").string(), weights);
  return root.string();
}

}  // namespace lstest
