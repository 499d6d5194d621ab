// DPM-Solver / DPM-Solver++ multistep (Lu et al. 2022), the sampler behind "DPM++ 2M" and, with
// `use_karras_sigmas`, "DPM++ 2M Karras". Mirrors
// diffusers/src/diffusers/schedulers/scheduling_dpmsolver_multistep.py (diffusers 0.26.3):
// int64 timesteps, float32 sigmas (np.interp in float64, then float32), `algorithm_type`
// dpmsolver++ / dpmsolver / sde-dpmsolver++ / sde-dpmsolver, `solver_order` 1-3, `solver_type`
// midpoint / heun, `lower_order_final`, `euler_at_final`, `final_sigmas_type` zero / sigma_min,
// `use_karras_sigmas`, `use_lu_lambdas`, `lambda_min_clipped`, thresholding, and the multistep
// state (the last `solver_order` converted model outputs), reset by setTimesteps.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/schedulers/scheduler.h"
#include "engine/schedulers/scheduler_config.h"

namespace latentshop {

struct DPMSolverMultistepSchedulerConfig : BetaScheduleConfig {
  DPMSolverMultistepSchedulerConfig() { timestepSpacing = "linspace"; }
  int64_t solverOrder = 2;                      // solver_order: 1, 2 or 3
  std::string algorithmType = "dpmsolver++";    // algorithm_type
  std::string solverType = "midpoint";          // solver_type: midpoint | heun
  bool lowerOrderFinal = true;                  // lower_order_final
  bool eulerAtFinal = false;                    // euler_at_final
  bool useKarrasSigmas = false;                 // use_karras_sigmas
  bool useLuLambdas = false;                    // use_lu_lambdas
  std::string finalSigmasType = "zero";         // final_sigmas_type: zero | sigma_min
  double lambdaMinClipped = -std::numeric_limits<double>::infinity();  // lambda_min_clipped
  std::optional<std::string> varianceType;      // variance_type: null | learned | learned_range
  bool thresholding = false;
  double dynamicThresholdingRatio = 0.995;
  double sampleMaxValue = 1.0;

  // Like diffusers' constructor: "deis" reads as dpmsolver++, solver types logrho/bh1/bh2 as midpoint.
  static DPMSolverMultistepSchedulerConfig fromJson(const nlohmann::json& config,
                                                    const std::string& source = "DPMSolverMultistepScheduler config");
  nlohmann::json toJson() const;  // with "_class_name": "DPMSolverMultistepScheduler"
};

class DPMSolverMultistepScheduler : public Scheduler {
public:
  explicit DPMSolverMultistepScheduler(DPMSolverMultistepSchedulerConfig config = {},
                                       const std::string& source = "DPMSolverMultistepScheduler config");

  std::string className() const override { return "DPMSolverMultistepScheduler"; }
  nlohmann::json config() const override { return config_.toJson(); }
  const DPMSolverMultistepSchedulerConfig& dpmConfig() const { return config_; }

  void setTimesteps(int64_t numInferenceSteps) override;
  // Options used: noise / generator (SDE variants only). predOriginalSample is the data
  // prediction x0 of this step (diffusers 0.26 does not return one for this scheduler).
  SchedulerStepOutput step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                           const torch::Tensor& sample, const StepOptions& options = {}) override;
  // alpha_t * original + sigma_t * noise at each timestep's sigma (a timestep missing from
  // timesteps() takes the last sigma; one occurring twice, the second).
  torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                         const torch::Tensor& timesteps) const override;

  // diffusers `convert_model_output`: x0 (dpmsolver++ variants) or eps (dpmsolver variants) at
  // the current step index.
  torch::Tensor convertModelOutput(const torch::Tensor& modelOutput, const torch::Tensor& sample) const;
  // Completed steps counted towards the solver order (diffusers `lower_order_nums`).
  int64_t lowerOrderNums() const { return lowerOrderNums_; }

private:
  bool isDataPrediction() const;  // dpmsolver++ / sde-dpmsolver++
  torch::Tensor firstOrderUpdate(const torch::Tensor& m0, const torch::Tensor& sample, const torch::Tensor& noise) const;
  torch::Tensor secondOrderUpdate(const torch::Tensor& sample, const torch::Tensor& noise) const;
  torch::Tensor thirdOrderUpdate(const torch::Tensor& sample) const;

  DPMSolverMultistepSchedulerConfig config_;
  std::vector<float> trainSigmas_;
  torch::Tensor lambdaT_;                   // log(alpha_t) - log(sigma_t) per training timestep, float32
  std::vector<torch::Tensor> modelOutputs_;  // oldest first; undefined = none yet
  int64_t lowerOrderNums_ = 0;
};

}  // namespace latentshop
