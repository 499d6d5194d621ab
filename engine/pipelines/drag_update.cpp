#include "engine/pipelines/drag_update.h"

#include "engine/core/error.h"
#include "engine/pipelines/drag_features.h"
#include "engine/pipelines/drag_tracking.h"
#include "engine/schedulers/ddim_inversion.h"

namespace latentshop {

namespace {

namespace F = torch::nn::functional;

void validate(const torch::Tensor& initCode, const torch::Tensor& handles, const torch::Tensor& targets,
              const torch::Tensor& maskSup, const DragUpdateOptions& o) {
  if (initCode.dim() != 4 || initCode.size(0) != 1) throw Error("drag: the latent must be [1, C, h, w]");
  if (handles.dim() != 2 || handles.size(1) != 2 || handles.size(0) == 0)
    throw Error("drag: at least one handle point is needed");
  if (!targets.sizes().equals(handles.sizes())) throw Error("drag: every handle point needs a target point");
  if (o.supH <= 0 || o.supW <= 0) throw Error("drag: the supervision grid size is not set");
  if (maskSup.dim() != 4 || maskSup.size(2) != o.supH || maskSup.size(3) != o.supW)
    throw Error("drag: the mask must be [1, 1, supH, supW]");
  if (o.steps < 0) throw Error("drag: the number of drag steps must not be negative");
  if (!(o.lr > 0.0)) throw Error("drag: the latent learning rate must be positive");
  if (o.rM < 0 || o.rP < 0) throw Error("drag: patch and tracking radii must not be negative");
  const auto h = handles.to(torch::kCPU, torch::kFloat), tg = targets.to(torch::kCPU, torch::kFloat);
  for (const auto* p : {&h, &tg}) {
    const bool inside = ((*p).select(1, 0) >= 0).all().item<bool>() && ((*p).select(1, 0) < o.supH).all().item<bool>() &&
                        ((*p).select(1, 1) >= 0).all().item<bool>() && ((*p).select(1, 1) < o.supW).all().item<bool>();
    if (!inside) throw Error("drag: a point lies outside the supervision grid");
  }
}

}  // namespace

DragUpdateResult dragDiffusionUpdate(UNet2DConditionModelImpl& unet, const DDIMScheduler& scheduler,
                                     const torch::Tensor& initCode, const torch::Tensor& encoderHiddenStates,
                                     int64_t t, const torch::Tensor& handlesIn, const torch::Tensor& targetsIn,
                                     const torch::Tensor& maskSup, const DragUpdateOptions& o,
                                     const DragUpdateObserver& observer, const DragStopCheck& shouldStop) {
  validate(initCode, handlesIn, targetsIn, maskSup, o);
  const auto tTensor = torch::tensor(t, torch::kLong);
  const auto emb = encoderHiddenStates.detach();
  DragUpdateResult result;
  auto& rec = result.record;

  torch::Tensor F0, xPrev0;
  {
    torch::NoGradGuard noGrad;
    auto f = forwardUnetFeatures(unet, initCode.to(torch::kFloat), t, emb, o.featureIdx, o.supH, o.supW);
    F0 = f.features.to(torch::kFloat);
    const auto out0 = f.unetOutput.to(torch::kFloat);
    xPrev0 = dragStep(scheduler, out0, tTensor, initCode.to(torch::kFloat).to(out0.device())).prevSample;
    if (o.record) {
      rec.unetOutputs.push_back(out0);
      rec.xPrev0 = xPrev0;
      rec.F0 = F0;
    }
  }

  auto latent = initCode.detach().to(xPrev0.device(), torch::kFloat).clone().requires_grad_(true);
  torch::optim::Adam optimizer(std::vector<torch::Tensor>{latent},
                               torch::optim::AdamOptions(o.lr).betas({0.9, 0.999}).eps(1e-8));
  auto handles = handlesIn.to(torch::kCPU, torch::kFloat).clone();
  const auto targets = targetsIn.to(torch::kCPU, torch::kFloat);
  const auto handlesInit = handles.clone();
  const auto maskLatent = F::interpolate(maskSup.to(latent.device(), torch::kFloat),
                                         F::InterpolateFuncOptions()
                                             .size(std::vector<int64_t>{latent.size(2), latent.size(3)})
                                             .mode(torch::kNearest));
  const bool usingMask = maskLatent.sum().item<double>() != 0.0;
  if (o.record) rec.maskLatent = maskLatent;
  // fp16 UNets: scale the loss so small gradients survive the half-precision backward (GradScaler).
  const double lossScale = unet.dtype() == torch::kHalf ? 1024.0 : 1.0;

  for (int64_t step = 0; step < o.steps; ++step) {
    if (shouldStop && shouldStop()) {
      result.stopped = true;
      break;
    }
    auto f = forwardUnetFeatures(unet, latent, t, emb, o.featureIdx, o.supH, o.supW);
    const auto F1 = f.features.to(torch::kFloat);
    const auto unetOutput = f.unetOutput.to(torch::kFloat);
    auto ddim = dragStep(scheduler, unetOutput, tTensor, latent);
    if (o.record) rec.unetOutputs.push_back(unetOutput.detach());

    if (step != 0) {
      handles = trackHandlePoints(F0, F1.detach(), handles, handlesInit, o.rP);
      if (o.record) rec.tracked.push_back(handles.clone());
    }
    if (handlesReachedTargets(handles, targets)) {
      result.reached = true;
      break;
    }

    auto ms = motionSupervisionLoss(F1, handles, targets, o.rM);
    torch::Tensor loss = ms.total;
    torch::Tensor maskTerm;
    if (usingMask) {
      maskTerm = o.lam * ((ddim.prevSample - xPrev0) * (1.0 - maskLatent)).abs().sum();
      loss = loss.defined() ? loss + maskTerm : maskTerm;
    }
    if (!loss.defined()) break;  // nothing to move and no mask: cannot happen unless reached
    (lossScale == 1.0 ? loss : loss * lossScale).backward();
    auto& grad = latent.mutable_grad();
    if (lossScale != 1.0) grad.div_(lossScale);
    const bool finite = grad.isfinite().all().item<bool>();
    if (o.record) {
      rec.losses.push_back(loss.item<double>());
      std::vector<double> terms;
      for (const auto& term : ms.terms) terms.push_back(term.item<double>());
      terms.push_back(maskTerm.defined() ? maskTerm.item<double>() : 0.0);
      rec.lossTerms.push_back(std::move(terms));
      rec.grads.push_back(grad.detach().clone());
      rec.handlesPerStep.push_back(handles.clone());
    }
    if (finite) optimizer.step();
    optimizer.zero_grad();
    ++result.stepsRun;
    if (o.record) rec.latents.push_back(latent.detach().clone());

    DragUpdateStep info;
    info.index = step;
    info.loss = loss.item<double>();
    info.handles = handles.clone();
    info.predX0 = ddim.predOriginalSample.detach();
    info.latent = latent.detach();
    if (observer && !observer(info)) {
      result.stopped = true;
      break;
    }
  }
  result.latent = latent.detach().clone();
  result.handles = handles;
  return result;
}

}  // namespace latentshop
