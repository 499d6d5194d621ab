#include "engine/training/parameter_init.h"

#include <cmath>
#include <map>

namespace latentshop::training {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isNormName(const std::string& name) {
  return name.find("norm") != std::string::npos || name.find("layer_norm") != std::string::npos;
}

}  // namespace

void initialiseParameters(torch::nn::Module& module, std::uint64_t seed) {
  torch::NoGradGuard noGrad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto named = module.named_parameters(/*recurse=*/true);
  // fan_in of each weight, for the bias beside it (same prefix).
  std::map<std::string, double> fanIn;
  for (const auto& item : named) {
    const auto& w = item.value();
    if (endsWith(item.key(), ".weight") && w.dim() >= 2)
      fanIn[item.key().substr(0, item.key().size() - 7)] = static_cast<double>(w.numel() / w.size(0));
  }
  for (const auto& item : named) {
    const std::string& name = item.key();
    auto p = item.value();
    torch::Tensor value;
    const auto shape = p.sizes().vec();
    const auto cpu = torch::TensorOptions().dtype(torch::kFloat);
    if (name.find("embedding") != std::string::npos && p.dim() == 2) {
      value = 0.02 * torch::randn(shape, gen, cpu);
    } else if (p.dim() >= 2) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(p.numel() / p.size(0)));
      value = (torch::rand(shape, gen, cpu) * 2.0 - 1.0) * bound;
    } else if (isNormName(name) && endsWith(name, ".weight")) {
      value = torch::ones(shape, cpu);
    } else if (endsWith(name, ".bias")) {
      const auto it = fanIn.find(name.substr(0, name.size() - 5));
      if (it != fanIn.end() && !isNormName(name)) {
        const double bound = 1.0 / std::sqrt(it->second);
        value = (torch::rand(shape, gen, cpu) * 2.0 - 1.0) * bound;
      } else {
        value = torch::zeros(shape, cpu);
      }
    } else {
      value = torch::ones(shape, cpu);
    }
    p.copy_(value.to(p.device(), p.scalar_type()));
    p.set_requires_grad(true);
  }
}

void zeroParameters(torch::nn::Module& module, const std::vector<std::string>& suffixes) {
  torch::NoGradGuard noGrad;
  for (auto& item : module.named_parameters(true))
    for (const auto& s : suffixes)
      if (endsWith(item.key(), s)) item.value().zero_();
}

}  // namespace latentshop::training
