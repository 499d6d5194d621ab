#include "engine/schedulers/pndm_scheduler.h"

#include "engine/core/error.h"
#include "engine/schedulers/noise_schedule.h"

namespace latentshop {

namespace {
constexpr int64_t kPndmOrder = 4;
}

PNDMSchedulerConfig PNDMSchedulerConfig::fromJson(const nlohmann::json& config, const std::string& source) {
  ConfigReader r(config, source);
  PNDMSchedulerConfig c;
  c.read(r);
  c.skipPrkSteps = r.boolean("skip_prk_steps", c.skipPrkSteps);
  c.setAlphaToOne = r.boolean("set_alpha_to_one", c.setAlphaToOne);
  return c;
}

nlohmann::json PNDMSchedulerConfig::toJson() const {
  nlohmann::json j;
  j["_class_name"] = "PNDMScheduler";
  write(j);
  j["skip_prk_steps"] = skipPrkSteps;
  j["set_alpha_to_one"] = setAlphaToOne;
  return j;
}

PNDMScheduler::PNDMScheduler(PNDMSchedulerConfig config, const std::string& source) : config_(std::move(config)) {
  config_.validate(source, {"epsilon", "v_prediction"});
  betas_ = makeBetas(config_.betaSchedule, config_.numTrainTimesteps, config_.betaStart, config_.betaEnd,
                     config_.trainedBetas);
  alphas_ = 1.0 - betas_;
  alphasCumprod_ = torch::cumprod(alphas_, 0);
  finalAlphaCumprod_ = config_.setAlphaToOne ? torch::tensor(1.0f) : alphasCumprod_[0];
  timesteps_ = torch::arange(config_.numTrainTimesteps - 1, -1, -1, torch::kInt64);
}

void PNDMScheduler::setTimesteps(int64_t n) {
  const int64_t T = config_.numTrainTimesteps;
  if (n < 1) throw Error("PNDMScheduler: the number of inference steps must be at least 1, got " + std::to_string(n));
  if (!config_.skipPrkSteps && n < kPndmOrder) {
    throw Error("PNDMScheduler: " + std::to_string(n) + " inference steps are too few for the Runge-Kutta warm-up (at least " +
                std::to_string(kPndmOrder) + " without skip_prk_steps)");
  }
  // _timesteps, ascending
  const auto descending = integerInferenceTimesteps(config_.timestepSpacing, T, n, config_.stepsOffset);
  const std::vector<int64_t> base(descending.rbegin(), descending.rend());

  std::vector<int64_t> all;
  prkTimesteps_.clear();
  if (config_.skipPrkSteps) {
    // concatenate(_timesteps[:-1], _timesteps[-2:-1], _timesteps[-1:])[::-1]: the second-to-last
    // timestep twice (the PLMS warm-up evaluates the model there again).
    std::vector<int64_t> plms(base.begin(), base.end() - 1);
    if (base.size() >= 2) plms.push_back(base[base.size() - 2]);
    plms.push_back(base.back());
    all.assign(plms.rbegin(), plms.rend());
  } else {
    // The last four timesteps, each followed by its half-step midpoint, then every value but the
    // final one repeated twice and the ends trimmed: t, t+h/2, t+h/2, t+h, ... (reversed).
    const int64_t half = T / n / 2;
    std::vector<int64_t> pairs;
    for (int64_t i = n - kPndmOrder; i < n; ++i) {
      pairs.push_back(base[i]);
      pairs.push_back(base[i] + half);
    }
    pairs.pop_back();
    std::vector<int64_t> doubled;
    for (int64_t v : pairs) doubled.insert(doubled.end(), {v, v});
    std::vector<int64_t> prk(doubled.begin() + 1, doubled.end() - 1);
    prkTimesteps_.assign(prk.rbegin(), prk.rend());
    all = prkTimesteps_;
    for (int64_t i = n - kPndmOrder; i >= 0; --i) all.push_back(base[i]);  // _timesteps[:-3][::-1]
  }
  numInferenceSteps_ = n;
  timesteps_ = torch::tensor(all, torch::kInt64);
  ets_.clear();
  counter_ = 0;
  curModelOutput_ = torch::Tensor();
  curSample_ = torch::Tensor();
  resetStepState();
}

torch::Tensor PNDMScheduler::alphaProdAt(int64_t t) const {
  if (t >= config_.numTrainTimesteps) {
    throw Error("PNDMScheduler: timestep " + std::to_string(t) + " is past num_train_timesteps (" +
                std::to_string(config_.numTrainTimesteps) + ")");
  }
  return t >= 0 ? alphasCumprod_[t] : finalAlphaCumprod_;
}

SchedulerStepOutput PNDMScheduler::step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                                        const torch::Tensor& sample, const StepOptions&) {
  if (numInferenceSteps_ == 0) throw Error("PNDMScheduler: call setTimesteps() before step()");
  const int64_t t = timestep.item().toLong();
  if (counter_ < static_cast<int64_t>(prkTimesteps_.size()) && !config_.skipPrkSteps) return stepPrk(modelOutput, t, sample);
  return stepPlms(modelOutput, t, sample);
}

