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

// The residual blocks (ResNet and Transformer2D blocks) a UNet's signal passes through from conv_in
// to conv_out: each down block's layers, the mid block's resnet-attention-resnet, each up block's
// layers + 1 (CrossAttn blocks pair every ResNet with a Transformer2D). The depth over which
// low-precision roundings add up, for precision_bounds.h (unet_tiny 12, unet_sd15_shaped_tiny 38).
inline double unetResidualBlocks(const latentshop::UNet2DConditionConfig& c) {
  const auto perLayer = [](const std::string& type) { return type.rfind("CrossAttn", 0) == 0 ? 2.0 : 1.0; };
  const std::size_t n = c.layersPerBlock.size();
  double blocks = c.midBlockType ? 3.0 : 0.0;
  for (std::size_t i = 0; i < c.downBlockTypes.size() && i < n; ++i)
    blocks += static_cast<double>(c.layersPerBlock[i]) * perLayer(c.downBlockTypes[i]);
  for (std::size_t i = 0; i < c.upBlockTypes.size() && i < n; ++i)
    blocks += static_cast<double>(c.layersPerBlock[n - 1 - i] + 1) * perLayer(c.upBlockTypes[i]);
  return blocks;
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
