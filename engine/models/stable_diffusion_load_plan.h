// What loading a Stable Diffusion model will read, worked out before any network is built: per
// component its config and its weights as zero-copy views of the memory-mapped file(s), already
// renamed to diffusers keys. Shared by loadStableDiffusion() and inspectStableDiffusion()
// (engine/models/stable_diffusion_loader.h); diffusers folders and single files differ only here.
// Reference: huggingface/diffusers pipeline_utils.py (load_sub_model), convert_from_ckpt.py.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/io/state_dict.h"
#include "engine/models/stable_diffusion_loader.h"

namespace latentshop {

struct ComponentPlan {
  std::string name;        // "text_encoder", "unet", "vae"
  std::string source;      // file or index named in errors
  nlohmann::json config;   // the component's config.json (or SD 1.5's for single files)
  StateDict weights;       // diffusers/transformers keys → views of the file
  std::vector<std::string> files;
};

struct LoadPlan {
  std::string format;      // "diffusers" or "single-file"
  std::string source;
  std::string tokenizerPath;  // folder/file for ClipTokenizer::fromPath (empty: tokenizer not wanted)
  std::optional<ComponentPlan> textEncoder, unet, vae;
  nlohmann::json schedulerConfig;
  bool fp16Weights = false;
  UnetKind unetKind = UnetKind::Plain;
};

// Throws Error naming the folder/file and what is missing or malformed.
LoadPlan planDiffusersFolder(const std::string& root, const ModelLoadOptions& options);
LoadPlan planSingleFile(const std::string& file, const ModelLoadOptions& options);
// Dispatches on the path: a folder → diffusers, a .safetensors file → single file, a pickle → refused.
LoadPlan planStableDiffusion(const std::string& path, const ModelLoadOptions& options);

}  // namespace latentshop
