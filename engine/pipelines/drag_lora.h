// DragDiffusion's LoRA fine-tuning on the image being edited: a rank-r LoRA on to_q/to_k/to_v/
// to_out.0 of every attention module, trained with the diffusion ε-MSE loss (v-MSE for
// v-prediction models) at random timesteps, latents = VAE posterior sample · scaling factor of a
// random square crop of the image resized so its short side is `trainSize`, noised with the model's
// training schedule (DDPM add_noise), AdamW (lr 5e-4, betas 0.9/0.999, weight decay 1e-2, eps 1e-8),
// constant learning rate.
// Reference: Yujun-Shi/DragDiffusion utils/lora_utils.py (train_lora, ebe659a).
//
// Differences (documented in the report): float32 training (the reference trains in fp16 under
// accelerate), our RNG instead of set_seed(0)'s Python/NumPy/torch streams, and the batch is
// accumulated one sample at a time (same gradient: the mean-reduced MSE over the whole batch).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "engine/io/state_dict.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/schedulers/ddim_scheduler.h"

namespace latentshop {

struct DragLoraOptions {
  int64_t steps = 80;       // lora_step
  double lr = 5e-4;         // lora_lr
  int64_t batchSize = 4;    // lora_batch_size
  int64_t rank = 16;        // lora_rank
  uint64_t seed = 0;        // LoRA init, crops, noise and timesteps
  int64_t trainSize = 512;  // Resize(trainSize) + RandomCrop(trainSize)
  int64_t microBatch = 1;   // samples per backward pass (memory); the gradient is the batch's
};

// After each step: (steps done, total, that step's loss). Return false to stop early. May throw.
using DragLoraProgress = std::function<bool(int64_t done, int64_t total, double loss)>;
// Called before every UNet pass (each micro-batch), e.g. to throw on cancel mid-step.
using DragLoraPoll = std::function<void()>;

struct DragLoraTraining {
  StateDict weights;            // CPU float32 copies, keys "<module>.<proj>.lora.<down|up>.weight"
  int64_t stepsRun = 0;
  std::vector<double> losses;
};

// Installs a fresh LoRA on `unet` (replacing any), trains it and leaves it installed (frozen: no
// longer requiring grad). `textEmbedding` [1, T, C]; `image` CV_8UC3 RGB; `noiseSchedule` supplies
// alphas_cumprod and prediction_type (the model's scheduler config).
DragLoraTraining trainDragLora(UNet2DConditionModelImpl& unet, AutoencoderKLImpl& vae, const DDIMScheduler& noiseSchedule,
                               const torch::Tensor& textEmbedding, const cv::Mat& image, const DragLoraOptions& options,
                               const DragLoraProgress& progress = {}, const DragLoraPoll& poll = {});

// The image as train_lora's transforms see it before the random crop: resized (bilinear, area
// when shrinking) so its short side is `trainSize`.
cv::Mat resizeShortSide(const cv::Mat& image, int64_t trainSize);

// RGB CV_8UC3 → [1, 3, H, W] float32 in [-1, 1] (ToTensor + Normalize(0.5, 0.5)).
torch::Tensor rgbToUnitTensor(const cv::Mat& image);

}  // namespace latentshop
