// Euler (Karras et al. 2022, Algorithm 2) over the discrete SD noise levels, float32 timesteps.
// Mirrors diffusers/src/diffusers/schedulers/scheduling_euler_discrete.py (diffusers 0.26.3):
// sigmas interpolated with np.interp in float64 then stored as float32, `use_karras_sigmas`
// (timesteps from `_sigma_to_t`), `interpolation_type` linear / log_linear, `timestep_type`
// discrete / continuous (v-prediction), churn (s_churn, s_tmin, s_tmax, s_noise), and the
// step-index bookkeeping (the index is looked up on the first scaleModelInput/step).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/schedulers/scheduler.h"
#include "engine/schedulers/scheduler_config.h"

namespace latentshop {

struct EulerDiscreteSchedulerConfig : BetaScheduleConfig {
  EulerDiscreteSchedulerConfig() { timestepSpacing = "linspace"; }
  std::string interpolationType = "linear";  // interpolation_type: linear | log_linear
  bool useKarrasSigmas = false;              // use_karras_sigmas
  std::optional<double> sigmaMin;            // sigma_min (Karras range; default: the schedule's)
  std::optional<double> sigmaMax;            // sigma_max
  std::string timestepType = "discrete";     // timestep_type: discrete | continuous
  bool rescaleBetasZeroSnr = false;          // rescale_betas_zero_snr

  static EulerDiscreteSchedulerConfig fromJson(const nlohmann::json& config,
                                               const std::string& source = "EulerDiscreteScheduler config");
  nlohmann::json toJson() const;  // with "_class_name": "EulerDiscreteScheduler"
};

class EulerDiscreteScheduler : public Scheduler {
public:
  explicit EulerDiscreteScheduler(EulerDiscreteSchedulerConfig config = {},
                                  const std::string& source = "EulerDiscreteScheduler config");

  std::string className() const override { return "EulerDiscreteScheduler"; }
  nlohmann::json config() const override { return config_.toJson(); }
  const EulerDiscreteSchedulerConfig& eulerConfig() const { return config_; }

  void setTimesteps(int64_t numInferenceSteps) override;
  double initNoiseSigma() const override;
  torch::Tensor scaleModelInput(const torch::Tensor& sample, const torch::Tensor& timestep) override;
  // Options used: sChurn, sTmin, sTmax, sNoise, noise / generator. Like diffusers, the step always
  // draws its noise (consuming the generator) even when churn is 0 and the noise is unused.
  // `timestep` must be a floating value of timesteps() (integer indices are refused).
  SchedulerStepOutput step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                           const torch::Tensor& sample, const StepOptions& options = {}) override;
  // original + noise * sigma(t); each t is looked up in timesteps() (first match).
  torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                         const torch::Tensor& timesteps) const override;

private:
  EulerDiscreteSchedulerConfig config_;
  std::vector<float> trainSigmas_;  // sqrt((1 - acp) / acp), index = training timestep
};

}  // namespace latentshop