SchedulerStepOutput PNDMScheduler::stepPrk(const torch::Tensor& modelOutputIn, int64_t timestep, const torch::Tensor& sample) {
  const int64_t diffToPrev = counter_ % 2 ? 0 : config_.numTrainTimesteps / numInferenceSteps_ / 2;
  const int64_t prevTimestep = timestep - diffToPrev;
  timestep = prkTimesteps_[counter_ / 4 * 4];
  auto accumulate = [this](double weight, const torch::Tensor& x) {
    curModelOutput_ = curModelOutput_.defined() ? curModelOutput_ + weight * x : weight * x;
  };
  torch::Tensor modelOutput = modelOutputIn;
  const int64_t phase = counter_ % 4;
  if (phase == 0) {
    accumulate(1.0 / 6.0, modelOutputIn);
    ets_.push_back(modelOutputIn);
    curSample_ = sample;
  } else if (phase == 1 || phase == 2) {
    accumulate(1.0 / 3.0, modelOutputIn);
  } else {
    modelOutput = curModelOutput_.defined() ? curModelOutput_ + 1.0 / 6.0 * modelOutputIn : 1.0 / 6.0 * modelOutputIn;
    curModelOutput_ = torch::Tensor();
  }
  const auto& from = curSample_.defined() ? curSample_ : sample;
  auto out = prevSample(from, timestep, prevTimestep, modelOutput);
  ++counter_;
  return out;
}

SchedulerStepOutput PNDMScheduler::stepPlms(const torch::Tensor& modelOutputIn, int64_t timestep, const torch::Tensor& sampleIn) {
  if (!config_.skipPrkSteps && ets_.size() < 3) {
    throw Error("PNDMScheduler: the linear multistep update needs the Runge-Kutta warm-up first (12 steps)");
  }
  const int64_t stride = config_.numTrainTimesteps / numInferenceSteps_;
  int64_t prevTimestep = timestep - stride;
  if (counter_ != 1) {
    if (ets_.size() > 3) ets_.erase(ets_.begin(), ets_.end() - 3);
    ets_.push_back(modelOutputIn);
  } else {
    prevTimestep = timestep;
    timestep = timestep + stride;
  }

  torch::Tensor modelOutput = modelOutputIn;
  torch::Tensor sample = sampleIn;
  const auto& e = ets_;
  const std::size_t k = e.size();
  if (k == 1 && counter_ == 0) {
    curSample_ = sampleIn;
  } else if (k == 1 && counter_ == 1) {
    modelOutput = (modelOutputIn + e[0]) / 2;
    sample = curSample_;
    curSample_ = torch::Tensor();
  } else if (k == 2) {
    modelOutput = (3 * e[1] - e[0]) / 2;
  } else if (k == 3) {
    modelOutput = (23 * e[2] - 16 * e[1] + 5 * e[0]) / 12;
  } else {
    modelOutput = (1.0 / 24.0) * (55 * e[3] - 59 * e[2] + 37 * e[1] - 9 * e[0]);
  }
  auto out = prevSample(sample, timestep, prevTimestep, modelOutput);
  ++counter_;
  return out;
}

SchedulerStepOutput PNDMScheduler::prevSample(const torch::Tensor& sample, int64_t timestep, int64_t prevTimestep,
                                              torch::Tensor modelOutput) const {
  const auto alphaProdT = alphaProdAt(timestep);
  const auto alphaProdTPrev = alphaProdAt(prevTimestep);
  const auto betaProdT = 1 - alphaProdT;
  const auto betaProdTPrev = 1 - alphaProdTPrev;
  if (config_.predictionType == "v_prediction") {
    modelOutput = alphaProdT.pow(0.5) * modelOutput + betaProdT.pow(0.5) * sample;
  }
  const auto sampleCoeff = (alphaProdTPrev / alphaProdT).pow(0.5);
  const auto denomCoeff = alphaProdT * betaProdTPrev.pow(0.5) + (alphaProdT * betaProdT * alphaProdTPrev).pow(0.5);
  SchedulerStepOutput out;
  out.prevSample = sampleCoeff * sample - (alphaProdTPrev - alphaProdT) * modelOutput / denomCoeff;
  out.predOriginalSample = (sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5);
  return out;
}

torch::Tensor PNDMScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                                      const torch::Tensor& timesteps) const {
  return addNoiseAtAlphasCumprod(alphasCumprod_, original, noise, timesteps);
}

}  // namespace latentshop
