// Progress, live previews and cancel for the SD editing jobs: one "Denoising" stage with a step per
// scheduler step (the JobContext computes elapsed time and ETA), and after every step the x0
// prediction decoded by the preview decoder (linear latent→RGB, or TAESD when configured) and sent
// as the job's preview over the part of the document the edit covers. Cancel is checked after
// every step (JobContext::progress throws JobCancelled). Preview decoders are kept in the job's
// model cache (kind "preview"), so TAESD is loaded once.
// Preview budget: a preview may cost at most kPreviewBudget (5 %) of a step. The linear projection
// is far below it; when a TAESD preview measures above it, later previews decode the x0 latents
// average-pooled by 2 (then 4), a quarter (a sixteenth) of the work, shown at the same size.
// Reference for the preview itself: engine/pipelines/latent_preview.h (ComfyUI's latent_preview.py).
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "engine/pipelines/latent_preview.h"
#include "engine/pipelines/sd_pipeline_common.h"

namespace latentshop {

class JobContext;

// The cached preview decoder for `taesdPath` on `device`; with no TAESD, the model's own `vae` when
// it is cheap enough (vaeCheapEnoughToPreview: the demo models), else the linear projection.
std::shared_ptr<PreviewDecoder> previewDecoderFor(JobContext& context, const std::string& taesdPath,
                                                  torch::Device device, const AutoencoderKL& vae = nullptr);

class SdStepReporter {
public:
  // `placement`: document pixels the preview covers; `previewSize`: the size it is decoded at (the
  // working size; the canvas scales it to the placement).
  SdStepReporter(JobContext& context, std::shared_ptr<PreviewDecoder> decoder, cv::Rect placement, cv::Size previewSize);

  // Starts the "Denoising" stage of `total` steps.
  void begin(int total);
  // The observer for runInpaintDenoise / runInstructDenoise.
  StepObserver observer();
  // Seconds spent decoding previews, and steps reported (for logs and the benchmark).
  double previewSeconds() const { return previewSeconds_; }
  int steps() const { return steps_; }
  // 1, 2 or 4: the latent pooling the budget currently asks for.
  int previewStride() const { return stride_; }
  static constexpr double kPreviewBudget = 0.05;

private:
  JobContext& context_;
  std::shared_ptr<PreviewDecoder> decoder_;
  cv::Rect placement_;
  cv::Size previewSize_;
  double previewSeconds_ = 0;
  int steps_ = 0;
  int stride_ = 1;
  std::chrono::steady_clock::time_point lastEnd_;
};

}  // namespace latentshop
