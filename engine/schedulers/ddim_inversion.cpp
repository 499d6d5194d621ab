#include "engine/schedulers/ddim_inversion.h"

#include <algorithm>

#include "engine/core/error.h"

namespace latentshop {

namespace {

int64_t stepSize(const DDIMScheduler& s) {
  if (s.numInferenceSteps() == 0) throw Error("DDIMScheduler: call setTimesteps() before an inversion step");
  return s.ddimConfig().numTrainTimesteps / s.numInferenceSteps();
}

// x_next = sqrt(alpha_next) * x0 + sqrt(1 - alpha_next) * eps, as both references write it.
torch::Tensor recombine(const torch::Tensor& alphaNext, const torch::Tensor& x0, const torch::Tensor& eps) {
  const auto direction = (1 - alphaNext).pow(0.5) * eps;
  return alphaNext.pow(0.5) * x0 + direction;
}

}  // namespace

SchedulerStepOutput ddimInverseStep(const DDIMScheduler& scheduler, const torch::Tensor& modelOutput,
                                    const torch::Tensor& timestep, const torch::Tensor& sample) {
  const auto& c = scheduler.ddimConfig();
  const int64_t next = timestep.item().toLong();
  const int64_t t = std::min(next - stepSize(scheduler), c.numTrainTimesteps - 1);
  const auto alphaProdT = scheduler.alphaProdAt(t);
  const auto alphaProdNext = scheduler.alphaProdAt(next);
  auto [x0, eps] = scheduler.predictOriginalAndEpsilon(modelOutput, sample, alphaProdT);
  if (c.clipSample) x0 = x0.clamp(-c.clipSampleRange, c.clipSampleRange);
  return {recombine(alphaProdNext, x0, eps), x0};
}

SchedulerStepOutput dragInvStep(const DDIMScheduler& scheduler, const torch::Tensor& modelOutput,
                                const torch::Tensor& timestep, const torch::Tensor& sample) {
  const int64_t next = timestep.item().toLong();
  const int64_t t = std::min(next - stepSize(scheduler), scheduler.ddimConfig().numTrainTimesteps - 1);
  const auto alphaProdT = scheduler.alphaProdAt(t);
  const auto alphaProdNext = scheduler.alphaProdAt(next);
  const auto betaProdT = 1 - alphaProdT;
  const auto x0 = (sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5);
  return {recombine(alphaProdNext, x0, modelOutput), x0};
}

SchedulerStepOutput dragStep(const DDIMScheduler& scheduler, const torch::Tensor& modelOutput,
                             const torch::Tensor& timestep, const torch::Tensor& sample) {
  const int64_t t = timestep.item().toLong();
  const int64_t prev = t - stepSize(scheduler);
  const auto alphaProdT = scheduler.alphaProdAt(t);
  const auto alphaProdPrev = prev > 0 ? scheduler.alphaProdAt(prev) : scheduler.finalAlphaCumprod();
  const auto betaProdT = 1 - alphaProdT;
  const auto x0 = (sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5);
  return {recombine(alphaProdPrev, x0, modelOutput), x0};
}

torch::Tensor inversionTimesteps(const DDIMScheduler& scheduler) {
  if (scheduler.numInferenceSteps() == 0) throw Error("DDIMScheduler: call setTimesteps() before inversionTimesteps()");
  return scheduler.timesteps().flip({0});
}

}  // namespace latentshop
