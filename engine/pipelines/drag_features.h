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

// DragDiffusion's layer choices are SD 1.5's: features of up_blocks[2] (index 3: the last up block
// that upsamples, at the latent's resolution) and mutual self-attention in transformer blocks
// [10, 16) of 16. On a UNet of another depth (e.g. the 2-level demo UNet) they map to the same
// place: index 3 → the last upsampling up block (number of up blocks − 1), start layer s of 16 →
// round(s · L / 16) of the UNet's L transformer blocks. Other feature indices the UNet has, and any
// choice on a 4-up-block / 16-block UNet, are kept as they are.
struct DragLayers {
  int64_t featureLayer = 3, startLayer = 10, layerCount = 16;
};
DragLayers dragLayersFor(const UNet2DConditionModelImpl& unet, int64_t featureLayer, int64_t startLayer);

}  // namespace latentshop
