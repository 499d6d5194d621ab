#include "engine/io/model_files.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"

namespace latentshop {

namespace fs = std::filesystem;

namespace {

const char* const kPickleExtensions[] = {".bin", ".ckpt", ".pt", ".pth", ".pkl", ".pickle"};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

WeightFiles fromIndex(const fs::path& index, bool fp16) {
  WeightFiles w;
  w.index = index.string();
  w.fp16Variant = fp16;
  nlohmann::json j;
  try {
    std::ifstream in(index);
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw fileError(w.index, std::string("is not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
    throw fileError(w.index, "has no \"weight_map\" object");
  std::set<std::string> shards;
  for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
    if (!it.value().is_string()) throw fileError(w.index, "weight_map entry for '" + it.key() + "' is not a file name");
    shards.insert(it.value().get<std::string>());
  }
  if (shards.empty()) throw fileError(w.index, "weight_map is empty");
  for (const auto& s : shards) {
    const fs::path shard = index.parent_path() / s;
    if (!fs::exists(shard)) throw fileError(w.index, "shard '" + s + "' is missing");
    refusePickle(shard.string());
    w.files.push_back(shard.string());
  }
  return w;
}

}  // namespace

bool looksLikePickle(const std::string& path) {
  const std::string ext = lower(fs::path(path).extension().string());
  for (const char* e : kPickleExtensions)
    if (ext == e) return true;
  std::ifstream in(path, std::ios::binary);
  unsigned char head[4] = {0, 0, 0, 0};
  if (!in.read(reinterpret_cast<char*>(head), 4)) return false;
  const bool zip = head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;  // torch.save
  const bool pickle = head[0] == 0x80 && head[1] >= 2 && head[1] <= 5;                // legacy torch.save
  return zip || pickle;
}

void refusePickle(const std::string& path) {
  if (!looksLikePickle(path)) return;
  throw fileError(path,
                  "is a pickle checkpoint (.ckpt/.bin/.pt); Latentshop never loads pickle files because they can "
                  "run code. Convert it to .safetensors (e.g. diffusers' convert_original_stable_diffusion_to_"
                  "diffusers.py --to_safetensors, or the safetensors 'convert' tool) and load that file instead");
}

WeightFiles locateWeights(const std::string& componentDir, const std::string& baseName, bool preferFp16) {
  const fs::path dir(componentDir);
  if (!fs::is_directory(dir)) throw fileError(componentDir, "component folder is missing");
  const fs::path full = dir / (baseName + ".safetensors");
  const fs::path fullIndex = dir / (baseName + ".safetensors.index.json");
  const fs::path half = dir / (baseName + ".fp16.safetensors");
  const fs::path halfIndexes[] = {dir / (baseName + ".safetensors.index.fp16.json"),
                                  dir / (baseName + ".fp16.safetensors.index.json")};
  const auto tryFull = [&]() -> std::optional<WeightFiles> {
    if (fs::exists(full)) return WeightFiles{{full.string()}, "", false};
    if (fs::exists(fullIndex)) return fromIndex(fullIndex, false);
    return std::nullopt;
  };
  const auto tryHalf = [&]() -> std::optional<WeightFiles> {
    if (fs::exists(half)) return WeightFiles{{half.string()}, "", true};
    for (const auto& idx : halfIndexes)
      if (fs::exists(idx)) return fromIndex(idx, true);
    return std::nullopt;
  };
  auto found = preferFp16 ? tryHalf() : tryFull();
  if (!found) found = preferFp16 ? tryFull() : tryHalf();
  if (found) {
    for (const auto& f : found->files) refusePickle(f);
    return *found;
  }
  // Nothing loadable: name a pickle file if that is what the folder holds.
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = lower(entry.path().extension().string());
    for (const char* e : kPickleExtensions)
      if (ext == e) refusePickle(entry.path().string());
  }
  throw fileError(componentDir, "no weights: expected " + full.filename().string() + ", " +
                                    half.filename().string() + " or a sharded " + fullIndex.filename().string());
}

WeightSet WeightSet::open(const WeightFiles& files) {
  WeightSet w;
  w.source_ = files.describe();
  std::map<std::string, std::string> origin;  // tensor → file, to report duplicates
  for (const auto& path : files.files) {
    const SafetensorsFile f(path);
    for (const auto& name : f.names()) {
      auto [it, fresh] = origin.emplace(name, path);
      if (!fresh)
        throw fileError(w.source_, "tensor '" + name + "' appears in both " + fs::path(it->second).filename().string() +
                                       " and " + fs::path(path).filename().string());
      w.tensors_.emplace(name, f.view(name));
    }
  }
  if (!files.index.empty()) {
    // Every tensor the index names must be in its shard.
    std::ifstream in(files.index);
    const auto j = nlohmann::json::parse(in);
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      auto o = origin.find(it.key());
      const std::string shard = it.value().get<std::string>();
      if (o == origin.end() || fs::path(o->second).filename() != fs::path(shard).filename())
        throw fileError(w.source_, "tensor '" + it.key() + "' is not in its shard '" + shard + "'");
    }
  }
  return w;
}

WeightSet WeightSet::openFile(const std::string& safetensorsPath) {
  refusePickle(safetensorsPath);
  return open(WeightFiles{{safetensorsPath}, "", false});
}

std::uint64_t WeightSet::bytes() const {
  std::uint64_t n = 0;
  for (const auto& [name, t] : tensors_) n += static_cast<std::uint64_t>(t.numel()) * t.element_size();
  return n;
}

}  // namespace latentshop
