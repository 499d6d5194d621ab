#include "engine/schedulers/scheduler.h"

#include <sstream>

#include "engine/core/error.h"

namespace latentshop {

namespace {
std::string timestepText(const torch::Tensor& t) {
  std::ostringstream o;
  if (t.is_floating_point()) {
    o << t.item<double>();
  } else {
    o << t.item<int64_t>();
  }
  return o.str();
}
}  // namespace

int64_t Scheduler::lookupStepIndex(const torch::Tensor& timestep, bool missingIsLast) const {
  if (!timesteps_.defined() || timesteps_.numel() == 0) {
    throw Error(className() + ": call setTimesteps() before stepping");
  }
  auto matches = (timesteps_ == timestep.to(timesteps_.device())).nonzero();
  const int64_t count = matches.size(0);
  if (count == 0) {
    if (missingIsLast) return timesteps_.size(0) - 1;
    throw Error(className() + ": timestep " + timestepText(timestep) + " is not one of the scheduler's timesteps");
  }
  return matches[count > 1 ? 1 : 0][0].item<int64_t>();
}

void Scheduler::initStepIndex(const torch::Tensor& timestep, bool missingIsLast) {
  stepIndex_ = beginIndex_ ? *beginIndex_ : lookupStepIndex(timestep, missingIsLast);
}

torch::Tensor Scheduler::stepNoise(const torch::Tensor& like, const StepOptions& options) {
  if (options.noise.defined()) {
    if (options.noise.sizes() != like.sizes()) {
      throw Error("scheduler step: noise has shape " + c10::str(options.noise.sizes()) + ", expected " +
                  c10::str(like.sizes()));
    }
    return options.noise.to(like.options());
  }
  const auto cpu = torch::TensorOptions().dtype(like.scalar_type()).device(torch::kCPU);
  // randn_tensor: a CPU generator draws on the CPU and the result moves to the target device.
  if (options.generator) {
    if (options.generator->device().is_cpu()) return torch::randn(like.sizes(), *options.generator, cpu).to(like.device());
    return torch::randn(like.sizes(), *options.generator, like.options());
  }
  return torch::randn(like.sizes(), like.options());
}

StrengthTimesteps timestepsForStrength(const Scheduler& scheduler, int64_t numInferenceSteps, double strength) {
  if (!(strength >= 0.0 && strength <= 1.0)) {
    throw Error("strength must be between 0 and 1, got " + std::to_string(strength));
  }
  if (!scheduler.timesteps().defined() || scheduler.timesteps().numel() == 0) {
    throw Error(scheduler.className() + ": call setTimesteps() before timestepsForStrength()");
  }
  const auto n = numInferenceSteps;
  const int64_t initTimestep = std::min(static_cast<int64_t>(static_cast<double>(n) * strength), n);
  StrengthTimesteps out;
  out.tStart = std::max<int64_t>(n - initTimestep, 0);
  const int64_t from = std::min<int64_t>(out.tStart * scheduler.order(), scheduler.timesteps().size(0));
  out.timesteps = scheduler.timesteps().slice(0, from);
  out.numSteps = n - out.tStart;
  return out;
}

}  // namespace latentshop
