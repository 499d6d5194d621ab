// The two DDIM loops of DragDiffusion: inversion of the image latent to the drag timestep, and the
// final denoise of [original, edited] with mutual self-attention, on the DDIM scheduler run_drag
// builds (scaled_linear 0.00085–0.012, clip_sample false, set_alpha_to_one false, steps_offset 1),
// guidance scale 1 (no classifier-free guidance), as run_drag calls them.
// Reference: Yujun-Shi/DragDiffusion drag_pipeline.py (DragPipeline.invert, inv_step, __call__) and
// utils/ui_utils.py (run_drag), ebe659a.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "engine/models/unet_2d_condition.h"
#include "engine/schedulers/ddim_scheduler.h"

namespace latentshop {

// run_drag's scheduler, with setTimesteps(numInferenceSteps) done. Its training schedule
// (num_train_timesteps 1000, betas) is fixed: run_drag ignores the model's scheduler config.
DDIMScheduler makeDragScheduler(int64_t numInferenceSteps);

// round(strength · n) as Python rounds (half to even), clamped to [1, n].
int64_t dragActualSteps(double inversionStrength, int64_t numInferenceSteps);
// timesteps[n - nActual]: where inversion stops and the drag and the denoise start.
int64_t dragStartTimestep(const DDIMScheduler& scheduler, int64_t numActualSteps);

// Called after each UNet step: (steps done, steps in total).
using DragLoopProgress = std::function<void(int64_t done, int64_t total)>;

struct DragInversion {
  torch::Tensor latent;                   // x_t
  int64_t t = 0;                          // = dragStartTimestep
  std::vector<int64_t> timesteps;         // the UNet's timesteps, ascending
  std::vector<torch::Tensor> latents;     // with keepIntermediates: [0] = x0, [i] after step i
  std::vector<torch::Tensor> noisePreds;  // with keepIntermediates: every UNet output
};

// DragPipeline.invert: for the first numActualSteps of flip(timesteps): eps = unet(x, t), x = inv_step.
DragInversion invertForDrag(UNet2DConditionModelImpl& unet, const DDIMScheduler& scheduler, const torch::Tensor& x0,
                            const torch::Tensor& encoderHiddenStates, int64_t numActualSteps,
                            bool keepIntermediates = false, const DragLoopProgress& progress = {});

struct DragDenoiseOptions {
  int64_t numActualSteps = 35;
  int64_t startStep = 0;    // MutualSelfAttentionControl start_step
  int64_t startLayer = 10;  // start_layer
  int64_t layerCount = 16;  // the reference's hard-coded layer count
  bool mutualAttention = true;
  int64_t keepFirst = 0;    // how many per-step noise predictions / latents to keep (parity checks)
};

struct DragDenoise {
  torch::Tensor latents;                       // [2, 4, h, w] after the last step
  std::vector<int64_t> timesteps;              // the UNet's timesteps, descending
  std::vector<torch::Tensor> noisePreds;       // the first keepFirst UNet outputs
  std::vector<torch::Tensor> latentsPerStep;   // the first keepFirst step results
  int64_t controlledCalls = 0;                 // attention calls the editor changed
};

// DragPipeline.__call__ with a MutualSelfAttentionControl registered: latents = [original x_t,
// edited x_t], the same embeddings for both; DDIMScheduler.step (eta 0) for the last numActualSteps
// timesteps. `scheduler` must have setTimesteps(n) done (total_steps of the editor = n).
DragDenoise denoiseWithMutualAttention(UNet2DConditionModelImpl& unet, DDIMScheduler& scheduler,
                                       const torch::Tensor& latents, const torch::Tensor& encoderHiddenStates,
                                       const DragDenoiseOptions& options, const DragLoopProgress& progress = {});

}  // namespace latentshop
