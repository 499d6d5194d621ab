#include "engine/io/model_defaults.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"

namespace latentshop {

ModelDefaults readModelDefaults(const std::string& modelPath) {
  namespace fs = std::filesystem;
  ModelDefaults d;
  std::error_code ec;
  if (modelPath.empty() || !fs::is_directory(modelPath, ec)) return d;
  const fs::path file = fs::path(modelPath) / kModelDefaultsFile;
  if (!fs::exists(file, ec)) return d;
  const std::string path = file.string();
  std::ifstream in(file);
  if (!in) throw fileError(path, "cannot be read");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw fileError(path, std::string("is not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) throw fileError(path, "must hold a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (!key.empty() && key[0] == '_') continue;  // comments
    std::optional<double>* slot = key == "guidance_scale"         ? &d.guidanceScale
                                  : key == "image_guidance_scale" ? &d.imageGuidanceScale
                                                                  : nullptr;
    if (!slot) throw fileError(path, "unknown setting '" + key + "' (guidance_scale, image_guidance_scale)");
    if (!value.is_number() || !(value.get<double>() >= 0.0 && value.get<double>() <= 50.0))
      throw fileError(path, "'" + key + "' must be a number from 0 to 50");
    *slot = value.get<double>();
  }
  d.source = path;
  return d;
}

ModelDefaults readModelDefaultsOrNone(const std::string& modelPath, std::string* problem) {
  try {
    return readModelDefaults(modelPath);
  } catch (const std::exception& e) {
    if (problem) *problem = e.what();
    return {};
  }
}

}  // namespace latentshop
