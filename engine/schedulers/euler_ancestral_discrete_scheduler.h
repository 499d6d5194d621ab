// Ancestral Euler ("Euler a"): Euler steps to sigma_down plus fresh noise of std sigma_up after every
// step, over the discrete SD noise levels. InstructPix2Pix ships it as its scheduler.
// Mirrors diffusers/src/diffusers/schedulers/scheduling_euler_ancestral_discrete.py (diffusers
// 0.26.3): sigmas interpolated with np.interp in float64 then stored as float32, linspace /
// leading / trailing spacing, epsilon and v-prediction, step-index bookkeeping (the index is
// looked up on the first scaleModelInput/step), zero-terminal-SNR rescale. No Karras sigmas and no
// interpolation choice (the 0.26.3 class has neither).
#pragma once
#include <string>
#include <vector>

#include "engine/schedulers/scheduler.h"
#include "engine/schedulers/scheduler_config.h"

namespace latentshop {

struct EulerAncestralDiscreteSchedulerConfig : BetaScheduleConfig {
  EulerAncestralDiscreteSchedulerConfig() { timestepSpacing = "linspace"; }
  bool rescaleBetasZeroSnr = false;  // rescale_betas_zero_snr

  static EulerAncestralDiscreteSchedulerConfig fromJson(
      const nlohmann::json& config, const std::string& source = "EulerAncestralDiscreteScheduler config");
  nlohmann::json toJson() const;  // with "_class_name": "EulerAncestralDiscreteScheduler"
};

class EulerAncestralDiscreteScheduler : public Scheduler {
public:
  explicit EulerAncestralDiscreteScheduler(EulerAncestralDiscreteSchedulerConfig config = {},
                                           const std::string& source = "EulerAncestralDiscreteScheduler config");

  std::string className() const override { return "EulerAncestralDiscreteScheduler"; }
  nlohmann::json config() const override { return config_.toJson(); }
  const EulerAncestralDiscreteSchedulerConfig& eulerAncestralConfig() const { return config_; }

  void setTimesteps(int64_t numInferenceSteps) override;
  // max sigma (linspace, trailing) or sqrt(max sigma^2 + 1) (leading), in float32.
  double initNoiseSigma() const override;
  // sample / sqrt(sigma^2 + 1)
  torch::Tensor scaleModelInput(const torch::Tensor& sample, const torch::Tensor& timestep) override;
  // x0 = x - sigma * eps (epsilon) or the v-prediction form; sigma_up = sqrt(s_to^2 (s_from^2 -
  // s_to^2) / s_from^2), sigma_down = sqrt(s_to^2 - sigma_up^2); prev = x + (x - x0) / sigma *
  // (sigma_down - sigma) + noise * sigma_up. The noise is options.noise when given, else drawn with
  // options.generator (or torch's default generator) like randn_tensor — every step draws once,
  // also the last one where sigma_up is 0, as diffusers does. `timestep` must be a float value of
  // timesteps().
  SchedulerStepOutput step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                           const torch::Tensor& sample, const StepOptions& options = {}) override;
  // original + noise * sigma(t); each t is looked up in timesteps() (first match).
  torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                         const torch::Tensor& timesteps) const override;

private:
  EulerAncestralDiscreteSchedulerConfig config_;
  std::vector<float> trainSigmas_;  // sqrt((1 - acp) / acp), index = training timestep
};

}  // namespace latentshop
