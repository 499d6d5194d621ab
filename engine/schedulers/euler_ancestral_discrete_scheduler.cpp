#include "engine/schedulers/euler_ancestral_discrete_scheduler.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/schedulers/noise_schedule.h"
#include "engine/schedulers/numpy_compat.h"

namespace latentshop {

EulerAncestralDiscreteSchedulerConfig EulerAncestralDiscreteSchedulerConfig::fromJson(const nlohmann::json& config,
                                                                                      const std::string& source) {
  ConfigReader r(config, source);
  EulerAncestralDiscreteSchedulerConfig c;
  c.read(r);
  c.rescaleBetasZeroSnr = r.boolean("rescale_betas_zero_snr", c.rescaleBetasZeroSnr);
  return c;
}

nlohmann::json EulerAncestralDiscreteSchedulerConfig::toJson() const {
  nlohmann::json j;
  j["_class_name"] = "EulerAncestralDiscreteScheduler";
  write(j);
  j["rescale_betas_zero_snr"] = rescaleBetasZeroSnr;
  return j;
}

EulerAncestralDiscreteScheduler::EulerAncestralDiscreteScheduler(EulerAncestralDiscreteSchedulerConfig config,
                                                                 const std::string& source)
    : config_(std::move(config)) {
  // diffusers accepts "sample" here and raises NotImplementedError in step(): refuse it up front.
  config_.validate(source, {"epsilon", "v_prediction"});
  betas_ = makeBetas(config_.betaSchedule, config_.numTrainTimesteps, config_.betaStart, config_.betaEnd,
                     config_.trainedBetas);
  if (config_.rescaleBetasZeroSnr) betas_ = rescaleZeroTerminalSnr(betas_);
  alphas_ = 1.0 - betas_;
  alphasCumprod_ = torch::cumprod(alphas_, 0);
  if (config_.rescaleBetasZeroSnr) alphasCumprod_[-1] = std::ldexp(1.0, -24);
  trainSigmas_ = trainingSigmas(alphasCumprod_);

  // Before setTimesteps: every training timestep, high noise first.
  std::vector<float> reversed(trainSigmas_.rbegin(), trainSigmas_.rend());
  sigmas_ = torch::cat({torch::tensor(reversed, torch::kFloat32), torch::zeros({1}, torch::kFloat32)});
  timesteps_ = torch::arange(config_.numTrainTimesteps - 1, -1, -1, torch::kFloat64).to(torch::kFloat32);
}

void EulerAncestralDiscreteScheduler::setTimesteps(int64_t n) {
  const int64_t T = config_.numTrainTimesteps;
  if (n < 1) {
    throw Error("EulerAncestralDiscreteScheduler: the number of inference steps must be at least 1, got " +
                std::to_string(n));
  }
  // Timesteps as NumPy float32 values (held in doubles).
  std::vector<double> ts;
  if (config_.timestepSpacing == "linspace") {
    for (double v : npcompat::linspace(0.0, static_cast<double>(T - 1), n)) ts.push_back(static_cast<float>(v));
    std::reverse(ts.begin(), ts.end());
  } else if (config_.timestepSpacing == "leading") {
    const int64_t ratio = T / n;
    for (int64_t i = n - 1; i >= 0; --i) {
      ts.push_back(static_cast<float>(static_cast<float>(i * ratio) + static_cast<float>(config_.stepsOffset)));
    }
  } else {  // trailing (validate() admits only these three)
    const double ratio = static_cast<double>(T) / static_cast<double>(n);
    for (double v : npcompat::arange(static_cast<double>(T), 0.0, -ratio)) {
      ts.push_back(static_cast<float>(static_cast<float>(npcompat::roundHalfEven(v)) - 1.0f));
    }
  }
  std::vector<double> grid(trainSigmas_.size());
  for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = static_cast<double>(i);
  const std::vector<double> train(trainSigmas_.begin(), trainSigmas_.end());
  const auto sigmas = npcompat::interp(ts, grid, train);

  sigmas_ = torch::cat({torch::tensor(sigmas, torch::kFloat64).to(torch::kFloat32), torch::zeros({1}, torch::kFloat32)});
  timesteps_ = torch::tensor(ts, torch::kFloat64).to(torch::kFloat32);
  numInferenceSteps_ = n;
  resetStepState();
}

double EulerAncestralDiscreteScheduler::initNoiseSigma() const { return sigmaSpaceInitNoiseSigma(sigmas_, config_.timestepSpacing); }

torch::Tensor EulerAncestralDiscreteScheduler::scaleModelInput(const torch::Tensor& sample, const torch::Tensor& timestep) {
  if (!stepIndex_) initStepIndex(timestep, /*missingIsLast=*/false);
  const auto sigma = sigmas_[*stepIndex_];
  return sample / (sigma.pow(2) + 1).pow(0.5);
}

SchedulerStepOutput EulerAncestralDiscreteScheduler::step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                                                          const torch::Tensor& sampleIn, const StepOptions& options) {
  if (!timestep.is_floating_point()) {
    throw Error("EulerAncestralDiscreteScheduler: step() needs one of timesteps() (float), not an integer index");
  }
  if (numInferenceSteps_ == 0) throw Error("EulerAncestralDiscreteScheduler: call setTimesteps() before step()");
  if (!stepIndex_) initStepIndex(timestep, /*missingIsLast=*/false);
  const int64_t i = *stepIndex_;
  if (i + 1 >= sigmas_.size(0)) throw Error("EulerAncestralDiscreteScheduler: step() called after the last timestep");

  const auto sample = sampleIn.to(torch::kFloat32);
  const auto sigma = sigmas_[i];
  torch::Tensor predOriginal;
  if (config_.predictionType == "epsilon") {
    predOriginal = sample - sigma * modelOutput;
  } else {  // v_prediction
    predOriginal = modelOutput * (-sigma / (sigma.pow(2) + 1).pow(0.5)) + (sample / (sigma.pow(2) + 1));
  }
  const auto sigmaFrom = sigmas_[i];
  const auto sigmaTo = sigmas_[i + 1];
  const auto sigmaUp = (sigmaTo.pow(2) * (sigmaFrom.pow(2) - sigmaTo.pow(2)) / sigmaFrom.pow(2)).pow(0.5);
  const auto sigmaDown = (sigmaTo.pow(2) - sigmaUp.pow(2)).pow(0.5);
  const auto derivative = (sample - predOriginal) / sigma;
  const auto dt = sigmaDown - sigma;
  auto prevSample = sample + derivative * dt;
  const auto noise = stepNoise(modelOutput, options);
  prevSample = (prevSample + noise * sigmaUp).to(modelOutput.scalar_type());
  stepIndex_ = i + 1;
  return {prevSample, predOriginal};
}

torch::Tensor EulerAncestralDiscreteScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                                                        const torch::Tensor& timesteps) const {
  return addNoiseAtSigmas(original, noise, timesteps, timesteps_, sigmas_, className());
}

}  // namespace latentshop
