// DDIM (Song et al. 2020): deterministic (eta = 0) or stochastic (eta > 0) sampling with integer
// timesteps. Mirrors diffusers/src/diffusers/schedulers/scheduling_ddim.py (diffusers 0.26.3):
// float32 alphas_cumprod indexed by int64 timesteps, 0-d float32 scalar arithmetic in the same
// order, timesteps from NumPy-exact spacing. The inversion step is in ddim_inversion.h.
#pragma once
#include <string>

#include "engine/schedulers/scheduler.h"
#include "engine/schedulers/scheduler_config.h"

namespace latentshop {

struct DDIMSchedulerConfig : BetaScheduleConfig {
  DDIMSchedulerConfig() { timestepSpacing = "leading"; }
  bool clipSample = true;                 // clip_sample
  double clipSampleRange = 1.0;           // clip_sample_range
  bool setAlphaToOne = true;              // set_alpha_to_one
  bool thresholding = false;              // thresholding (dynamic, Imagen)
  double dynamicThresholdingRatio = 0.995;
  double sampleMaxValue = 1.0;
  bool rescaleBetasZeroSnr = false;       // rescale_betas_zero_snr

  // Known keys read with diffusers' defaults for absent ones; unknown keys are ignored.
  static DDIMSchedulerConfig fromJson(const nlohmann::json& config, const std::string& source = "DDIMScheduler config");
  nlohmann::json toJson() const;  // with "_class_name": "DDIMScheduler"
};

class DDIMScheduler : public Scheduler {
public:
  explicit DDIMScheduler(DDIMSchedulerConfig config = {}, const std::string& source = "DDIMScheduler config");

  std::string className() const override { return "DDIMScheduler"; }
  nlohmann::json config() const override { return config_.toJson(); }
  const DDIMSchedulerConfig& ddimConfig() const { return config_; }

  void setTimesteps(int64_t numInferenceSteps) override;
  // Options used: eta, useClippedModelOutput, noise / generator (eta > 0 only).
  SchedulerStepOutput step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                           const torch::Tensor& sample, const StepOptions& options = {}) override;
  // sqrt(acp[t]) * x0 + sqrt(1 - acp[t]) * noise; `timesteps` int64 (any dtype is converted).
  torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                         const torch::Tensor& timesteps) const override;
  // diffusers' get_velocity: sqrt(acp[t]) * noise - sqrt(1 - acp[t]) * sample (v-prediction target).
  torch::Tensor velocity(const torch::Tensor& sample, const torch::Tensor& noise, const torch::Tensor& timesteps) const;

  // alphas_cumprod "before" timestep 0: 1 when set_alpha_to_one, else alphas_cumprod[0] (0-d float32).
  const torch::Tensor& finalAlphaCumprod() const { return finalAlphaCumprod_; }
  // alphas_cumprod[t] for t >= 0, finalAlphaCumprod() for t < 0 (0-d float32).
  torch::Tensor alphaProdAt(int64_t t) const;
  // The (x0, eps) pair the model output implies at alpha_prod_t, per prediction_type, in
  // diffusers' operation order; no clipping.
  std::pair<torch::Tensor, torch::Tensor> predictOriginalAndEpsilon(const torch::Tensor& modelOutput,
                                                                    const torch::Tensor& sample,
                                                                    const torch::Tensor& alphaProdT) const;

private:
  DDIMSchedulerConfig config_;
  torch::Tensor finalAlphaCumprod_;
};

}  // namespace latentshop
