// DragDiffusion's latent optimisation: motion supervision on UNet decoder features plus the mask
// term, point tracking between steps, Adam on the latent, early stop when every handle is within 2
// of its target (all on the supervision grid, points as [row, col]).
// Reference: Yujun-Shi/DragDiffusion utils/drag_utils.py (drag_diffusion_update, ebe659a), with the
// one-step DDIM prediction of DragPipeline.step for the mask term.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "engine/models/unet_2d_condition.h"
#include "engine/schedulers/ddim_scheduler.h"

namespace latentshop {

struct DragUpdateOptions {
  int64_t steps = 80;                   // n_pix_step: at most this many optimisation steps
  double lr = 0.01;                     // Adam learning rate on the latent
  int64_t rM = 1;                       // motion-supervision patch radius
  int64_t rP = 3;                       // point-tracking window radius
  double lam = 0.1;                     // weight of the mask term
  std::vector<int64_t> featureIdx{3};   // unet_feature_idx (0 = mid block, 1 + i = up_blocks[i])
  int64_t supH = 0, supW = 0;           // supervision grid: int(0.5 · image size)
  bool record = false;                  // keep per-step tensors (parity checks)
};

// What one optimisation step did (after its Adam update).
struct DragUpdateStep {
  int64_t index = 0;        // 0-based
  double loss = 0.0;
  torch::Tensor handles;    // [N, 2] the handles this step used (after its tracking)
  torch::Tensor predX0;     // [1, 4, h, w] x0 prediction of the latent the step evaluated
  torch::Tensor latent;     // [1, 4, h, w] the latent after the update (detached)
};

// Return false to stop (the latent so far is kept). May throw (e.g. JobCancelled).
using DragUpdateObserver = std::function<bool(const DragUpdateStep&)>;
// Asked before every step; true stops before computing it.
using DragStopCheck = std::function<bool()>;

struct DragUpdateRecord {
  std::vector<double> losses;
  std::vector<std::vector<double>> lossTerms;  // per step: each point's term, then the mask term
  std::vector<torch::Tensor> grads;            // d loss / d latent before each Adam step
  std::vector<torch::Tensor> latents;          // after each Adam step
  std::vector<torch::Tensor> handlesPerStep;   // handles used by each step
  std::vector<torch::Tensor> tracked;          // every point_tracking result
  std::vector<torch::Tensor> unetOutputs;      // the F0 pass, then every step's forward
  torch::Tensor xPrev0;                        // DragPipeline.step(unet_outputs[0], t, x_t)
  torch::Tensor F0;
  torch::Tensor maskLatent;                    // the mask resized to the latent
};

struct DragUpdateResult {
  torch::Tensor latent;    // the updated latent (float32, detached)
  torch::Tensor handles;   // final tracked handles [N, 2]
  int64_t stepsRun = 0;    // optimisation steps taken
  bool reached = false;    // stopped because every handle reached its target
  bool stopped = false;    // stopped by the observer / stop check
  DragUpdateRecord record; // when options.record
};

// handles, targets: float32 [N, 2] ([row, col] on the supH × supW grid); maskSup: [1, 1, supH, supW]
// with 1 = movable (all zero: no mask term, as the reference). initCode is not modified.
DragUpdateResult dragDiffusionUpdate(UNet2DConditionModelImpl& unet, const DDIMScheduler& scheduler,
                                     const torch::Tensor& initCode, const torch::Tensor& encoderHiddenStates,
                                     int64_t t, const torch::Tensor& handles, const torch::Tensor& targets,
                                     const torch::Tensor& maskSup, const DragUpdateOptions& options,
                                     const DragUpdateObserver& observer = {}, const DragStopCheck& shouldStop = {});

}  // namespace latentshop
