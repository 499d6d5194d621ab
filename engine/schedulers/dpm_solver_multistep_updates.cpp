// DPMSolverMultistepScheduler: model output conversion and the first/second/third-order updates,
// term by term as diffusers/src/diffusers/schedulers/scheduling_dpmsolver_multistep.py (0.26.3)
// computes them: the scalar coefficients are 0-d float32 tensors built in the same order, so the
// float32 rounding matches.
#include "engine/schedulers/dpm_solver_multistep_scheduler.h"

#include "engine/core/error.h"
#include "engine/schedulers/noise_schedule.h"

namespace latentshop {

namespace {

struct AlphaSigma {
  torch::Tensor alpha, sigma, lambda;
};

// _sigma_to_alpha_sigma_t plus lambda = log(alpha) - log(sigma).
AlphaSigma alphaSigma(const torch::Tensor& sigma) {
  AlphaSigma r;
  r.alpha = 1.0 / (sigma.pow(2) + 1).pow(0.5);
  r.sigma = sigma * r.alpha;
  r.lambda = torch::log(r.alpha) - torch::log(r.sigma);
  return r;
}

}  // namespace

torch::Tensor DPMSolverMultistepScheduler::convertModelOutput(const torch::Tensor& modelOutputIn,
                                                              const torch::Tensor& sample) const {
  if (!stepIndex_) throw Error("DPMSolverMultistepScheduler: convertModelOutput() needs a step index");
  const bool learned = config_.varianceType && (*config_.varianceType == "learned" || *config_.varianceType == "learned_range");
  const auto& p = config_.predictionType;
  const auto sigma = sigmas_[*stepIndex_];
  const auto as = alphaSigma(sigma);
  if (isDataPrediction()) {
    torch::Tensor x0;
    if (p == "epsilon") {
      const auto modelOutput = learned ? modelOutputIn.slice(1, 0, 3) : modelOutputIn;
      x0 = (sample - as.sigma * modelOutput) / as.alpha;
    } else if (p == "sample") {
      x0 = modelOutputIn;
    } else {  // v_prediction
      x0 = as.alpha * sample - as.sigma * modelOutputIn;
    }
    if (config_.thresholding) x0 = dynamicThreshold(x0, config_.dynamicThresholdingRatio, config_.sampleMaxValue);
    return x0;
  }
  torch::Tensor eps;
  if (p == "epsilon") {
    eps = learned ? modelOutputIn.slice(1, 0, 3) : modelOutputIn;
  } else if (p == "sample") {
    eps = (sample - as.alpha * modelOutputIn) / as.sigma;
  } else {  // v_prediction
    eps = as.alpha * modelOutputIn + as.sigma * sample;
  }
  if (config_.thresholding) {
    auto x0 = (sample - as.sigma * eps) / as.alpha;
    x0 = dynamicThreshold(x0, config_.dynamicThresholdingRatio, config_.sampleMaxValue);
    eps = (sample - as.alpha * x0) / as.sigma;
  }
  return eps;
}

torch::Tensor DPMSolverMultistepScheduler::firstOrderUpdate(const torch::Tensor& m0, const torch::Tensor& sample,
                                                            const torch::Tensor& noise) const {
  const int64_t i = *stepIndex_;
  const auto t = alphaSigma(sigmas_[i + 1]);
  const auto s = alphaSigma(sigmas_[i]);
  const auto h = t.lambda - s.lambda;
  const auto& a = config_.algorithmType;
  if (a == "dpmsolver++") {
    return (t.sigma / s.sigma) * sample - (t.alpha * (torch::exp(-h) - 1.0)) * m0;
  }
  if (a == "dpmsolver") {
    return (t.alpha / s.alpha) * sample - (t.sigma * (torch::exp(h) - 1.0)) * m0;
  }
  if (a == "sde-dpmsolver++") {
    return (t.sigma / s.sigma * torch::exp(-h)) * sample + (t.alpha * (1 - torch::exp(-2.0 * h))) * m0 +
           (t.sigma * torch::sqrt(1.0 - torch::exp(-2 * h))) * noise;
  }
  // sde-dpmsolver
  return (t.alpha / s.alpha) * sample - (2.0 * (t.sigma * (torch::exp(h) - 1.0))) * m0 +
         (t.sigma * torch::sqrt(torch::exp(2 * h) - 1.0)) * noise;
}

torch::Tensor DPMSolverMultistepScheduler::secondOrderUpdate(const torch::Tensor& sample, const torch::Tensor& noise) const {
  const int64_t i = *stepIndex_;
  const auto t = alphaSigma(sigmas_[i + 1]);
  const auto s0 = alphaSigma(sigmas_[i]);
  const auto s1 = alphaSigma(sigmas_[i - 1]);
  const auto& m0 = modelOutputs_[modelOutputs_.size() - 1];
  const auto& m1 = modelOutputs_[modelOutputs_.size() - 2];
  const auto h = t.lambda - s0.lambda;
  const auto h0 = s0.lambda - s1.lambda;
  const auto r0 = h0 / h;
  const auto& D0 = m0;
  const auto D1 = (1.0 / r0) * (m0 - m1);
  const bool midpoint = config_.solverType == "midpoint";
  const auto& a = config_.algorithmType;
  if (a == "dpmsolver++") {
    const auto base = (t.sigma / s0.sigma) * sample - (t.alpha * (torch::exp(-h) - 1.0)) * D0;
    if (midpoint) return base - (0.5 * (t.alpha * (torch::exp(-h) - 1.0))) * D1;
    return base + (t.alpha * ((torch::exp(-h) - 1.0) / h + 1.0)) * D1;
  }
  if (a == "dpmsolver") {
    const auto base = (t.alpha / s0.alpha) * sample - (t.sigma * (torch::exp(h) - 1.0)) * D0;
    if (midpoint) return base - (0.5 * (t.sigma * (torch::exp(h) - 1.0))) * D1;
    return base - (t.sigma * ((torch::exp(h) - 1.0) / h - 1.0)) * D1;
  }
  if (a == "sde-dpmsolver++") {
    const auto base = (t.sigma / s0.sigma * torch::exp(-h)) * sample + (t.alpha * (1 - torch::exp(-2.0 * h))) * D0;
    const auto noiseTerm = (t.sigma * torch::sqrt(1.0 - torch::exp(-2 * h))) * noise;
    if (midpoint) return base + (0.5 * (t.alpha * (1 - torch::exp(-2.0 * h)))) * D1 + noiseTerm;
    return base + (t.alpha * ((1.0 - torch::exp(-2.0 * h)) / (-2.0 * h) + 1.0)) * D1 + noiseTerm;
  }
  // sde-dpmsolver
  const auto base = (t.alpha / s0.alpha) * sample - (2.0 * (t.sigma * (torch::exp(h) - 1.0))) * D0;
  const auto noiseTerm = (t.sigma * torch::sqrt(torch::exp(2 * h) - 1.0)) * noise;
  if (midpoint) return base - (t.sigma * (torch::exp(h) - 1.0)) * D1 + noiseTerm;
  return base - (2.0 * (t.sigma * ((torch::exp(h) - 1.0) / h - 1.0))) * D1 + noiseTerm;
}

torch::Tensor DPMSolverMultistepScheduler::thirdOrderUpdate(const torch::Tensor& sample) const {
  const int64_t i = *stepIndex_;
  const auto t = alphaSigma(sigmas_[i + 1]);
  const auto s0 = alphaSigma(sigmas_[i]);
  const auto s1 = alphaSigma(sigmas_[i - 1]);
  const auto s2 = alphaSigma(sigmas_[i - 2]);
  const std::size_t n = modelOutputs_.size();
  const auto& m0 = modelOutputs_[n - 1];
  const auto& m1 = modelOutputs_[n - 2];
  const auto& m2 = modelOutputs_[n - 3];
  const auto h = t.lambda - s0.lambda;
  const auto h0 = s0.lambda - s1.lambda;
  const auto h1 = s1.lambda - s2.lambda;
  const auto r0 = h0 / h;
  const auto r1 = h1 / h;
  const auto& D0 = m0;
  const auto D1_0 = (1.0 / r0) * (m0 - m1);
  const auto D1_1 = (1.0 / r1) * (m1 - m2);
  const auto D1 = D1_0 + (r0 / (r0 + r1)) * (D1_0 - D1_1);
  const auto D2 = (1.0 / (r0 + r1)) * (D1_0 - D1_1);
  if (config_.algorithmType == "dpmsolver++") {
    return (t.sigma / s0.sigma) * sample - (t.alpha * (torch::exp(-h) - 1.0)) * D0 +
           (t.alpha * ((torch::exp(-h) - 1.0) / h + 1.0)) * D1 -
           (t.alpha * ((torch::exp(-h) - 1.0 + h) / h.pow(2) - 0.5)) * D2;
  }
  // dpmsolver (the SDE variants have no third-order update; refused at construction)
  return (t.alpha / s0.alpha) * sample - (t.sigma * (torch::exp(h) - 1.0)) * D0 -
         (t.sigma * ((torch::exp(h) - 1.0) / h - 1.0)) * D1 -
         (t.sigma * ((torch::exp(h) - 1.0 - h) / h.pow(2) - 0.5)) * D2;
}

}  // namespace latentshop
