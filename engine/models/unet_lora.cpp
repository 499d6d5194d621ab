#include "engine/models/unet_lora.h"

#include <map>
#include <set>

#include "engine/core/error.h"
#include "engine/io/safetensors.h"

namespace latentshop {

namespace {

// Every LoRA-capable projection of every attention module, keyed by its path ("....attn1.to_q").
std::map<std::string, nn::LoraLinear> projections(const UNet2DConditionModelImpl& unet) {
  std::map<std::string, nn::LoraLinear> out;
  for (const auto& [path, attn] : unet.attentionModules()) {
    out.emplace(path + ".to_q", attn->to_q);
    out.emplace(path + ".to_k", attn->to_k);
    out.emplace(path + ".to_v", attn->to_v);
    out.emplace(path + ".to_out.0", attn->toOut0);
  }
  return out;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Maps a file key to ("<projection path>", "down"|"up"); false when it is not a LoRA key.
bool parseKey(std::string key, std::string& projection, std::string& which) {
  if (key.rfind("unet.", 0) == 0) key = key.substr(5);
  for (const char* w : {"down", "up"}) {
    const std::string suffix = std::string(".lora.") + w + ".weight";
    if (endsWith(key, suffix)) {
      projection = key.substr(0, key.size() - suffix.size());
      which = w;
      return true;
    }
  }
  // Older attention-processor layout: "<module>.processor.to_q_lora.down.weight".
  static const std::pair<const char*, const char*> kOld[] = {
      {"to_q_lora", "to_q"}, {"to_k_lora", "to_k"}, {"to_v_lora", "to_v"}, {"to_out_lora", "to_out.0"}};
  for (const auto& [oldName, newName] : kOld) {
    for (const char* w : {"down", "up"}) {
      const std::string suffix = std::string(".processor.") + oldName + "." + w + ".weight";
      if (endsWith(key, suffix)) {
        projection = key.substr(0, key.size() - suffix.size()) + "." + newName;
        which = w;
        return true;
      }
    }
  }
  return false;
}

std::string shapeText(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

}  // namespace

void addUNetLora(UNet2DConditionModelImpl& unet, const UNetLoraOptions& options) {
  if (options.rank <= 0) throw Error("UNet LoRA: rank must be positive, got " + std::to_string(options.rank));
  c10::optional<at::Generator> gen;
  if (options.seed) gen = at::make_generator<at::CPUGeneratorImpl>(*options.seed);
  const auto dtype = options.dtype.value_or(unet.dtype());
  for (auto& [path, linear] : projections(unet)) {
    (void)path;
    // Draw on the CPU (reproducible for a seed), then move.
    linear->initLora(options.rank, torch::TensorOptions().dtype(torch::kFloat).device(torch::kCPU), false, gen);
    auto down = linear->loraDown().to(unet.device(), dtype);
    auto up = linear->loraUp().to(unet.device(), dtype);
    if (options.requiresGrad) {
      down.requires_grad_(true);
      up.requires_grad_(true);
    }
    linear->setLora(down, up);
  }
}

void removeUNetLora(UNet2DConditionModelImpl& unet) {
  for (auto& [path, linear] : projections(unet)) linear->clearLora();
}

void setUNetLoraScale(UNet2DConditionModelImpl& unet, double scale) {
  for (auto& [path, linear] : projections(unet)) linear->loraScale = scale;
}

void setUNetLoraEnabled(UNet2DConditionModelImpl& unet, bool enabled) {
  for (auto& [path, linear] : projections(unet)) linear->loraEnabled = enabled;
}

int64_t countUNetLoraLayers(const UNet2DConditionModelImpl& unet) {
  int64_t n = 0;
  for (const auto& [path, linear] : projections(unet)) n += linear->hasLora() ? 1 : 0;
  return n;
}

StateDict unetLoraStateDict(const UNet2DConditionModelImpl& unet) {
  StateDict out;
  for (const auto& [path, linear] : projections(unet)) {
    if (!linear->hasLora()) continue;
    out.emplace(path + ".lora.down.weight", linear->loraDown());
    out.emplace(path + ".lora.up.weight", linear->loraUp());
  }
  return out;
}

std::vector<torch::Tensor> unetLoraParameters(const UNet2DConditionModelImpl& unet) {
  std::vector<torch::Tensor> out;
  for (const auto& [key, t] : unetLoraStateDict(unet)) out.push_back(t);
  return out;
}

void loadUNetLora(UNet2DConditionModelImpl& unet, const StateDict& dict, const std::string& source,
                  std::optional<c10::ScalarType> dtype) {
  auto targets = projections(unet);
  std::map<std::string, std::pair<torch::Tensor, torch::Tensor>> found;  // projection → (down, up)
  std::vector<std::string> unexpected, incomplete, mismatched;
  for (const auto& [key, t] : dict) {
    std::string projection, which;
    if (!parseKey(key, projection, which) || !targets.count(projection)) {
      unexpected.push_back(key);
      continue;
    }
    (which == "down" ? found[projection].first : found[projection].second) = t;
  }
  for (const auto& [projection, pair] : found) {
    const auto& [down, up] = pair;
    if (!down.defined() || !up.defined()) {
      incomplete.push_back(projection + (down.defined() ? " (no up weight)" : " (no down weight)"));
      continue;
    }
    const auto& linear = targets.at(projection);
    if (down.dim() != 2 || up.dim() != 2 || down.size(1) != linear->inFeatures || up.size(0) != linear->outFeatures ||
        up.size(1) != down.size(0)) {
      mismatched.push_back(projection + ": down " + shapeText(down) + " / up " + shapeText(up) + " vs Linear(" +
                           std::to_string(linear->inFeatures) + ", " + std::to_string(linear->outFeatures) + ")");
    }
  }
  if (found.empty() && unexpected.empty()) throw fileError(source, "no LoRA weights in the file");
  if (!unexpected.empty() || !incomplete.empty() || !mismatched.empty()) {
    std::string msg = "cannot load UNet LoRA:";
    auto list = [&msg](const std::vector<std::string>& items, const std::string& what) {
      if (items.empty()) return;
      msg += " " + std::to_string(items.size()) + " " + what + ":";
      for (std::size_t i = 0; i < items.size() && i < 8; ++i) msg += (i ? ", " : " ") + items[i];
      if (items.size() > 8) msg += ", … and " + std::to_string(items.size() - 8) + " more";
      msg += ";";
    };
    list(unexpected, "unknown keys");
    list(incomplete, "incomplete layers");
    list(mismatched, "shape mismatches");
    msg.pop_back();
    throw fileError(source, msg);
  }
  const auto type = dtype.value_or(unet.dtype());
  torch::NoGradGuard noGrad;
  for (const auto& [projection, pair] : found) {
    targets.at(projection)->setLora(pair.first.to(unet.device(), type).clone(),
                                    pair.second.to(unet.device(), type).clone());
  }
}

void loadUNetLoraFile(UNet2DConditionModelImpl& unet, const std::string& path, std::optional<c10::ScalarType> dtype) {
  SafetensorsFile file(path);
  loadUNetLora(unet, file.viewAll(), path, dtype);
}

void saveUNetLoraFile(const UNet2DConditionModelImpl& unet, const std::string& path,
                      std::optional<c10::ScalarType> dtype) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& [key, t] : unetLoraStateDict(unet))
    tensors.emplace_back("unet." + key, dtype ? t.detach().to(torch::kCPU, *dtype) : t.detach().cpu());
  if (tensors.empty()) throw fileError(path, "the UNet has no LoRA layers to save");
  writeSafetensors(path, tensors, {{"format", "pt"}});
}

}  // namespace latentshop
