// The interface the pipelines drive every noise scheduler through (DDIM, Euler discrete,
// DPM-Solver++ multistep), mirroring diffusers' scheduler API:
//
//   sched->setTimesteps(n);                               // resets step index and multistep state
//   latents = noise * sched->initNoiseSigma();
//   for (int64_t i = 0; i < sched->timesteps().size(0); ++i) {
//     auto t = sched->timestepAt(i);                        // 0-d tensor (int64 or float32)
//     auto in = sched->scaleModelInput(latents, t);
//     auto eps = unet(in, t, ...);
//     auto out = sched->step(eps, t, latents);             // out.prevSample, out.predOriginalSample
//     latents = out.prevSample;
//   }
//
// Reference: diffusers/src/diffusers/schedulers/scheduling_utils.py and the pipelines'
// `get_timesteps` (pipelines/stable_diffusion/pipeline_stable_diffusion_inpaint.py), 0.26.3.
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace latentshop {

struct SchedulerStepOutput {
  torch::Tensor prevSample;           // x_{t-1}
  // The x0 prediction at this step (DDIM, Euler as diffusers return it; DPM-Solver: the data
  // prediction its update uses). Always defined.
  torch::Tensor predOriginalSample;
};

// Per-call options of step(); each scheduler reads the ones diffusers' step() takes.
struct StepOptions {
  double eta = 0.0;                     // DDIM: weight of the added noise (0 = deterministic DDIM)
  bool useClippedModelOutput = false;   // DDIM: recompute eps from the clipped x0
  double sChurn = 0.0;                  // Euler: stochasticity (Karras et al. 2022)
  double sTmin = 0.0;
  double sTmax = std::numeric_limits<double>::infinity();
  double sNoise = 1.0;
  // Noise for the step when the scheduler needs some (DDIM eta > 0: `variance_noise`; Euler churn;
  // SDE DPM-Solver). When undefined, it is drawn with `generator` (or torch's default generator)
  // like diffusers' randn_tensor: torch.randn(shape, generator) on the CPU for CPU generators.
  torch::Tensor noise;
  std::optional<at::Generator> generator;
};

class Scheduler {
public:
  virtual ~Scheduler() = default;

  // diffusers' class name: "DDIMScheduler", "EulerDiscreteScheduler", "DPMSolverMultistepScheduler".
  virtual std::string className() const = 0;
  // The scheduler's full configuration as diffusers would save it (scheduler_config.json keys).
  virtual nlohmann::json config() const = 0;

  // Computes timesteps() (and sigmas()) for `numInferenceSteps` steps; resets the step index, the
  // begin index and any multistep state. Throws Error for n < 1 or n > num_train_timesteps (DDIM).
  virtual void setTimesteps(int64_t numInferenceSteps) = 0;
  // Inference timesteps, high noise first: int64 (DDIM, DPM-Solver) or float32 (Euler).
  const torch::Tensor& timesteps() const { return timesteps_; }
  // timesteps()[i] as a 0-d tensor of the same dtype.
  torch::Tensor timestepAt(int64_t i) const { return timesteps_[i]; }
  // float32 [len(timesteps) + 1] noise levels (last 0 or sigma_min) for Euler / DPM-Solver;
  // undefined for DDIM.
  const torch::Tensor& sigmas() const { return sigmas_; }
  // Steps set by setTimesteps (DPM-Solver: len(timesteps)); 0 before.
  int64_t numInferenceSteps() const { return numInferenceSteps_; }

  // Standard deviation of the initial noise (1 for DDIM and DPM-Solver; Euler: max sigma, or
  // sqrt(max sigma^2 + 1) for leading spacing). Computed in float32 as diffusers does.
  virtual double initNoiseSigma() const { return 1.0; }
  // diffusers' `order` attribute (1 for all three: one model call per timestep).
  virtual int order() const { return 1; }

  // Scales the denoising model input (Euler: x / sqrt(sigma^2 + 1); identity otherwise).
  virtual torch::Tensor scaleModelInput(const torch::Tensor& sample, const torch::Tensor& timestep) {
    return sample;
  }
  // One reverse step from `timestep` (a value of timesteps()). Multistep schedulers keep state:
  // call with the timesteps in order after setTimesteps.
  virtual SchedulerStepOutput step(const torch::Tensor& modelOutput, const torch::Tensor& timestep,
                                   const torch::Tensor& sample, const StepOptions& options = {}) = 0;
  // Forward-diffuses `original` to `timesteps` (one per batch item, or one for all).
  virtual torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                                 const torch::Tensor& timesteps) const = 0;

  // Index into timesteps() of the next step (Euler, DPM-Solver); nullopt before the first
  // scaleModelInput/step, and always for DDIM (stateless).
  std::optional<int64_t> stepIndex() const { return stepIndex_; }
  // Makes the first step start at timesteps()[index] (diffusers >= 0.27 `set_begin_index`).
  // diffusers 0.26 has no such call: when none is made, the index is found by looking the first
  // timestep up in timesteps() (the second match when it occurs twice) — identical for distinct
  // timesteps, which is every schedule except DPM-Solver Karras schedules with many steps.
  void setBeginIndex(int64_t index) { beginIndex_ = index; }
  std::optional<int64_t> beginIndex() const { return beginIndex_; }

  // Training noise schedule, float32 [num_train_timesteps].
  const torch::Tensor& betas() const { return betas_; }
  const torch::Tensor& alphasCumprod() const { return alphasCumprod_; }

protected:
  // diffusers' `_init_step_index`: begin index if set, else the lookup described above.
  // `missingIsLast`: DPM-Solver takes the last index when the timestep is absent; Euler throws.
  void initStepIndex(const torch::Tensor& timestep, bool missingIsLast);
  // Index of `timestep` in timesteps() by the same rule, without touching state.
  int64_t lookupStepIndex(const torch::Tensor& timestep, bool missingIsLast) const;
  // The noise for a stochastic step (options.noise, or drawn like randn_tensor).
  static torch::Tensor stepNoise(const torch::Tensor& like, const StepOptions& options);
  void resetStepState() {
    stepIndex_.reset();
    beginIndex_.reset();
  }

  torch::Tensor betas_, alphas_, alphasCumprod_;
  torch::Tensor timesteps_;
  torch::Tensor sigmas_;
  int64_t numInferenceSteps_ = 0;
  std::optional<int64_t> stepIndex_;
  std::optional<int64_t> beginIndex_;
};

// The pipelines' `get_timesteps(num_inference_steps, strength)` for img2img/inpaint, applied to a
// scheduler after setTimesteps(numInferenceSteps): init = min(int(n*strength), n),
// tStart = max(n - init, 0), timesteps = timesteps()[tStart*order:], numSteps = n - tStart.
struct StrengthTimesteps {
  torch::Tensor timesteps;
  int64_t tStart = 0;
  int64_t numSteps = 0;
};
StrengthTimesteps timestepsForStrength(const Scheduler& scheduler, int64_t numInferenceSteps, double strength);

}  // namespace latentshop
