// DragDiffusion's point tracking and motion supervision on UNet decoder features.
// Reference: Yujun-Shi/DragDiffusion utils/drag_utils.py (ebe659a): point_tracking,
// check_handle_reach_target, interpolate_feature_patch and the loss inside drag_diffusion_update.
//
// Points are float32 tensors [N, 2] of [row, col] on the feature grid (the "sup_res" grid, half the
// working image size), as the reference keeps them. Features are [1, C, H, W].
#pragma once
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace latentshop {

// point_tracking: for each handle, the position inside the (2 rP + 1)² window around the current
// handle (clipped at the borders) whose F1 feature is nearest in L1 to the original handle's F0
// feature. Ties go to the first position in row-major order (torch.argmin). Returns new [N, 2].
torch::Tensor trackHandlePoints(const torch::Tensor& F0, const torch::Tensor& F1, const torch::Tensor& handles,
                                const torch::Tensor& handlesInit, int64_t rP);

// check_handle_reach_target: every handle strictly closer than 2.0 to its target.
bool handlesReachedTargets(const torch::Tensor& handles, const torch::Tensor& targets);

// interpolate_feature_patch: the bilinear sample of `feat` at rows y1 .. y2 and cols x1 .. x2 (0-d
// float32 tensors, y2 - y1 and x2 - x1 integral), one unit apart. Rows/cols that fall outside the
// feature map take the nearest border value (the reference's slicing fails there instead).
torch::Tensor interpolateFeaturePatch(const torch::Tensor& feat, const torch::Tensor& y1, const torch::Tensor& y2,
                                      const torch::Tensor& x1, const torch::Tensor& x2);

struct MotionSupervisionLoss {
  torch::Tensor total;                // 0-d; the sum of `terms` (undefined when nothing moves)
  std::vector<torch::Tensor> terms;   // per point: (2 rM + 1)² · L1(patch, shifted patch); 0 when skipped
};

// The motion-supervision part of the loss: each handle farther than 2 from its target pulls its
// (2 rM + 1)² patch of F1 (detached) one unit step along the direction to the target, comparing
// with the bilinearly shifted patch. Handles within 2 of their target are skipped.
MotionSupervisionLoss motionSupervisionLoss(const torch::Tensor& F1, const torch::Tensor& handles,
                                            const torch::Tensor& targets, int64_t rM);

}  // namespace latentshop
