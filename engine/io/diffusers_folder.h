// A diffusers pipeline folder: model_index.json naming each component ({"unet": ["diffusers",
// "UNet2DConditionModel"], ...}) and one sub-folder per component (unet/, vae/, text_encoder/,
// tokenizer/, scheduler/) holding its config and weights.
// Reference: huggingface/diffusers src/diffusers/pipelines/pipeline_utils.py (DiffusionPipeline.from_pretrained,
// load_sub_model), src/diffusers/configuration_utils.py (config file names).
#pragma once
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace latentshop {

struct DiffusersComponent {
  std::string name;       // "unet"
  std::string library;    // "diffusers", "transformers"
  std::string className;  // "UNet2DConditionModel"
  std::string dir;        // <root>/unet
};

class DiffusersFolder {
public:
  // Reads <root>/model_index.json; throws Error naming the folder when it is not a diffusers folder
  // or the index is malformed.
  static DiffusersFolder open(const std::string& root);
  static bool looksLikeDiffusersFolder(const std::string& path);  // has model_index.json

  const std::string& root() const { return root_; }
  const std::string& pipelineClass() const { return pipelineClass_; }  // "_class_name"
  const nlohmann::json& modelIndex() const { return index_; }
  // Components with a non-null entry in model_index.json.
  const std::map<std::string, DiffusersComponent>& components() const { return components_; }
  bool has(const std::string& name) const { return components_.count(name) != 0; }

  // The component, checked: listed in model_index.json (unless `requireListed` is false) and its
  // folder present. Throws Error("<root>/<name>: ...") saying which is missing.
  DiffusersComponent require(const std::string& name, bool requireListed = true) const;
  // <root>/<component>/<file> as JSON; throws Error naming the file when absent or malformed.
  nlohmann::json readJson(const std::string& component, const std::string& file) const;

private:
  std::string root_;
  std::string pipelineClass_;
  nlohmann::json index_;
  std::map<std::string, DiffusersComponent> components_;
};

// Reads a JSON file; throws Error("<path>: ...") when absent or malformed.
nlohmann::json readJsonFile(const std::string& path, const std::string& what = "file");

}  // namespace latentshop
