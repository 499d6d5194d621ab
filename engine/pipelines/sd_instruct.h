// Instruction editing ("make it snowy") with an InstructPix2Pix model (or a fine-tune sharing its
// 8-channel UNet, e.g. MagicBrush): what the GUI's instruction box and `latentshop-cli instruct` run.
// Torch-free header (the UI builds requests).
//
// How a request is carried out (engine/pipelines/sd_instruct.cpp): the model is loaded through the
// job's cache and must be an instruct model; the image is processed at its own size (floored to a
// multiple of the VAE factor, 8) when it fits the model's pixel budget (512² for SD 1.5), else
// resized to fit that budget; the result is resized back to the image's size (the message and the
// parameters say which). Denoising follows diffusers' StableDiffusionInstructPix2PixPipeline
// (engine/pipelines/sd_instruct_denoise.h) with noise from torch's CPU generator seeded with
// `seed`, a progress step and live preview per step, cancel between steps.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "engine/pipelines/sd_model_check.h"
#include "engine/runtime/job.h"

namespace latentshop {

struct SdInstructRequest {
  cv::Mat image;  // RGB CV_8UC3, any size
  SdModelRef model;
  std::string instruction;
  std::string negativePrompt;  // usually empty
  int steps = 20;               // [1, 1000]
  double textGuidance = 7.5;    // guidance_scale, [0, 50]
  double imageGuidance = 1.5;   // image_guidance_scale, [0, 50]; guidance needs > 1 and >= 1
  uint64_t seed = 0;
  std::string scheduler = "default";  // sdSchedulerChoices() ids; the model's default is Euler a
  std::string taesdPath;              // live previews through TAESD when set
  // Optional region (CV_8UC1, image size, 255 = change): the edit is blended back through it,
  // feathered outward by featherPx, so pixels farther than that keep their values bit for bit.
  // Empty: the whole image changes (diffusers' pipeline as is).
  cv::Mat mask;
  int featherPx = 8;  // [0, 256]
};

struct SdInstructResult {
  cv::Mat image;      // RGB CV_8UC3 at the input's size
  cv::Mat generated;  // the pipeline's output at the working size
  nlohmann::json params;
  std::string message;
};

void validate(const SdInstructRequest& request);
// tool, method "instruct", model, model_name, instruction, negative_prompt, steps, guidance_scale,
// image_guidance_scale, seed, scheduler, image_size (+ masked, feather with a mask); the run adds width/height (working size),
// scheduler_class, geometry, dtype, device, preview.
nlohmann::json sdInstructParams(const SdInstructRequest& request);
SdInstructResult runSdInstruct(const SdInstructRequest& request, JobContext& context);
// Kind "instruct.sd" (supersedes queued jobs of its kind); JobResult.image covers the document.
JobSpec makeSdInstructJob(SdInstructRequest request, JobCallbacks callbacks = {});

}  // namespace latentshop
