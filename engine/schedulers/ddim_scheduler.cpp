#include "engine/schedulers/ddim_scheduler.h"

#include "engine/core/error.h"
#include "engine/schedulers/noise_schedule.h"

namespace latentshop {

DDIMSchedulerConfig DDIMSchedulerConfig::fromJson(const nlohmann::json& config, const std::string& source) {
  ConfigReader r(config, source);
  DDIMSchedulerConfig c;
  c.read(r);
  c.clipSample = r.boolean("clip_sample", c.clipSample);
  c.clipSampleRange = r.number("clip_sample_range", c.clipSampleRange);
  c.setAlphaToOne = r.boolean("set_alpha_to_one", c.setAlphaToOne);
  c.thresholding = r.boolean("thresholding", c.thresholding);
  c.dynamicThresholdingRatio = r.number("dynamic_thresholding_ratio", c.dynamicThresholdingRatio);
  c.sampleMaxValue = r.number("sample_max_value", c.sampleMaxValue);
  c.rescaleBetasZeroSnr = r.boolean("rescale_betas_zero_snr", c.rescaleBetasZeroSnr);
  return c;
}

nlohmann::json DDIMSchedulerConfig::toJson() const {
  nlohmann::json j;
  j["_class_name"] = "DDIMScheduler";
  write(j);
  j["clip_sample"] = clipSample;
  j["clip_sample_range"] = clipSampleRange;
  j["set_alpha_to_one"] = setAlphaToOne;
  j["thresholding"] = thresholding;
  j["dynamic_thresholding_ratio"] = dynamicThresholdingRatio;
  j["sample_max_value"] = sampleMaxValue;
  j["rescale_betas_zero_snr"] = rescaleBetasZeroSnr;
  return j;
}

DDIMScheduler::DDIMScheduler(DDIMSchedulerConfig config, const std::string& source) : config_(std::move(config)) {
  config_.validate(source, {"epsilon", "sample", "v_prediction"});
  betas_ = makeBetas(config_.betaSchedule, config_.numTrainTimesteps, config_.betaStart, config_.betaEnd,
                     config_.trainedBetas);
  if (config_.rescaleBetasZeroSnr) betas_ = rescaleZeroTerminalSnr(betas_);
  alphas_ = 1.0 - betas_;
  alphasCumprod_ = torch::cumprod(alphas_, 0);
  finalAlphaCumprod_ = config_.setAlphaToOne ? torch::tensor(1.0f) : alphasCumprod_[0];
  timesteps_ = torch::arange(config_.numTrainTimesteps - 1, -1, -1, torch::kInt64);
}

void DDIMScheduler::setTimesteps(int64_t n) {
  const int64_t T = config_.numTrainTimesteps;
  if (n < 1) throw Error("DDIMScheduler: the number of inference steps must be at least 1, got " + std::to_string(n));
  if (n > T) {
    throw Error("DDIMScheduler: " + std::to_string(n) + " inference steps exceed num_train_timesteps (" +
                std::to_string(T) + ")");
  }
  const auto ts = integerInferenceTimesteps(config_.timestepSpacing, T, n, config_.stepsOffset);
  numInferenceSteps_ = n;
  timesteps_ = torch::tensor(ts, torch::kInt64);
  resetStepState();
}

torch::Tensor DDIMScheduler::alphaProdAt(int64_t t) const {
  if (t >= config_.numTrainTimesteps) {
    throw Error("DDIMScheduler: timestep " + std::to_string(t) + " is past num_train_timesteps (" +
                std::to_string(config_.numTrainTimesteps) + ")");
  }
  return t >= 0 ? alphasCumprod_[t] : finalAlphaCumprod_;
}

std::pair<torch::Tensor, torch::Tensor> DDIMScheduler::predictOriginalAndEpsilon(const torch::Tensor& modelOutput,
                                                                                 const torch::Tensor& sample,
                                                                                 const torch::Tensor& alphaProdT) const {
  const auto betaProdT = 1 - alphaProdT;
  const auto& p = config_.predictionType;
  if (p == "epsilon") {
    return {(sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5), modelOutput};
  }
  if (p == "sample") {
    return {modelOutput, (sample - alphaProdT.pow(0.5) * modelOutput) / betaProdT.pow(0.5)};
  }
  // v_prediction
  return {alphaProdT.pow(0.5) * sample - betaProdT.pow(0.5) * modelOutput,
          alphaProdT.pow(0.5) * modelOutput + betaProdT.pow(0.5) * sample};
}

SchedulerStepOutput DDIMScheduler::step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                                        const torch::Tensor& sample, const StepOptions& options) {
  if (numInferenceSteps_ == 0) throw Error("DDIMScheduler: call setTimesteps() before step()");
  const int64_t t = timestep.item().toLong();
  const int64_t prevT = t - config_.numTrainTimesteps / numInferenceSteps_;
  const auto alphaProdT = alphaProdAt(t);
  const auto alphaProdTPrev = alphaProdAt(prevT);
  const auto betaProdT = 1 - alphaProdT;

  auto [predOriginal, predEpsilon] = predictOriginalAndEpsilon(modelOutput, sample, alphaProdT);
  if (config_.thresholding) {
    predOriginal = dynamicThreshold(predOriginal, config_.dynamicThresholdingRatio, config_.sampleMaxValue);
  } else if (config_.clipSample) {
    predOriginal = predOriginal.clamp(-config_.clipSampleRange, config_.clipSampleRange);
  }

  // _get_variance(t, prev_t)
  const auto betaProdTPrev = 1 - alphaProdTPrev;
  const auto variance = (betaProdTPrev / betaProdT) * (1 - alphaProdT / alphaProdTPrev);
  const auto stdDevT = options.eta * variance.pow(0.5);

  if (options.useClippedModelOutput) {
    predEpsilon = (sample - alphaProdT.pow(0.5) * predOriginal) / betaProdT.pow(0.5);
  }
  const auto direction = (1 - alphaProdTPrev - stdDevT.pow(2)).pow(0.5) * predEpsilon;
  auto prevSample = alphaProdTPrev.pow(0.5) * predOriginal + direction;

  if (options.eta > 0) {
    if (options.noise.defined() && options.generator) {
      throw Error("DDIMScheduler: pass either a noise tensor or a generator to step(), not both");
    }
    const auto noise = stepNoise(modelOutput, options);
    prevSample = prevSample + stdDevT * noise;
  }
  return {prevSample, predOriginal};
}

torch::Tensor DDIMScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                                      const torch::Tensor& timesteps) const {
  return addNoiseAtAlphasCumprod(alphasCumprod_, original, noise, timesteps);
}

torch::Tensor DDIMScheduler::velocity(const torch::Tensor& sample, const torch::Tensor& noise,
                                      const torch::Tensor& timesteps) const {
  const auto [sqrtAlpha, sqrtOneMinusAlpha] = alphaNoiseCoefficients(alphasCumprod_, timesteps, sample);
  return sqrtAlpha * noise - sqrtOneMinusAlpha * sample;
}

}  // namespace latentshop
