// A DragDiffusion edit as the GUI and the CLI describe it: the image, handle → target points in
// document pixels (x, y), an optional movable region, the prompt, the model and the parameters.
// Torch-free: the UI includes it. The job that runs it is engine/pipelines/drag_job.h.
// Parameter defaults are DragDiffusion's UI defaults (Yujun-Shi/DragDiffusion drag_ui.py and
// utils/ui_utils.py run_drag / train_lora, ebe659a).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "engine/io/project.h"

namespace latentshop {

// The largest drag working size: the UNet's self-attention at 2048 px already takes several GiB.
inline constexpr int kMaxDragWorkingSize = 2048;

struct DragParams {
  // LoRA on the image (0 steps: no LoRA).
  int loraSteps = 80;
  double loraLr = 5e-4;
  int loraBatchSize = 4;
  int loraRank = 16;
  // Latent optimisation.
  int dragSteps = 80;              // n_pix_step: at most this many steps
  double inversionStrength = 0.7;  // inverts round(0.7 · 50) = 35 of 50 DDIM steps
  double latentLr = 0.01;          // Adam on the latent
  int featureLayer = 3;            // unet_feature_idx: 0 = mid block, 1 + i = up_blocks[i]
  double lam = 0.1;                // weight of the "keep outside the movable region" term
  int rM = 1;                      // motion-supervision patch radius (grid cells)
  int rP = 3;                      // point-tracking search radius (grid cells)
  // Denoising.
  int inferenceSteps = 50;
  int startStep = 0;               // mutual self-attention from this denoising step
  int startLayer = 10;             // ... in transformer blocks [startLayer, 16)
  std::uint64_t seed = 0;          // LoRA training randomness
  // Geometry. 0 / -1: automatic (model resolution; grow/feather from the crop size).
  int workingSize = 0;             // long side of the work image in pixels
  int pasteGrowPx = -1;            // the movable region is grown by this before pasting back
  int pasteFeatherPx = -1;         // soft edge of the paste, pixels

  // Throws Error naming the first bad parameter and its range.
  void validate() const;
  nlohmann::json toJson() const;
};

struct DragRequest {
  cv::Mat image;                   // CV_8UC3 RGB, document size
  cv::Mat mask;                    // CV_8UC1 document size, non-zero = may move; empty: everything may
  std::vector<DragPoint> points;   // handle → target pairs, document pixels (x, y)
  std::string prompt;              // describes the image (LoRA and all UNet calls)
  std::string modelPath;           // diffusers folder or single-file SD 1.x checkpoint
  DragParams params;
  std::string device;              // "" = the default compute target ($LATENTSHOP_DEVICE, CUDA, CPU)
  std::string dtype;               // "" = the target's default
  std::string loraCacheDir;        // folder of cached LoRAs ("" = memory only)
  std::string loraFile;            // use this LoRA file instead of training one
  std::string saveLoraFile;        // also save the LoRA used to this file
  std::string taesdPath;           // TAESD for previews ("" = linear latent projection)
  std::string sourcePath;          // the image's file, for the parameters
};

// The folder for cached drag LoRAs shared by the GUI and the CLI: $LATENTSHOP_CACHE_DIR/drag-lora,
// else $XDG_CACHE_HOME/latentshop/drag-lora, else ~/.cache/latentshop/drag-lora ("" when none is set).
std::string defaultDragLoraCacheDir();

// "x1,y1>x2,y2;x3,y3>x4,y4" (spaces allowed, numbers may have decimals) → pairs. Throws Error
// quoting the faulty pair for a malformed list and for an empty one.
std::vector<DragPoint> parseDragPoints(const std::string& text);
std::string formatDragPoints(const std::vector<DragPoint>& points);

// Throws Error for: no image or not RGB, no points, a point outside the image (naming it and the
// image size), a mask of another size or type, bad parameters, no model.
void validateDragRequest(const DragRequest& request);

}  // namespace latentshop
