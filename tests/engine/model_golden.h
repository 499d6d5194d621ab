// Helpers shared by the UNet/VAE/attention tests: build a golden model (../shared/golden/<case>.*)
// and compare recorded intermediates. Header-only; included by tests/engine/test_unet*.cpp, test_vae*.cpp.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "engine/io/safetensors.h"
#include "engine/io/state_dict.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/models/unet_2d_condition.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"

namespace lstest {

inline latentshop::UNet2DConditionModel goldenUnet(const std::string& name,
                                                   torch::TensorOptions options = torch::TensorOptions()) {
  using namespace latentshop;
  UNet2DConditionModel unet(UNet2DConditionConfig::fromFile(goldenPath(name + ".config.json")), options);
  SafetensorsFile weights(goldenPath(name + ".weights.safetensors"));
  bindStateDict(*unet, weights.viewAll(), weights.path(), "UNet2DConditionModel");
  return unet;
}

inline latentshop::AutoencoderKL goldenVae(const std::string& name,
                                           torch::TensorOptions options = torch::TensorOptions()) {
  using namespace latentshop;
  AutoencoderKL vae(AutoencoderKLConfig::fromFile(goldenPath(name + ".config.json")), options);
  SafetensorsFile weights(goldenPath(name + ".weights.safetensors"));
  auto dict = weights.viewAll();
  bindStateDict(*vae, dict, weights.path(), "AutoencoderKL");
  return vae;
}

// Compares every `<prefix><path>` tensor of `io` with `recorded[<path>]`. Returns "" when all match
// within atol, else the first failure; `compared` receives the number of tensors compared.
inline std::string compareIntermediates(const latentshop::SafetensorsFile& io, const std::string& prefix,
                                        const std::map<std::string, torch::Tensor>& recorded, double atol,
                                        int& compared, double* worst = nullptr) {
  compared = 0;
  for (const auto& name : io.names()) {
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string path = name.substr(prefix.size());
    auto it = recorded.find(path);
    if (it == recorded.end()) return "no recorded output for " + path;
    auto c = allClose(it->second, io.view(name), atol, 0.0, name);
    if (worst) *worst = std::max(*worst, c.maxAbsDiff);
    if (!c.ok) return c.message;
    ++compared;
  }
  return "";
}

}  // namespace lstest
