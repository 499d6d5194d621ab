// DragDiffusion's UNet call with decoder features: the UNet output plus the selected decoder
// features (all_intermediate_features[idx]: 0 = mid block, 1 + i = up_blocks[i]) bilinearly resized
// (align_corners false) to the supervision grid and concatenated along channels.
// Reference: Yujun-Shi/DragDiffusion drag_pipeline.py (DragPipeline.forward_unet_features, ebe659a).
#pragma once
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "engine/models/unet_2d_condition.h"

namespace latentshop {

struct DragFeatures {
  torch::Tensor unetOutput;               // [B, 4, h, w]
  torch::Tensor features;                 // [B, sum C_idx, supH, supW]
  std::vector<torch::Tensor> rawFeatures; // the selected decoder features before resizing
};

// Differentiable when grad mode is on. Throws Error for a feature index the UNet does not have.
DragFeatures forwardUnetFeatures(UNet2DConditionModelImpl& unet, const torch::Tensor& latent, int64_t timestep,
                                 const torch::Tensor& encoderHiddenStates, const std::vector<int64_t>& layerIdx,
                                 int64_t supH, int64_t supW);

// Number of decoder feature maps the UNet returns (mid block + up blocks).
int64_t decoderFeatureCount(const UNet2DConditionModelImpl& unet);

}  // namespace latentshop
