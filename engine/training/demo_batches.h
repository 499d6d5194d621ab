// Training batches for the demo models, drawn from the procedural scenes (demo_scenes.h): images as
// float32 [B, 3, S, S] in [-1, 1] (diffusers' VaeImageProcessor normalisation), masks [B, 1, S, S]
// of 0/1, captions and instructions as strings. One std::mt19937_64 per batch, seeded by the caller
// from (seed, step), makes every batch reproducible.
#pragma once
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "engine/training/demo_scenes.h"

namespace latentshop::training {

// RGB CV_8UC3 images (all `size`×`size`) → [B, 3, S, S] in [-1, 1].
torch::Tensor imagesToTensor(const std::vector<cv::Mat>& images);

// VAE: scenes and plain photo crops (one in six).
torch::Tensor vaeBatch(std::mt19937_64& rng, const PhotoPool& photos, int size, int batch);

struct CaptionedBatch {
  torch::Tensor images;
  std::vector<std::string> captions;  // 10 % empty (classifier-free guidance)
};
// Text-to-image: scenes with their captions, sometimes without the background part.
CaptionedBatch captionedBatch(std::mt19937_64& rng, const PhotoPool& photos, int size, int batch);

struct InpaintBatch {
  torch::Tensor images;  // the target
  torch::Tensor masks;   // 1 = repaint
  std::vector<std::string> captions;
};
// Inpainting: a mask over a shape (caption names it, or the shape is removed from the target and
// the caption names what is left), a random rectangle or ellipse, or the whole image.
InpaintBatch inpaintBatch(std::mt19937_64& rng, const PhotoPool& photos, int size, int batch);

struct InstructBatch {
  torch::Tensor before, after;
  std::vector<std::string> instructions;
};
InstructBatch instructBatch(std::mt19937_64& rng, const PhotoPool& photos, int size, int batch);

}  // namespace latentshop::training
