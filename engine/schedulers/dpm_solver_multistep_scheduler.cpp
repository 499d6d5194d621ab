// DPMSolverMultistepScheduler: configuration, timesteps/sigmas, step bookkeeping and add_noise.
// The solver updates themselves are in dpm_solver_multistep_updates.cpp.
#include "engine/schedulers/dpm_solver_multistep_scheduler.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/schedulers/noise_schedule.h"
#include "engine/schedulers/numpy_compat.h"

namespace latentshop {

DPMSolverMultistepSchedulerConfig DPMSolverMultistepSchedulerConfig::fromJson(const nlohmann::json& config,
                                                                              const std::string& source) {
  ConfigReader r(config, source);
  DPMSolverMultistepSchedulerConfig c;
  c.read(r);
  c.solverOrder = r.integer("solver_order", c.solverOrder);
  c.algorithmType = r.string("algorithm_type", c.algorithmType);
  c.solverType = r.string("solver_type", c.solverType);
  c.lowerOrderFinal = r.boolean("lower_order_final", c.lowerOrderFinal);
  c.eulerAtFinal = r.boolean("euler_at_final", c.eulerAtFinal);
  c.useKarrasSigmas = r.boolean("use_karras_sigmas", c.useKarrasSigmas);
  c.useLuLambdas = r.boolean("use_lu_lambdas", c.useLuLambdas);
  c.finalSigmasType = r.string("final_sigmas_type", c.finalSigmasType);
  c.lambdaMinClipped = r.number("lambda_min_clipped", c.lambdaMinClipped);
  c.varianceType = r.optionalString("variance_type");
  c.thresholding = r.boolean("thresholding", c.thresholding);
  c.dynamicThresholdingRatio = r.number("dynamic_thresholding_ratio", c.dynamicThresholdingRatio);
  c.sampleMaxValue = r.number("sample_max_value", c.sampleMaxValue);
  if (c.algorithmType == "deis") c.algorithmType = "dpmsolver++";
  if (c.solverType == "logrho" || c.solverType == "bh1" || c.solverType == "bh2") c.solverType = "midpoint";
  return c;
}

nlohmann::json DPMSolverMultistepSchedulerConfig::toJson() const {
  nlohmann::json j;
  j["_class_name"] = "DPMSolverMultistepScheduler";
  write(j);
  j["solver_order"] = solverOrder;
  j["algorithm_type"] = algorithmType;
  j["solver_type"] = solverType;
  j["lower_order_final"] = lowerOrderFinal;
  j["euler_at_final"] = eulerAtFinal;
  j["use_karras_sigmas"] = useKarrasSigmas;
  j["use_lu_lambdas"] = useLuLambdas;
  j["final_sigmas_type"] = finalSigmasType;
  j["lambda_min_clipped"] = jsonNumber(lambdaMinClipped);
  j["variance_type"] = varianceType ? nlohmann::json(*varianceType) : nlohmann::json(nullptr);
  j["thresholding"] = thresholding;
  j["dynamic_thresholding_ratio"] = dynamicThresholdingRatio;
  j["sample_max_value"] = sampleMaxValue;
  return j;
}

DPMSolverMultistepScheduler::DPMSolverMultistepScheduler(DPMSolverMultistepSchedulerConfig config,
                                                         const std::string& source)
    : config_(std::move(config)) {
  config_.validate(source, {"epsilon", "sample", "v_prediction"});
  const auto& a = config_.algorithmType;
  if (a != "dpmsolver" && a != "dpmsolver++" && a != "sde-dpmsolver" && a != "sde-dpmsolver++") {
    throw fileError(source, "algorithm_type '" + a +
                                "' is not supported (expected dpmsolver++, dpmsolver, sde-dpmsolver++ or sde-dpmsolver)");
  }
  if (config_.solverType != "midpoint" && config_.solverType != "heun") {
    throw fileError(source, "solver_type '" + config_.solverType + "' is not supported (expected midpoint or heun)");
  }
  if (config_.solverOrder < 1 || config_.solverOrder > 3) {
    throw fileError(source, "solver_order " + std::to_string(config_.solverOrder) + " is not supported (expected 1, 2 or 3)");
  }
  if (config_.solverOrder == 3 && (a == "sde-dpmsolver" || a == "sde-dpmsolver++")) {
    throw fileError(source, "solver_order 3 is not available for algorithm_type " + a);
  }
  if (config_.finalSigmasType != "zero" && config_.finalSigmasType != "sigma_min") {
    throw fileError(source, "final_sigmas_type '" + config_.finalSigmasType + "' is not supported (expected zero or sigma_min)");
  }
  if (!isDataPrediction() && config_.finalSigmasType == "zero") {
    throw fileError(source, "final_sigmas_type zero is not supported for algorithm_type " + a + "; choose sigma_min");
  }
  betas_ = makeBetas(config_.betaSchedule, config_.numTrainTimesteps, config_.betaStart, config_.betaEnd,
                     config_.trainedBetas);
  alphas_ = 1.0 - betas_;
  alphasCumprod_ = torch::cumprod(alphas_, 0);
  const auto alphaT = torch::sqrt(alphasCumprod_);
  const auto sigmaT = torch::sqrt(1 - alphasCumprod_);
  lambdaT_ = torch::log(alphaT) - torch::log(sigmaT);
  sigmas_ = ((1 - alphasCumprod_) / alphasCumprod_).pow(0.5);
  trainSigmas_ = trainingSigmas(alphasCumprod_);
  timesteps_ = torch::arange(config_.numTrainTimesteps - 1, -1, -1, torch::kFloat64).to(torch::kFloat32);
  modelOutputs_.assign(static_cast<std::size_t>(config_.solverOrder), torch::Tensor());
}

bool DPMSolverMultistepScheduler::isDataPrediction() const {
  return config_.algorithmType == "dpmsolver++" || config_.algorithmType == "sde-dpmsolver++";
}

void DPMSolverMultistepScheduler::setTimesteps(int64_t n) {
  const int64_t T = config_.numTrainTimesteps;
  if (n < 1) {
    throw Error("DPMSolverMultistepScheduler: the number of inference steps must be at least 1, got " + std::to_string(n));
  }
  // clipped_idx = searchsorted(flip(lambda_t), lambda_min_clipped), compared in float32.
  const auto minClipped = static_cast<float>(config_.lambdaMinClipped);
  auto lambdas = lambdaT_.contiguous();
  const float* lp = lambdas.data_ptr<float>();
  int64_t clippedIdx = 0;
  for (int64_t k = T - 1; k >= 0; --k) {
    if (lp[k] < minClipped) ++clippedIdx;
  }
  const int64_t lastTimestep = T - clippedIdx;

  std::vector<int64_t> ts;
  if (config_.timestepSpacing == "linspace") {
    const auto v = npcompat::linspace(0.0, static_cast<double>(lastTimestep - 1), n + 1);
    for (int64_t i = n; i >= 1; --i) ts.push_back(static_cast<int64_t>(npcompat::roundHalfEven(v[static_cast<std::size_t>(i)])));
  } else if (config_.timestepSpacing == "leading") {
    const int64_t ratio = lastTimestep / (n + 1);
    for (int64_t i = n; i >= 1; --i) ts.push_back(i * ratio + config_.stepsOffset);
  } else {  // trailing
    const double ratio = static_cast<double>(T) / static_cast<double>(n);
    for (double v : npcompat::arange(static_cast<double>(lastTimestep), 0.0, -ratio)) {
      ts.push_back(static_cast<int64_t>(npcompat::roundHalfEven(v)) - 1);
    }
  }

  std::vector<float> logSigmas(trainSigmas_.size());
  for (std::size_t i = 0; i < trainSigmas_.size(); ++i) logSigmas[i] = std::log(trainSigmas_[i]);
  std::vector<double> sigmas;
  if (config_.useKarrasSigmas) {
    // in_sigmas = flip(train sigmas): min = train[0], max = train[T-1].
    sigmas = npcompat::karrasSigmas(trainSigmas_.front(), trainSigmas_.back(), n);
    ts.clear();
    for (double s : sigmas) ts.push_back(static_cast<int64_t>(npcompat::roundHalfEven(npcompat::sigmaToT(s, logSigmas))));
  } else if (config_.useLuLambdas) {
    // in_lambdas = flip(log sigmas): min = log_sigmas[0], max = log_sigmas[T-1].
    const auto lambdasLu = npcompat::luLambdas(logSigmas.front(), logSigmas.back(), n);
    ts.clear();
    for (double l : lambdasLu) {
      sigmas.push_back(std::exp(l));
      ts.push_back(static_cast<int64_t>(npcompat::roundHalfEven(npcompat::sigmaToT(sigmas.back(), logSigmas))));
    }
  } else {
    std::vector<double> x(ts.begin(), ts.end());
    std::vector<double> grid(trainSigmas_.size());
    for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = static_cast<double>(i);
    sigmas = npcompat::interp(x, grid, std::vector<double>(trainSigmas_.begin(), trainSigmas_.end()));
  }
  double sigmaLast = 0.0;
  if (config_.finalSigmasType == "sigma_min") {
    sigmaLast = ((1 - alphasCumprod_[0]) / alphasCumprod_[0]).pow(0.5).item<double>();
  }
  sigmas.push_back(sigmaLast);

  sigmas_ = torch::tensor(sigmas, torch::kFloat64).to(torch::kFloat32);
  timesteps_ = torch::tensor(ts, torch::kInt64);
  numInferenceSteps_ = static_cast<int64_t>(ts.size());
  modelOutputs_.assign(static_cast<std::size_t>(config_.solverOrder), torch::Tensor());
  lowerOrderNums_ = 0;
  resetStepState();
}

SchedulerStepOutput DPMSolverMultistepScheduler::step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                                                      const torch::Tensor& sample, const StepOptions& options) {
  if (numInferenceSteps_ == 0) throw Error("DPMSolverMultistepScheduler: call setTimesteps() before step()");
  if (!stepIndex_) initStepIndex(timestep, /*missingIsLast=*/true);
  const int64_t i = *stepIndex_;
  const int64_t count = timesteps_.size(0);
  if (i >= count) throw Error("DPMSolverMultistepScheduler: step() called after the last timestep");

  const bool lowerOrderFinal =
      i == count - 1 && (config_.eulerAtFinal || (config_.lowerOrderFinal && count < 15) || config_.finalSigmasType == "zero");
  const bool lowerOrderSecond = i == count - 2 && config_.lowerOrderFinal && count < 15;

  const auto converted = convertModelOutput(modelOutput, sample);
  for (std::size_t k = 0; k + 1 < modelOutputs_.size(); ++k) modelOutputs_[k] = modelOutputs_[k + 1];
  modelOutputs_.back() = converted;

  torch::Tensor noise;
  if (config_.algorithmType == "sde-dpmsolver" || config_.algorithmType == "sde-dpmsolver++") {
    noise = stepNoise(converted, options);
  }

  torch::Tensor prevSample;
  if (config_.solverOrder == 1 || lowerOrderNums_ < 1 || lowerOrderFinal) {
    prevSample = firstOrderUpdate(converted, sample, noise);
  } else if (config_.solverOrder == 2 || lowerOrderNums_ < 2 || lowerOrderSecond) {
    prevSample = secondOrderUpdate(sample, noise);
  } else {
    prevSample = thirdOrderUpdate(sample);
  }
  if (lowerOrderNums_ < config_.solverOrder) ++lowerOrderNums_;

  torch::Tensor x0 = converted;
  if (!isDataPrediction()) {
    const auto sigma = sigmas_[i];
    const auto alphaT = 1.0 / (sigma.pow(2) + 1).pow(0.5);
    x0 = (sample - (sigma * alphaT) * converted) / alphaT;
  }
  stepIndex_ = i + 1;
  return {prevSample, x0};
}

torch::Tensor DPMSolverMultistepScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                                                    const torch::Tensor& timesteps) const {
  const auto sigmas = sigmas_.to(original.device()).to(original.scalar_type());
  const auto flat = timesteps.reshape({-1}).to(torch::kCPU);
  std::vector<int64_t> indices;
  for (int64_t k = 0; k < flat.size(0); ++k) indices.push_back(lookupStepIndex(flat[k], /*missingIsLast=*/true));
  auto sigma = sigmas.index({torch::tensor(indices, torch::kInt64).to(original.device())}).flatten();
  while (sigma.dim() < original.dim()) sigma = sigma.unsqueeze(-1);
  const auto alphaT = 1.0 / (sigma.pow(2) + 1).pow(0.5);
  const auto sigmaT = sigma * alphaT;
  return alphaT * original + sigmaT * noise;
}

}  // namespace latentshop
