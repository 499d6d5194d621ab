#include "engine/io/diffusers_folder.h"

#include <filesystem>
#include <fstream>

#include "engine/core/error.h"

namespace latentshop {

namespace fs = std::filesystem;

nlohmann::json readJsonFile(const std::string& path, const std::string& what) {
  if (!fs::exists(path)) throw fileError(path, what + " is missing");
  std::ifstream in(path);
  if (!in) throw fileError(path, "cannot open the " + what);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw fileError(path, std::string("is not valid JSON (") + e.what() + ")");
  }
}

bool DiffusersFolder::looksLikeDiffusersFolder(const std::string& path) {
  return fs::is_directory(path) && fs::exists(fs::path(path) / "model_index.json");
}

DiffusersFolder DiffusersFolder::open(const std::string& root) {
  DiffusersFolder f;
  f.root_ = root;
  if (!fs::is_directory(root)) throw fileError(root, "not a folder");
  const fs::path indexPath = fs::path(root) / "model_index.json";
  if (!fs::exists(indexPath))
    throw fileError(root, "not a diffusers model folder (no model_index.json); pass a diffusers folder or a "
                          "single-file .safetensors checkpoint");
  f.index_ = readJsonFile(indexPath.string(), "model index");
  if (!f.index_.is_object()) throw fileError(indexPath.string(), "is not a JSON object");
  if (auto c = f.index_.find("_class_name"); c != f.index_.end() && !c->is_null()) {
    if (!c->is_string()) throw fileError(indexPath.string(), "_class_name is not a string");
    f.pipelineClass_ = c->get<std::string>();
  }
  for (auto it = f.index_.begin(); it != f.index_.end(); ++it) {
    const std::string& name = it.key();
    if (name.empty() || name[0] == '_') continue;
    const auto& v = it.value();
    // Components are [library, class]; [null, null] means "not present" (e.g. no safety checker).
    if (!v.is_array() || v.size() != 2) continue;
    if (v[0].is_null() || v[1].is_null()) continue;
    if (!v[0].is_string() || !v[1].is_string())
      throw fileError(indexPath.string(), "entry '" + name + "' is not [library, class]");
    f.components_[name] = {name, v[0].get<std::string>(), v[1].get<std::string>(), (fs::path(root) / name).string()};
  }
  return f;
}

DiffusersComponent DiffusersFolder::require(const std::string& name, bool requireListed) const {
  const std::string dir = (fs::path(root_) / name).string();
  auto it = components_.find(name);
  if (it == components_.end()) {
    if (requireListed) throw fileError(dir, "missing component: model_index.json lists no " + name);
    if (!fs::is_directory(dir)) throw fileError(dir, "missing component folder");
    return {name, "", "", dir};
  }
  if (!fs::is_directory(dir))
    throw fileError(dir, "missing component folder (model_index.json lists " + name + " as " + it->second.className + ")");
  return it->second;
}

nlohmann::json DiffusersFolder::readJson(const std::string& component, const std::string& file) const {
  const fs::path p = fs::path(root_) / component / file;
  return readJsonFile(p.string(), component + " " + file);
}

}  // namespace latentshop
