#include "engine/schedulers/euler_discrete_scheduler.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/schedulers/noise_schedule.h"
#include "engine/schedulers/numpy_compat.h"

namespace latentshop {

EulerDiscreteSchedulerConfig EulerDiscreteSchedulerConfig::fromJson(const nlohmann::json& config,
                                                                    const std::string& source) {
  ConfigReader r(config, source);
  EulerDiscreteSchedulerConfig c;
  c.read(r);
  c.interpolationType = r.string("interpolation_type", c.interpolationType);
  c.useKarrasSigmas = r.boolean("use_karras_sigmas", c.useKarrasSigmas);
  c.sigmaMin = r.optionalNumber("sigma_min");
  c.sigmaMax = r.optionalNumber("sigma_max");
  c.timestepType = r.string("timestep_type", c.timestepType);
  c.rescaleBetasZeroSnr = r.boolean("rescale_betas_zero_snr", c.rescaleBetasZeroSnr);
  return c;
}

nlohmann::json EulerDiscreteSchedulerConfig::toJson() const {
  nlohmann::json j;
  j["_class_name"] = "EulerDiscreteScheduler";
  write(j);
  j["interpolation_type"] = interpolationType;
  j["use_karras_sigmas"] = useKarrasSigmas;
  j["sigma_min"] = sigmaMin ? jsonNumber(*sigmaMin) : nlohmann::json(nullptr);
  j["sigma_max"] = sigmaMax ? jsonNumber(*sigmaMax) : nlohmann::json(nullptr);
  j["timestep_type"] = timestepType;
  j["rescale_betas_zero_snr"] = rescaleBetasZeroSnr;
  return j;
}

namespace {
torch::Tensor floatTensor(const std::vector<double>& v) {
  return torch::tensor(v, torch::kFloat64).to(torch::kFloat32);
}
// [0.25 * log(sigma) for sigma in sigmas] in float32 (continuous-time v-prediction timesteps).
torch::Tensor continuousTimesteps(const torch::Tensor& sigmas32) { return 0.25 * sigmas32.log(); }
}  // namespace

EulerDiscreteScheduler::EulerDiscreteScheduler(EulerDiscreteSchedulerConfig config, const std::string& source)
    : config_(std::move(config)) {
  config_.validate(source, {"epsilon", "v_prediction", "sample", "original_sample"});
  if (config_.interpolationType != "linear" && config_.interpolationType != "log_linear") {
    throw fileError(source, "interpolation_type '" + config_.interpolationType +
                                "' is not supported (expected linear or log_linear)");
  }
  if (config_.timestepType != "discrete" && config_.timestepType != "continuous") {
    throw fileError(source, "timestep_type '" + config_.timestepType + "' is not supported (expected discrete or continuous)");
  }
  betas_ = makeBetas(config_.betaSchedule, config_.numTrainTimesteps, config_.betaStart, config_.betaEnd,
                     config_.trainedBetas);
  if (config_.rescaleBetasZeroSnr) betas_ = rescaleZeroTerminalSnr(betas_);
  alphas_ = 1.0 - betas_;
  alphasCumprod_ = torch::cumprod(alphas_, 0);
  if (config_.rescaleBetasZeroSnr) alphasCumprod_[-1] = std::ldexp(1.0, -24);
  trainSigmas_ = trainingSigmas(alphasCumprod_);

  // Before setTimesteps: every training timestep, high noise first.
  std::vector<float> reversed(trainSigmas_.rbegin(), trainSigmas_.rend());
  auto sigmas = torch::tensor(reversed, torch::kFloat32);
  if (config_.timestepType == "continuous" && config_.predictionType == "v_prediction") {
    timesteps_ = continuousTimesteps(sigmas);
  } else {
    timesteps_ = torch::arange(config_.numTrainTimesteps - 1, -1, -1, torch::kFloat64).to(torch::kFloat32);
  }
  sigmas_ = torch::cat({sigmas, torch::zeros({1}, torch::kFloat32)});
}

void EulerDiscreteScheduler::setTimesteps(int64_t n) {
  const int64_t T = config_.numTrainTimesteps;
  if (n < 1) throw Error("EulerDiscreteScheduler: the number of inference steps must be at least 1, got " + std::to_string(n));
  // Timesteps as NumPy float32 (as doubles holding float32 values).
  std::vector<double> ts;
  if (config_.timestepSpacing == "linspace") {
    for (double v : npcompat::linspace(0.0, static_cast<double>(T - 1), n)) ts.push_back(static_cast<float>(v));
    std::reverse(ts.begin(), ts.end());
  } else if (config_.timestepSpacing == "leading") {
    const int64_t ratio = T / n;
    for (int64_t i = n - 1; i >= 0; --i) {
      ts.push_back(static_cast<float>(static_cast<float>(i * ratio) + static_cast<float>(config_.stepsOffset)));
    }
  } else {  // trailing
    const double ratio = static_cast<double>(T) / static_cast<double>(n);
    for (double v : npcompat::arange(static_cast<double>(T), 0.0, -ratio)) {
      ts.push_back(static_cast<float>(static_cast<float>(npcompat::roundHalfEven(v)) - 1.0f));
    }
  }

  std::vector<double> trainSigmas(trainSigmas_.begin(), trainSigmas_.end());
  std::vector<float> logSigmas(trainSigmas_.size());
  for (std::size_t i = 0; i < trainSigmas_.size(); ++i) logSigmas[i] = std::log(trainSigmas_[i]);

  std::vector<double> sigmas;
  if (config_.interpolationType == "linear") {
    std::vector<double> grid(trainSigmas.size());
    for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = static_cast<double>(i);
    sigmas = npcompat::interp(ts, grid, trainSigmas);
  } else {  // log_linear: torch.linspace(log(sigmas[-1]), log(sigmas[0]), n + 1).exp() in float32
    const auto logMax = static_cast<double>(logSigmas.back());
    const auto logMin = static_cast<double>(logSigmas.front());
    auto s = torch::linspace(logMax, logMin, n + 1, torch::kFloat32).exp().contiguous();
    sigmas.assign(s.data_ptr<float>(), s.data_ptr<float>() + s.numel());
  }

  if (config_.useKarrasSigmas) {
    const double sigmaMin = config_.sigmaMin ? *config_.sigmaMin : sigmas.back();
    const double sigmaMax = config_.sigmaMax ? *config_.sigmaMax : sigmas.front();
    sigmas = npcompat::karrasSigmas(sigmaMin, sigmaMax, n);
    ts.clear();
    for (double s : sigmas) ts.push_back(npcompat::sigmaToT(s, logSigmas));
  }

  auto sigmas32 = floatTensor(sigmas);
  if (config_.timestepType == "continuous" && config_.predictionType == "v_prediction") {
    timesteps_ = continuousTimesteps(sigmas32);
  } else {
    timesteps_ = floatTensor(ts);
  }
  sigmas_ = torch::cat({sigmas32, torch::zeros({1}, torch::kFloat32)});
  numInferenceSteps_ = n;
  resetStepState();
}

double EulerDiscreteScheduler::initNoiseSigma() const { return sigmaSpaceInitNoiseSigma(sigmas_, config_.timestepSpacing); }

torch::Tensor EulerDiscreteScheduler::scaleModelInput(const torch::Tensor& sample, const torch::Tensor& timestep) {
  if (!stepIndex_) initStepIndex(timestep, /*missingIsLast=*/false);
  const auto sigma = sigmas_[*stepIndex_];
  return sample / (sigma.pow(2) + 1).pow(0.5);
}

SchedulerStepOutput EulerDiscreteScheduler::step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                                                 const torch::Tensor& sampleIn, const StepOptions& options) {
  if (!timestep.is_floating_point()) {
    throw Error("EulerDiscreteScheduler: step() needs one of timesteps() (float), not an integer index");
  }
  if (numInferenceSteps_ == 0) throw Error("EulerDiscreteScheduler: call setTimesteps() before step()");
  if (!stepIndex_) initStepIndex(timestep, /*missingIsLast=*/false);
  const int64_t i = *stepIndex_;
  if (i + 1 >= sigmas_.size(0)) throw Error("EulerDiscreteScheduler: step() called after the last timestep");

  auto sample = sampleIn.to(torch::kFloat32);
  const auto sigma = sigmas_[i];
  const auto sigmaValue = sigma.item<float>();
  const double gamma = (static_cast<float>(options.sTmin) <= sigmaValue && sigmaValue <= static_cast<float>(options.sTmax))
                           ? std::min(options.sChurn / static_cast<double>(sigmas_.size(0) - 1), std::sqrt(2.0) - 1)
                           : 0.0;
  const auto noise = stepNoise(modelOutput, options);
  const auto eps = noise * options.sNoise;
  const auto sigmaHat = sigma * (gamma + 1);
  if (gamma > 0) sample = sample + eps * (sigmaHat.pow(2) - sigma.pow(2)).pow(0.5);

  torch::Tensor predOriginal;
  const auto& p = config_.predictionType;
  if (p == "original_sample" || p == "sample") {
    predOriginal = modelOutput;
  } else if (p == "epsilon") {
    predOriginal = sample - sigmaHat * modelOutput;
  } else {  // v_prediction
    predOriginal = modelOutput * (-sigma / (sigma.pow(2) + 1).pow(0.5)) + (sample / (sigma.pow(2) + 1));
  }
  const auto derivative = (sample - predOriginal) / sigmaHat;
  const auto dt = sigmas_[i + 1] - sigmaHat;
  auto prevSample = (sample + derivative * dt).to(modelOutput.scalar_type());
  stepIndex_ = i + 1;
  return {prevSample, predOriginal};
}

torch::Tensor EulerDiscreteScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                                               const torch::Tensor& timesteps) const {
  return addNoiseAtSigmas(original, noise, timesteps, timesteps_, sigmas_, className());
}

}  // namespace latentshop
