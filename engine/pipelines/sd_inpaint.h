// Diffusion inpainting of a photo: what the GUI's Stable Diffusion inpaint method and
// `latentshop-cli inpaint --model` run. Torch-free header (the UI builds requests).
//
// How a request is carried out (engine/pipelines/sd_inpaint.cpp):
//   1. load the model through the job's cache ("Loading model" stage) and check its kind:
//      9-channel inpainting UNets run diffusers' inpainting; plain 4-channel UNets run its
//      blended-latent branch (engine/pipelines/sd_inpaint_denoise.h);
//   2. geometry (sd_edit_geometry.h): the whole image fitted into the model's pixel budget, or
//      with cropToMask the mask's box + padding at the model's resolution;
//   3. encode prompt and negative prompt; draw the noise from torch's CPU generator seeded with
//      `seed` in diffusers' order (same seed + parameters = same result);
//   4. denoise ("Denoising" stage: one progress step per scheduler step, a live preview of the x0
//      prediction after each, cancel honoured between steps);
//   5. decode, resize back, and paste with alpha = the soft mask, at least the hard mask (>= 128)
//      feathered by featherPx: pixels where the alpha is 0 keep their value bit for bit.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "engine/pipelines/sd_model_check.h"
#include "engine/runtime/job.h"

namespace latentshop {

struct SdInpaintRequest {
  cv::Mat image;  // RGB CV_8UC3, any size
  cv::Mat mask;   // CV_8UC1, same size: 255 = repaint, soft values blend
  SdModelRef model;
  std::string prompt;
  std::string negativePrompt;
  int steps = 25;              // [1, 1000]
  double guidanceScale = 7.5;  // [0, 50]; <= 1 disables classifier-free guidance
  double strength = 1.0;       // (0, 1]
  uint64_t seed = 0;
  std::string scheduler = "default";  // sdSchedulerChoices() ids
  bool cropToMask = false;
  int padding = 32;    // crop to mask: pixels around the mask's box; [0, 1024]
  int featherPx = 8;   // soft edge outside the mask, pixels; [0, 256] (crop: at most `padding`)
  std::string taesdPath;  // live previews through TAESD when set (else the linear projection)
  // Content-aware pre-fill: the hole (mask > 127) is first filled with texture from around it
  // (PatchMatch, engine/pipelines/exemplar) instead of what the user painted over, so the model
  // starts from plausible surroundings; it matters with strength < 1 and with plain (blended)
  // models, whose start is the encoded image.
  bool prefill = false;
};

struct SdInpaintResult {
  cv::Rect placement;  // what changed: the alpha's support in the image
  cv::Mat rgba;        // CV_8UC4 over placement: RGB = generated pixels, A = paste alpha (0..255)
  cv::Mat composite;   // the full image with the edit pasted (RGB CV_8UC3)
  cv::Mat generated;   // the pipeline's own output at the working size (RGB)
  nlohmann::json params;
  std::string message;
};

// Throws Error naming the parameter when the request is unusable (sizes, types, ranges, empty mask).
void validate(const SdInpaintRequest& request);

// The parameters that reproduce the edit (keys as engine/io/project_edit.h and png_parameters.h
// read them): tool, method "inpaint", model, model_name, prompt, negative_prompt, steps,
// guidance_scale, strength, seed, scheduler, crop_to_mask, padding, feather, image_size. The run
// adds width/height (the working size), model_kind, variant ("sd-inpainting" / "sd-blended"),
// scheduler_class, dtype, device, region, preview.
nlohmann::json sdInpaintParams(const SdInpaintRequest& request);

// Runs the request inside a job (model cache, progress, previews, cancel). Throws Error for bad
// requests, wrong model kinds and load failures; JobCancelled on cancel.
SdInpaintResult runSdInpaint(const SdInpaintRequest& request, JobContext& context);

// A job for the engine queue (kind "inpaint.sd", supersedes queued jobs of its kind). Its
// JobResult.image is `rgba` over `placement`, params and message as above.
JobSpec makeSdInpaintJob(SdInpaintRequest request, JobCallbacks callbacks = {});

}  // namespace latentshop
