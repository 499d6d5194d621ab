// DDIM inversion (x_{t-Δ} → x_t, the deterministic DDIM step run backwards) and the two DDIM
// helpers of DragDiffusion, all on a DDIMScheduler after setTimesteps(n).
// References: diffusers/src/diffusers/schedulers/scheduling_ddim_inverse.py (`step`, 0.26.3) and
// Yujun-Shi/DragDiffusion drag_pipeline.py (`DragPipeline.inv_step`, `DragPipeline.step`, ebe659a).
//
// DragDiffusion's inversion loop: for t in flip(timesteps) (1, 21, ..., for 50 leading steps),
// eps = unet(x, t); x = dragInvStep(eps, t, x).prevSample — the UNet is evaluated at the *target*
// timestep t with the latent of t - Δ, and the first step's "previous" alpha is
// finalAlphaCumprod() (alphas_cumprod[0] with set_alpha_to_one false).
#pragma once
#include "engine/schedulers/ddim_scheduler.h"

namespace latentshop {

// DDIMInverseScheduler.step with this scheduler's config: t' = min(t - T/n, T - 1),
// alpha_t = acp[t'] (t' >= 0) or finalAlphaCumprod() (DDIMInverse's initial_alpha_cumprod: the
// same value for the same set_alpha_to_one), alpha_next = acp[t]; x0 from the model output per
// prediction_type, clipped when clip_sample; x_t = sqrt(alpha_next) x0 + sqrt(1 - alpha_next) eps.
// Returns prevSample = x_t (the noisier latent) and predOriginalSample = x0.
SchedulerStepOutput ddimInverseStep(const DDIMScheduler& scheduler, const torch::Tensor& modelOutput,
                                    const torch::Tensor& timestep, const torch::Tensor& sample);

// DragPipeline.inv_step: the same inversion step for an epsilon model with no clipping, whatever
// the scheduler's prediction_type / clip_sample say.
SchedulerStepOutput dragInvStep(const DDIMScheduler& scheduler, const torch::Tensor& modelOutput,
                                const torch::Tensor& timestep, const torch::Tensor& sample);

// DragPipeline.step: one deterministic DDIM step for an epsilon model (eta 0, no clipping), with
// DragDiffusion's condition `prev_t > 0` (not >= 0) for using alphas_cumprod[prev_t]: at prev_t == 0
// it takes finalAlphaCumprod(). Used for the motion-supervision mask term.
SchedulerStepOutput dragStep(const DDIMScheduler& scheduler, const torch::Tensor& modelOutput,
                             const torch::Tensor& timestep, const torch::Tensor& sample);

// flip(timesteps()): the order DragDiffusion's `invert` visits them (ascending).
torch::Tensor inversionTimesteps(const DDIMScheduler& scheduler);

}  // namespace latentshop
