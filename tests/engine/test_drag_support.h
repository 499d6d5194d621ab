// Helpers shared by the drag tests (tests/engine/test_drag_*.cpp, tests/app/test_drag_*.cpp):
// diffusers model folders assembled from ../shared/golden files.
//  - makeDragGoldenFolder: unet_sd15_shaped_tiny + vae_tiny + the DDIM scheduler config run_drag
//    builds (drag_tiny.config.json components.scheduler); no text encoder (the golden case gives
//    prompt embeddings). For `latentshop-cli tensors run drag`.
//  - makeDragModelFolder: the same UNet and VAE plus a small random CLIP text encoder over CLIP's
//    full vocabulary (hidden size 32 = the UNet's cross_attention_dim) and the real tokenizer files:
//    a complete SD 1.x-shaped model for end-to-end drags on photos (model resolution 16 × 2 = 32 px).
// Header-only.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "engine/io/safetensors.h"
#include "engine/io/sd15_reference_configs.h"
#include "engine/models/clip_text_model.h"
#include "engine/models/clip_text_model_config.h"
#include "engine/tokenizer/clip_vocabulary.h"
#include "support/test_paths.h"

namespace lstest {

inline nlohmann::json readGoldenJson(const std::string& name) {
  std::ifstream in(goldenPath(name));
  return nlohmann::json::parse(in);
}

inline void writeJsonFile(const std::filesystem::path& p, const nlohmann::json& j) { std::ofstream(p) << j.dump(2); }

inline std::string makeDragGoldenFolder(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(scratchDir()) / name;
  fs::remove_all(root);
  for (const char* d : {"unet", "vae", "scheduler"}) fs::create_directories(root / d);
  writeJsonFile(root / "model_index.json", {{"_class_name", "StableDiffusionPipeline"},
                                            {"_diffusers_version", "0.26.3"},
                                            {"unet", {"diffusers", "UNet2DConditionModel"}},
                                            {"vae", {"diffusers", "AutoencoderKL"}},
                                            {"scheduler", {"diffusers", "DDIMScheduler"}}});
  writeJsonFile(root / "unet/config.json", readGoldenJson("unet_sd15_shaped_tiny.config.json"));
  fs::copy_file(goldenPath("unet_sd15_shaped_tiny.weights.safetensors"), root / "unet/diffusion_pytorch_model.safetensors");
  writeJsonFile(root / "vae/config.json", readGoldenJson("vae_tiny.config.json"));
  fs::copy_file(goldenPath("vae_tiny.weights.safetensors"), root / "vae/diffusion_pytorch_model.safetensors");
  writeJsonFile(root / "scheduler/scheduler_config.json",
                readGoldenJson("drag_tiny.config.json").at("components").at("scheduler"));
  return root.string();
}

inline std::string makeDragModelFolder(const std::string& name) {
  using namespace latentshop;
  namespace fs = std::filesystem;
  const fs::path root = fs::path(scratchDir()) / name;
  fs::remove_all(root);
  for (const char* d : {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) fs::create_directories(root / d);
  writeJsonFile(root / "model_index.json", {{"_class_name", "StableDiffusionPipeline"},
                                            {"_diffusers_version", "0.26.3"},
                                            {"unet", {"diffusers", "UNet2DConditionModel"}},
                                            {"vae", {"diffusers", "AutoencoderKL"}},
                                            {"text_encoder", {"transformers", "CLIPTextModel"}},
                                            {"tokenizer", {"transformers", "CLIPTokenizer"}},
                                            {"scheduler", {"diffusers", "PNDMScheduler"}}});
  writeJsonFile(root / "unet/config.json", readGoldenJson("unet_sd15_shaped_tiny.config.json"));
  fs::copy_file(goldenPath("unet_sd15_shaped_tiny.weights.safetensors"), root / "unet/diffusion_pytorch_model.safetensors");
  writeJsonFile(root / "vae/config.json", readGoldenJson("vae_tiny.config.json"));
  fs::copy_file(goldenPath("vae_tiny.weights.safetensors"), root / "vae/diffusion_pytorch_model.safetensors");
  writeJsonFile(root / "scheduler/scheduler_config.json", sd15::schedulerConfig());

  const nlohmann::json textConfig = {{"architectures", {"CLIPTextModel"}}, {"hidden_size", 32},
                                     {"intermediate_size", 37},            {"num_hidden_layers", 2},
                                     {"num_attention_heads", 4},           {"max_position_embeddings", 77},
                                     {"vocab_size", 49408},                {"hidden_act", "quick_gelu"},
                                     {"eos_token_id", 2},                  {"bos_token_id", 0},
                                     {"layer_norm_eps", 1e-5},             {"projection_dim", 32}};
  writeJsonFile(root / "text_encoder/config.json", textConfig);
  {
    torch::NoGradGuard noGrad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(4242);
    ClipTextModel text(ClipTextConfig::fromJson(textConfig, "drag test text encoder"));
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& p : text->named_parameters()) {
      auto t = torch::randn(p.value().sizes(), gen) * 0.1;
      const std::string& key = p.key();
      if (key.find("layer_norm") != std::string::npos && key.size() > 7 && key.compare(key.size() - 7, 7, ".weight") == 0)
        t = t + 1.0;
      tensors.emplace_back(key, t);
    }
    writeSafetensors((root / "text_encoder/model.safetensors").string(), tensors);
  }
  const auto vocab = ClipVocabulary::fromOpenAiBpe(clipVocabPath());
  nlohmann::json v = nlohmann::json::object();
  for (const auto& [token, id] : vocab.encoder) v[token] = id;
  writeJsonFile(root / "tokenizer/vocab.json", v);
  std::ofstream merges(root / "tokenizer/merges.txt");
  merges << "#version: 0.2\n";
  for (const auto& [a, b] : vocab.merges) merges << a << ' ' << b << '\n';
  merges.close();
  writeJsonFile(root / "tokenizer/tokenizer_config.json", sd15::tokenizerConfig());
  return root.string();
}

}  // namespace lstest
