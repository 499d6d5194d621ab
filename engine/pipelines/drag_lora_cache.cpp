#include "engine/pipelines/drag_lora_cache.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <spdlog/spdlog.h>

#include "engine/io/safetensors.h"
#include "engine/runtime/model_cache.h"

namespace latentshop {

namespace fs = std::filesystem;

namespace {

constexpr const char* kKind = "drag.lora";

struct Fnv1a {
  std::uint64_t h = 1469598103934665603ull;
  void bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 1099511628211ull;
    }
  }
  void text(const std::string& s) {
    const std::uint64_t n = s.size();
    bytes(&n, sizeof n);
    bytes(s.data(), s.size());
  }
  template <class T>
  void value(const T& v) {
    bytes(&v, sizeof v);
  }
};

}  // namespace

std::string dragLoraCacheKey(const cv::Mat& image, const std::string& prompt, const std::string& modelKey,
                             const DragLoraOptions& o) {
  Fnv1a f;
  f.text("latentshop-drag-lora-v1");
  f.value(image.rows);
  f.value(image.cols);
  f.value(image.type());
  for (int y = 0; y < image.rows; ++y) f.bytes(image.ptr(y), image.cols * image.elemSize());
  f.text(prompt);
  f.text(modelKey);
  f.value(o.steps);
  f.value(o.lr);
  f.value(o.batchSize);
  f.value(o.rank);
  f.value(o.seed);
  f.value(o.trainSize);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(f.h));
  return buf;
}

DragLoraCache::DragLoraCache(ModelCache& memory, std::string directory, std::size_t maxFiles)
    : memory_(memory), directory_(std::move(directory)), maxFiles_(maxFiles) {}

std::string DragLoraCache::filePath(const std::string& key) const {
  return directory_.empty() ? std::string() : (fs::path(directory_) / (key + ".safetensors")).string();
}

std::shared_ptr<const StateDict> DragLoraCache::find(const std::string& key) {
  if (auto hit = memory_.get<StateDict>(kKind, key)) return hit;
  const auto path = filePath(key);
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec)) return nullptr;
  try {
    SafetensorsFile file(path);
    auto dict = std::make_shared<StateDict>();
    for (const auto& name : file.names()) {
      const std::string k = name.rfind("unet.", 0) == 0 ? name.substr(5) : name;
      dict->emplace(k, file.load(name, c10::kFloat));
    }
    fs::last_write_time(path, fs::file_time_type::clock::now(), ec);  // most recently used
    memory_.put<StateDict>(kKind, key, dict);
    return dict;
  } catch (const std::exception& e) {
    spdlog::warn("drag LoRA cache: ignoring {}: {}", path, e.what());
    fs::remove(path, ec);
    return nullptr;
  }
}

void DragLoraCache::store(const std::string& key, const StateDict& weights) {
  memory_.put<StateDict>(kKind, key, std::make_shared<StateDict>(weights));
  const auto path = filePath(key);
  if (path.empty()) return;
  try {
    fs::create_directories(directory_);
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& [k, t] : weights) tensors.emplace_back("unet." + k, t.detach().to(torch::kCPU, torch::kFloat));
    writeSafetensors(path, tensors, {{"format", "pt"}, {"latentshop", "drag LoRA"}});
    prune();
  } catch (const std::exception& e) {
    spdlog::warn("drag LoRA cache: cannot write {}: {}", path, e.what());
  }
}

void DragLoraCache::prune() const {
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (const auto& entry : fs::directory_iterator(directory_, ec)) {
    if (entry.path().extension() != ".safetensors") continue;
    files.emplace_back(entry.last_write_time(ec), entry.path());
  }
  if (files.size() <= maxFiles_) return;
  std::sort(files.begin(), files.end());
  for (std::size_t i = 0; i + maxFiles_ < files.size(); ++i) fs::remove(files[i].second, ec);
}

}  // namespace latentshop
