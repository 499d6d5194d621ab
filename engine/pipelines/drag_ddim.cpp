#include "engine/pipelines/drag_ddim.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/core/error.h"
#include "engine/pipelines/drag_mutual_attention.h"
#include "engine/schedulers/ddim_inversion.h"

namespace latentshop {

DDIMScheduler makeDragScheduler(int64_t numInferenceSteps) {
  DDIMSchedulerConfig c;
  c.betaStart = 0.00085;
  c.betaEnd = 0.012;
  c.betaSchedule = "scaled_linear";
  c.clipSample = false;
  c.setAlphaToOne = false;
  c.stepsOffset = 1;
  DDIMScheduler scheduler(c, "DragDiffusion DDIM scheduler");
  scheduler.setTimesteps(numInferenceSteps);
  return scheduler;
}

int64_t dragActualSteps(double inversionStrength, int64_t numInferenceSteps) {
  if (!(inversionStrength > 0.0 && inversionStrength <= 1.0))
    throw Error("drag: inversion strength must be in (0, 1], got " + std::to_string(inversionStrength));
  const auto n = static_cast<int64_t>(std::nearbyint(inversionStrength * static_cast<double>(numInferenceSteps)));
  return std::clamp<int64_t>(n, 1, numInferenceSteps);
}

int64_t dragStartTimestep(const DDIMScheduler& scheduler, int64_t numActualSteps) {
  const int64_t n = scheduler.timesteps().size(0);
  if (numActualSteps < 1 || numActualSteps > n) throw Error("drag: inversion steps out of range");
  return scheduler.timesteps()[n - numActualSteps].item<int64_t>();
}

DragInversion invertForDrag(UNet2DConditionModelImpl& unet, const DDIMScheduler& scheduler, const torch::Tensor& x0,
                            const torch::Tensor& encoderHiddenStates, int64_t numActualSteps, bool keepIntermediates,
                            const DragLoopProgress& progress) {
  torch::NoGradGuard noGrad;
  const auto order = inversionTimesteps(scheduler);
  const int64_t total = std::min<int64_t>(numActualSteps, order.size(0));
  DragInversion result;
  auto latents = x0.to(torch::kFloat);
  if (keepIntermediates) result.latents.push_back(latents);
  for (int64_t i = 0; i < total; ++i) {
    const auto t = order[i];
    const int64_t tv = t.item<int64_t>();
    result.timesteps.push_back(tv);
    auto eps = unet.forward(latents, Timestep(tv), encoderHiddenStates).sample.to(torch::kFloat);
    latents = dragInvStep(scheduler, eps, t, latents).prevSample;
    if (keepIntermediates) {
      result.noisePreds.push_back(eps);
      result.latents.push_back(latents);
    }
    if (progress) progress(i + 1, total);
  }
  result.latent = latents;
  result.t = dragStartTimestep(scheduler, total);
  return result;
}

DragDenoise denoiseWithMutualAttention(UNet2DConditionModelImpl& unet, DDIMScheduler& scheduler,
                                       const torch::Tensor& latentsIn, const torch::Tensor& encoderHiddenStates,
                                       const DragDenoiseOptions& options, const DragLoopProgress& progress) {
  torch::NoGradGuard noGrad;
  if (latentsIn.dim() != 4 || latentsIn.size(0) != 2)
    throw Error("drag denoise: latents must be [2, C, h, w] (original, edited)");
  const auto& timesteps = scheduler.timesteps();
  const int64_t n = timesteps.size(0);
  const int64_t total = std::clamp<int64_t>(options.numActualSteps, 1, n);
  MutualSelfAttentionController editor(options.startStep, options.startLayer, n,
                                       static_cast<int64_t>(unet.attentionModules().size()), options.layerCount);
  nn::ForwardHooks hooks{&editor, nullptr};
  UNetForwardOptions forward;
  if (options.mutualAttention) forward.hooks = &hooks;
  auto context = encoderHiddenStates;
  if (context.size(0) == 1) context = context.expand({2, context.size(1), context.size(2)});

  DragDenoise result;
  auto latents = latentsIn.to(torch::kFloat);
  for (int64_t i = n - total, done = 0; i < n; ++i) {
    const auto t = timesteps[i];
    const int64_t tv = t.item<int64_t>();
    result.timesteps.push_back(tv);
    auto eps = unet.forward(latents, Timestep(tv), context, forward).sample.to(torch::kFloat);
    latents = scheduler.step(eps, t, latents).prevSample;
    if (static_cast<int64_t>(result.noisePreds.size()) < options.keepFirst) {
      result.noisePreds.push_back(eps);
      result.latentsPerStep.push_back(latents);
    }
    ++done;
    if (progress) progress(done, total);
  }
  result.latents = latents;
  result.controlledCalls = editor.controlledCalls();
  return result;
}

}  // namespace latentshop
