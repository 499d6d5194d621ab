#include "engine/models/taesd_loader.h"

#include <cctype>
#include <filesystem>

#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/io/state_dict.h"
#include "engine/schedulers/scheduler_config.h"

namespace latentshop {

namespace fs = std::filesystem;

namespace {

bool startsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// "12.conv.0.weight" -> "decoder.layers.11.conv.0.weight" (original TAESD decoder layout).
StateDict fromOriginalDecoderLayout(const SafetensorsFile& file) {
  if (file.contains("0.weight")) {
    throw fileError(file.path(), "looks like a TAESD encoder (it has layer 0 weights); give the decoder file "
                                 "(taesd_decoder.safetensors) or a diffusers AutoencoderTiny folder");
  }
  StateDict out;
  for (const auto& name : file.names()) {
    const auto dot = name.find('.');
    std::size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
    if (digits == 0 || dot != digits) throw fileError(file.path(), "unexpected key '" + name + "' for a TAESD decoder file");
    const int index = std::stoi(name.substr(0, digits));
    if (index < 1) throw fileError(file.path(), "unexpected key '" + name + "' for a TAESD decoder file");
    out.emplace("decoder.layers." + std::to_string(index - 1) + name.substr(dot), file.view(name));
  }
  return out;
}

void bindInto(AutoencoderTiny& model, StateDict dict, const std::string& source, const TaesdLoadOptions& options) {
  if (!options.withEncoder) {
    for (auto it = dict.begin(); it != dict.end();) it = startsWith(it->first, "encoder.") ? dict.erase(it) : std::next(it);
  }
  bindStateDict(*model, dict, source, "AutoencoderTiny");
}

}  // namespace

AutoencoderTiny loadTaesd(const std::string& path, const TaesdLoadOptions& options) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw fileError(path, "no such file or folder (expected a TAESD / AutoencoderTiny model)");

  torch::NoGradGuard noGrad;
  if (!fs::is_directory(path, ec)) {
    if (options.withEncoder) {
      throw fileError(path, "a single TAESD file holds only the decoder; give a diffusers AutoencoderTiny folder for the encoder");
    }
    SafetensorsFile file(path);
    const bool diffusersKeys = !file.names().empty() && startsWith(file.names().front(), "decoder.");
    AutoencoderTiny model(AutoencoderTinyConfig{}, /*withEncoder=*/false);
    model->to(options.device, options.dtype);
    StateDict dict;
    if (diffusersKeys) {
      dict = file.viewAll();
    } else {
      dict = fromOriginalDecoderLayout(file);
    }
    bindInto(model, std::move(dict), path, options);
    model->eval();
    return model;
  }

  const auto configPath = (fs::path(path) / "config.json").string();
  if (!fs::exists(configPath, ec)) {
    throw fileError(configPath, "missing (a TAESD folder is a diffusers AutoencoderTiny folder: config.json + "
                                "diffusion_pytorch_model.safetensors)");
  }
  const auto json = loadDiffusersJson(configPath);
  if (auto it = json.find("_class_name"); it != json.end() && it->is_string() && it->get<std::string>() != "AutoencoderTiny") {
    throw fileError(configPath, "_class_name is " + it->get<std::string>() + ", expected AutoencoderTiny (a TAESD model)");
  }
  const auto config = AutoencoderTinyConfig::fromJson(json, configPath);

  std::string weights;
  for (const char* name : {"diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"}) {
    const auto candidate = (fs::path(path) / name).string();
    if (fs::exists(candidate, ec)) {
      weights = candidate;
      break;
    }
  }
  if (weights.empty()) {
    throw fileError((fs::path(path) / "diffusion_pytorch_model.safetensors").string(),
                    "missing (pickle .bin weights are not loaded; convert them to safetensors)");
  }
  AutoencoderTiny model(config, options.withEncoder);
  model->to(options.device, options.dtype);
  SafetensorsFile file(weights);
  bindInto(model, file.viewAll(), weights, options);
  model->eval();
  return model;
}

}  // namespace latentshop
