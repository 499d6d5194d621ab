#include "engine/pipelines/drag_features.h"

#include <algorithm>

#include <string>

#include "engine/core/error.h"

namespace latentshop {

int64_t decoderFeatureCount(const UNet2DConditionModelImpl& unet) {
  return static_cast<int64_t>(unet.upBlocks.size()) + (unet.mid_block ? 1 : 0);
}

DragFeatures forwardUnetFeatures(UNet2DConditionModelImpl& unet, const torch::Tensor& latent, int64_t timestep,
                                 const torch::Tensor& encoderHiddenStates, const std::vector<int64_t>& layerIdx,
                                 int64_t supH, int64_t supW) {
  const int64_t count = decoderFeatureCount(unet);
  if (layerIdx.empty()) throw Error("drag: no feature layer selected");
  for (auto idx : layerIdx)
    if (idx < 0 || idx >= count)
      throw Error("drag: feature layer " + std::to_string(idx) + " does not exist (the UNet has decoder features 0.." +
                  std::to_string(count - 1) + ": 0 = mid block, 1.. = up blocks)");
  UNetForwardOptions options;
  options.returnDecoderFeatures = true;
  auto out = unet.forward(latent, Timestep(timestep), encoderHiddenStates, options);
  DragFeatures result;
  result.unetOutput = out.sample;
  std::vector<torch::Tensor> resized;
  namespace F = torch::nn::functional;
  for (auto idx : layerIdx) {
    const auto& feat = out.decoderFeatures[static_cast<std::size_t>(idx)];
    result.rawFeatures.push_back(feat);
    resized.push_back(F::interpolate(feat, F::InterpolateFuncOptions()
                                               .size(std::vector<int64_t>{supH, supW})
                                               .mode(torch::kBilinear)
                                               .align_corners(false)));
  }
  result.features = resized.size() == 1 ? resized[0] : torch::cat(resized, 1);
  return result;
}

DragLayers dragLayersFor(const UNet2DConditionModelImpl& unet, int64_t featureLayer, int64_t startLayer) {
  DragLayers out;
  const auto upBlocks = static_cast<int64_t>(unet.upBlocks.size());
  const auto blocks = static_cast<int64_t>(unet.attentionModules().size() / 2);
  out.featureLayer = featureLayer;
  if (upBlocks != 4 && featureLayer == 3) out.featureLayer = std::max<int64_t>(1, upBlocks - 1);
  out.layerCount = blocks == 16 ? 16 : blocks;
  out.startLayer = blocks == 16 ? startLayer : (startLayer * blocks + 8) / 16;
  return out;
}

}  // namespace latentshop
