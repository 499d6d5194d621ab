// The checkpoints Latentshop can install: models/manifest.json. Each entry is a Hugging Face Hub
// repository in diffusers layout with the glob patterns of the files a tool needs (safetensors
// only), the preferred variant (fp16), its licence and what it is used for. Shared by the GUI's
// model manager and `latentshop-cli models`.
#pragma once
#include <string>
#include <vector>

namespace latentshop {

struct ManifestModel {
  std::string id;          // "sd15-inpainting": also the installed folder's name
  std::string name;        // "Stable Diffusion 1.5 Inpainting"
  std::string repo;        // "stable-diffusion-v1-5/stable-diffusion-inpainting"
  std::string revision = "main";
  std::string kind;        // "inpaint", "plain", "instruct", "preview-decoder", …
  std::string licence;     // "creativeml-openrail-m"
  std::string licenceUrl;
  std::string variant;     // "fp16" or empty
  std::string notes;       // what it is for, one sentence
  double sizeGb = 0;       // approximate download size
  std::vector<std::string> files;  // glob patterns (fnmatch-style: * ? [..]) of repository paths
  std::vector<std::string> uses;   // tools it serves: "inpaint", "instruct", "drag", "preview"
};

struct ModelManifest {
  std::vector<ManifestModel> models;
  const ManifestModel* find(const std::string& id) const;  // null when unknown
};

// Parses manifest JSON; `source` names it in errors ("models/manifest.json: entry 3 has no repo").
// Ids must be unique, non-empty and safe as folder names ([A-Za-z0-9._-], not starting with '.').
ModelManifest parseModelManifest(const std::string& json, const std::string& source);
// Reads and parses a manifest file; throws Error naming the file.
ModelManifest readModelManifest(const std::string& path);

// Glob match of a repository path against one manifest pattern (`*` does not cross '/').
bool manifestPatternMatches(const std::string& pattern, const std::string& path);

}  // namespace latentshop
