#include "engine/schedulers/noise_schedule.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/schedulers/numpy_compat.h"

namespace latentshop {

torch::Tensor makeBetas(const std::string& schedule, int64_t numTrainTimesteps, double betaStart,
                        double betaEnd, const std::optional<std::vector<double>>& trainedBetas) {
  if (trainedBetas) {
    // torch.tensor(list_of_python_floats, dtype=float32)
    return torch::tensor(*trainedBetas, torch::kFloat64).to(torch::kFloat32);
  }
  if (numTrainTimesteps < 2) throw Error("scheduler config: num_train_timesteps must be at least 2");
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
  if (schedule == "linear") return torch::linspace(betaStart, betaEnd, numTrainTimesteps, f32);
  if (schedule == "scaled_linear") {
    return torch::linspace(std::sqrt(betaStart), std::sqrt(betaEnd), numTrainTimesteps, f32).pow(2);
  }
  if (schedule == "squaredcos_cap_v2") return betasForAlphaBar(numTrainTimesteps);
  throw Error("scheduler config: beta_schedule '" + schedule +
              "' is not supported (expected linear, scaled_linear or squaredcos_cap_v2)");
}

torch::Tensor betasForAlphaBar(int64_t numDiffusionTimesteps, double maxBeta) {
  const double pi = 3.141592653589793;  // math.pi
  auto alphaBar = [pi](double t) {
    const double c = std::cos((t + 0.008) / 1.008 * pi / 2);
    return c * c;
  };
  std::vector<double> betas(static_cast<std::size_t>(numDiffusionTimesteps));
  const auto n = static_cast<double>(numDiffusionTimesteps);
  for (int64_t i = 0; i < numDiffusionTimesteps; ++i) {
    const double t1 = static_cast<double>(i) / n;
    const double t2 = static_cast<double>(i + 1) / n;
    betas[static_cast<std::size_t>(i)] = std::min(1 - alphaBar(t2) / alphaBar(t1), maxBeta);
  }
  return torch::tensor(betas, torch::kFloat64).to(torch::kFloat32);
}

torch::Tensor rescaleZeroTerminalSnr(const torch::Tensor& betas) {
  auto alphas = 1.0 - betas;
  auto alphasCumprod = torch::cumprod(alphas, 0);
  auto alphasBarSqrt = alphasCumprod.sqrt();
  auto sqrt0 = alphasBarSqrt[0].clone();
  auto sqrtT = alphasBarSqrt[-1].clone();
  alphasBarSqrt -= sqrtT;
  alphasBarSqrt *= sqrt0 / (sqrt0 - sqrtT);
  auto alphasBar = alphasBarSqrt.pow(2);
  auto ratios = alphasBar.slice(0, 1) / alphasBar.slice(0, 0, -1);
  auto rescaled = torch::cat({alphasBar.slice(0, 0, 1), ratios});
  return 1 - rescaled;
}

std::vector<float> trainingSigmas(const torch::Tensor& alphasCumprod) {
  auto sigmas = ((1 - alphasCumprod) / alphasCumprod).pow(0.5).contiguous().to(torch::kFloat32);
  const float* p = sigmas.data_ptr<float>();
  return std::vector<float>(p, p + sigmas.numel());
}

torch::Tensor dynamicThreshold(const torch::Tensor& sample, double ratio, double maxValue) {
  const auto dtype = sample.scalar_type();
  auto x = sample;
  if (dtype != torch::kFloat32 && dtype != torch::kFloat64) x = x.to(torch::kFloat32);
  const auto shape = x.sizes().vec();
  const int64_t batch = shape[0];
  x = x.reshape({batch, -1});
  auto s = torch::quantile(x.abs(), ratio, /*dim=*/1);
  s = torch::clamp(s, 1.0, maxValue).unsqueeze(1);
  x = torch::clamp(x, -s, s) / s;
  return x.reshape(shape).to(dtype);
}

std::vector<int64_t> integerInferenceTimesteps(const std::string& spacing, int64_t numTrainTimesteps, int64_t n,
                                               int64_t stepsOffset) {
  const int64_t T = numTrainTimesteps;
  std::vector<int64_t> ts;
  if (spacing == "linspace") {
    for (double v : npcompat::linspace(0.0, static_cast<double>(T - 1), n)) {
      ts.push_back(static_cast<int64_t>(npcompat::roundHalfEven(v)));
    }
    std::reverse(ts.begin(), ts.end());
  } else if (spacing == "leading") {
    const int64_t ratio = T / n;
    for (int64_t i = n - 1; i >= 0; --i) ts.push_back(i * ratio + stepsOffset);
  } else if (spacing == "trailing") {
    const double ratio = static_cast<double>(T) / static_cast<double>(n);
    for (double v : npcompat::arange(static_cast<double>(T), 0.0, -ratio)) {
      ts.push_back(static_cast<int64_t>(npcompat::roundHalfEven(v)) - 1);
    }
  } else {
    throw Error("timestep_spacing '" + spacing + "' is not supported (expected leading, linspace or trailing)");
  }
  return ts;
}

std::pair<torch::Tensor, torch::Tensor> alphaNoiseCoefficients(const torch::Tensor& alphasCumprod,
                                                               const torch::Tensor& timesteps, const torch::Tensor& like) {
  const auto acp = alphasCumprod.to(like.device()).to(like.scalar_type());
  const auto idx = timesteps.to(like.device()).to(torch::kInt64);
  auto sqrtAlpha = acp.index({idx}).pow(0.5).flatten();
  auto sqrtOneMinusAlpha = (1 - acp.index({idx})).pow(0.5).flatten();
  while (sqrtAlpha.dim() < like.dim()) sqrtAlpha = sqrtAlpha.unsqueeze(-1);
  while (sqrtOneMinusAlpha.dim() < like.dim()) sqrtOneMinusAlpha = sqrtOneMinusAlpha.unsqueeze(-1);
  return {sqrtAlpha, sqrtOneMinusAlpha};
}

torch::Tensor addNoiseAtAlphasCumprod(const torch::Tensor& alphasCumprod, const torch::Tensor& original,
                                      const torch::Tensor& noise, const torch::Tensor& timesteps) {
  const auto [sqrtAlpha, sqrtOneMinusAlpha] = alphaNoiseCoefficients(alphasCumprod, timesteps, original);
  return sqrtAlpha * original + sqrtOneMinusAlpha * noise;
}

double sigmaSpaceInitNoiseSigma(const torch::Tensor& sigmas, const std::string& timestepSpacing) {
  const auto maxSigma = sigmas.max();
  if (timestepSpacing == "linspace" || timestepSpacing == "trailing") return maxSigma.item<double>();
  return (maxSigma.pow(2) + 1).pow(0.5).item<double>();
}

torch::Tensor addNoiseAtSigmas(const torch::Tensor& original, const torch::Tensor& noise,
                               const torch::Tensor& timesteps, const torch::Tensor& scheduleTimesteps,
                               const torch::Tensor& sigmas, const std::string& who) {
  const auto sigmasHere = sigmas.to(original.device()).to(original.scalar_type());
  const auto flat = timesteps.reshape({-1}).to(torch::kCPU);
  std::vector<int64_t> indices;
  for (int64_t k = 0; k < flat.size(0); ++k) {
    auto matches = (scheduleTimesteps == flat[k].to(scheduleTimesteps.scalar_type())).nonzero();
    if (matches.size(0) == 0) {
      throw Error(who + ": addNoise timestep " + std::to_string(flat[k].item<double>()) +
                  " is not one of the scheduler's timesteps");
    }
    indices.push_back(matches[0][0].item<int64_t>());
  }
  auto sigma = sigmasHere.index({torch::tensor(indices, torch::kInt64).to(original.device())}).flatten();
  while (sigma.dim() < original.dim()) sigma = sigma.unsqueeze(-1);
  return original + noise * sigma;
}

}  // namespace latentshop
