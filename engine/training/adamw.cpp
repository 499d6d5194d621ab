#include "engine/training/adamw.h"

#include <cmath>

#include "engine/core/error.h"

namespace latentshop::training {

AdamW::AdamW(std::map<std::string, torch::Tensor> params, AdamWOptions options)
    : params_(std::move(params)), options_(options) {
  torch::NoGradGuard noGrad;
  for (const auto& [name, p] : params_) {
    if (!p.requires_grad()) throw Error("AdamW: parameter " + name + " does not require grad");
    m_[name] = torch::zeros_like(p, torch::kFloat);
    v_[name] = torch::zeros_like(p, torch::kFloat);
  }
}

void AdamW::zeroGrad() {
  for (auto& [name, p] : params_) {
    (void)name;
    if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
  }
}

double AdamW::step(double lr) {
  torch::NoGradGuard noGrad;
  double sq = 0.0;
  for (const auto& [name, p] : params_) {
    (void)name;
    if (p.grad().defined()) sq += p.grad().to(torch::kDouble).square().sum().item<double>();
  }
  const double norm = std::sqrt(sq);
  const double clip = options_.maxGradNorm > 0.0 && norm > options_.maxGradNorm ? options_.maxGradNorm / (norm + 1e-6) : 1.0;
  ++step_;
  const double bc1 = 1.0 - std::pow(options_.beta1, static_cast<double>(step_));
  const double bc2 = 1.0 - std::pow(options_.beta2, static_cast<double>(step_));
  for (auto& [name, p] : params_) {
    if (!p.grad().defined()) continue;
    auto g = p.grad().to(torch::kFloat);
    if (clip != 1.0) g = g * clip;
    auto& m = m_.at(name);
    auto& v = v_.at(name);
    p.mul_(1.0 - lr * options_.weightDecay);
    m.mul_(options_.beta1).add_(g, 1.0 - options_.beta1);
    v.mul_(options_.beta2).addcmul_(g, g, 1.0 - options_.beta2);
    const auto denom = (v / bc2).sqrt_().add_(options_.eps);
    p.addcdiv_(m, denom, -lr / bc1);
  }
  return norm;
}

std::vector<std::pair<std::string, torch::Tensor>> AdamW::stateTensors() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& [name, p] : params_) out.emplace_back(name, p.detach());
  for (const auto& [name, m] : m_) out.emplace_back("adam.m." + name, m);
  for (const auto& [name, v] : v_) out.emplace_back("adam.v." + name, v);
  return out;
}

void AdamW::loadState(const std::map<std::string, torch::Tensor>& tensors, std::int64_t step, const std::string& source) {
  torch::NoGradGuard noGrad;
  auto take = [&](const std::string& key, torch::Tensor& into) {
    const auto it = tensors.find(key);
    if (it == tensors.end()) throw Error(source + ": the checkpoint has no tensor '" + key + "'");
    if (it->second.sizes() != into.sizes())
      throw Error(source + ": '" + key + "' has another shape than the model being trained (another recipe?)");
    into.copy_(it->second);
  };
  for (auto& [name, p] : params_) {
    take(name, p);
    take("adam.m." + name, m_.at(name));
    take("adam.v." + name, v_.at(name));
  }
  step_ = step;
}

}  // namespace latentshop::training
