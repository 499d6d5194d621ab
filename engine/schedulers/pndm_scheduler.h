// PNDM (Liu et al. 2022, pseudo numerical methods for diffusion models): four Runge-Kutta (PRK)
// steps to warm up, then the 4th-order linear multistep (PLMS) update; with skip_prk_steps (SD
// 1.x's own scheduler_config.json) the PLMS update starts at once from lower orders. Stateful:
// the counter and the last four model outputs drive which formula a step uses, so step() must be
// called with timesteps() in order after setTimesteps().
// Mirrors diffusers/src/diffusers/schedulers/scheduling_pndm.py (diffusers 0.26.3): int64 timesteps
// (PRK pairs and the doubled PLMS warm-up timestep included, so a run makes n + 1 model calls with
// skip_prk_steps and n + 9 without), float32 alphas_cumprod scalar arithmetic in the same order,
// epsilon and v-prediction, leading / linspace / trailing spacing.
#pragma once
#include <string>
#include <vector>

#include "engine/schedulers/scheduler.h"
#include "engine/schedulers/scheduler_config.h"

namespace latentshop {

struct PNDMSchedulerConfig : BetaScheduleConfig {
  PNDMSchedulerConfig() { timestepSpacing = "leading"; }
  bool skipPrkSteps = false;   // skip_prk_steps
  bool setAlphaToOne = false;  // set_alpha_to_one

  // Known keys read with diffusers' defaults for absent ones; unknown keys are ignored.
  static PNDMSchedulerConfig fromJson(const nlohmann::json& config, const std::string& source = "PNDMScheduler config");
  nlohmann::json toJson() const;  // with "_class_name": "PNDMScheduler"
};

class PNDMScheduler : public Scheduler {
public:
  explicit PNDMScheduler(PNDMSchedulerConfig config = {}, const std::string& source = "PNDMScheduler config");

  std::string className() const override { return "PNDMScheduler"; }
  nlohmann::json config() const override { return config_.toJson(); }
  const PNDMSchedulerConfig& pndmConfig() const { return config_; }

  // Throws Error for n < 1, and for n < 4 with PRK steps (the warm-up needs four timesteps).
  void setTimesteps(int64_t numInferenceSteps) override;
  // PRK while the counter is inside the warm-up, PLMS after (diffusers' step / step_prk /
  // step_plms). predOriginalSample is not part of diffusers' PNDM output: it is the x0 that the
  // combined model output implies at the step's timestep, for previews only.
  SchedulerStepOutput step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                           const torch::Tensor& sample, const StepOptions& options = {}) override;
  // sqrt(acp[t]) * x0 + sqrt(1 - acp[t]) * noise.
  torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                         const torch::Tensor& timesteps) const override;

  // Model calls made so far since setTimesteps (diffusers' `counter`).
  int64_t counter() const { return counter_; }

private:
  SchedulerStepOutput stepPrk(const torch::Tensor& modelOutput, int64_t timestep, const torch::Tensor& sample);
  SchedulerStepOutput stepPlms(const torch::Tensor& modelOutput, int64_t timestep, const torch::Tensor& sample);
  // _get_prev_sample (formula (9) of the paper), plus the x0 estimate at `timestep`.
  SchedulerStepOutput prevSample(const torch::Tensor& sample, int64_t timestep, int64_t prevTimestep,
                                 torch::Tensor modelOutput) const;
  torch::Tensor alphaProdAt(int64_t t) const;

  PNDMSchedulerConfig config_;
  torch::Tensor finalAlphaCumprod_;
  std::vector<int64_t> prkTimesteps_;
  int64_t counter_ = 0;
  std::vector<torch::Tensor> ets_;  // past model outputs (at most 4 kept)
  torch::Tensor curModelOutput_;    // PRK: the weighted sum so far (undefined = 0)
  torch::Tensor curSample_;         // PRK / first PLMS step: the sample the step started from
};

}  // namespace latentshop
