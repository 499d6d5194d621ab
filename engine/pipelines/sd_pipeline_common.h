// What the SD editing pipelines (sd_inpaint, sd_instruct) share: model loading for a tool, the
// scheduler a run uses, prompt encoding, image/mask <-> tensor conversions exactly as diffusers'
// VaeImageProcessor does them, seeded noise like torch's CPU generator, and the per-step report.
// References (diffusers 0.26.3): image_processor.py (VaeImageProcessor.pil_to_numpy, normalize,
// binarize, postprocess/pt_to_numpy/numpy_to_pil), utils/torch_utils.py (randn_tensor),
// pipelines/stable_diffusion/pipeline_stable_diffusion.py (encode_prompt).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "engine/models/stable_diffusion_loader.h"
#include "engine/models/stable_diffusion_model.h"
#include "engine/pipelines/sd_model_check.h"
#include "engine/schedulers/scheduler.h"

namespace latentshop {

class JobContext;

// ---- Models -------------------------------------------------------------------------------------

// Device/dtype of `model` (process defaults where empty) and its tokenizer source.
ModelLoadOptions sdLoadOptions(const SdModelRef& model);
// Loads through the job's model cache (a "Loading model" stage when not cached).
std::shared_ptr<StableDiffusionModel> loadSdModel(JobContext& job, const SdModelRef& model);
std::string sdDtypeName(const StableDiffusionModel& model);  // "fp32", "bf16", "fp16"
// The folder's or file's name for messages and layer names ("stable-diffusion-inpainting").
std::string modelDisplayName(const std::string& path);

// Throws Error when a component the pipelines need was not loaded, or when the UNet's kind does
// not suit `tool` (kindProblem's sentence).
void requirePipelineModel(const StableDiffusionModel& model, SdTool tool);

// 2^(len(vae.block_out_channels) - 1): 8 for SD 1.x, 2 for the golden tiny VAE.
int64_t vaeScaleFactor(const StableDiffusionModel& model);
// The resolution the UNet was trained at: unet.sample_size * vaeScaleFactor (512 for SD 1.5);
// 512 when the config has no sample_size.
int64_t modelResolution(const StableDiffusionModel& model);

// ---- Scheduler ----------------------------------------------------------------------------------

struct PipelineScheduler {
  std::unique_ptr<Scheduler> scheduler;
  std::string choice;  // what was asked ("default", "ddim", ...)
  std::string used;    // the class that runs ("DDIMScheduler", ...)
  std::string note;    // why it differs from the model's config (e.g. an LMS default mapped), or ""
};
// The scheduler for a run: `choice` ("" / "default" = the model's scheduler_config.json class) via
// makeScheduler. A default the engine does not implement (LMSDiscreteScheduler, ...) is
// replaced by DPM++ 2M built from the same config (betas, spacing, offset kept), with a log line
// and `note` saying so.
PipelineScheduler makePipelineScheduler(const nlohmann::json& schedulerConfig, const std::string& choice,
                                        const std::string& source = "scheduler/scheduler_config.json");

// ---- Result parameters --------------------------------------------------------------------------

struct SdEditGeometry;
// Adds what a finished run actually used to its parameters: the model's kind, the scheduler class
// (and why it differs from the model's, when it does), the working size and geometry, dtype, device,
// the preview decoder, and where a prompt was truncated.
void addSdRunParams(nlohmann::json& params, const StableDiffusionModel& model, const PipelineScheduler& sched,
                    const SdEditGeometry& geometry, const std::string& taesdPath, bool promptTruncated);

// ---- Prompts ------------------------------------------------------------------------------------

struct EncodedPrompt {
  torch::Tensor embeddings;  // [1, 77, hidden] in the text encoder's dtype/device
  int numTokens = 0;         // tokens the text used (without bos/eos)
  bool truncated = false;    // more than 75 tokens: the rest was dropped (as diffusers does)
};
// encode_prompt for one prompt ("" for an empty negative prompt). Throws Error when a token id
// falls outside the text encoder's vocabulary (tokenizer and text encoder do not belong together).
EncodedPrompt encodeSdPrompt(const StableDiffusionModel& model, const std::string& prompt);

// ---- Images ------------------------------------------------------------------------------------

// RGB CV_8UC3 -> float32 [1, 3, H, W] in [0, 1] (pil_to_numpy: x / 255 in float32).
torch::Tensor rgbToTensor01(const cv::Mat& rgb);
// [0, 1] -> [-1, 1] as VaeImageProcessor.normalize (2x - 1); an image already below 0 is kept
// (diffusers skips normalising then, with a warning).
torch::Tensor normalizeImage(const torch::Tensor& image01);
// CV_8UC1 -> float32 [1, 1, H, W] in [0, 1] (x / 255).
torch::Tensor maskToTensor01(const cv::Mat& mask);
// VaeImageProcessor.binarize: 0 where < 0.5, 1 where >= 0.5.
torch::Tensor binarizeMaskTensor(const torch::Tensor& mask01);
// A decoded image [1, 3, H, W] (model range [-1, 1]) -> float32 NHWC (x / 2 + 0.5).clamp(0, 1),
// as postprocess(output_type="np").
torch::Tensor decodedToImageNp(const torch::Tensor& decoded);
// ... -> RGB CV_8UC3, (np * 255).round() as numpy_to_pil.
cv::Mat decodedToRgb(const torch::Tensor& decoded);

// ---- Randomness ---------------------------------------------------------------------------------

// torch.Generator().manual_seed(seed) on the CPU.
at::Generator makeCpuGenerator(uint64_t seed);
// randn_tensor(shape, generator, device, dtype) for a CPU generator: drawn on the CPU in float32
// (the numbers torch.randn gives for a float32 pipeline), then moved to `options`' device/dtype.
torch::Tensor seededNoise(at::Generator& generator, at::IntArrayRef shape, const torch::TensorOptions& options);
// A fresh random seed for "randomise" (0 .. 2^32 - 1, like A1111's seeds).
uint64_t randomSeed();

// ---- Per-step report ----------------------------------------------------------------------------

struct DenoiseStep {
  int index = 0;                // 0-based step just finished
  int total = 0;                // steps in this run (after strength)
  torch::Tensor timestep;       // 0-d
  torch::Tensor predOriginal;   // x0 prediction in UNet latent space [1, 4, h, w]
  torch::Tensor latents;        // latents after the step
};
// Called after every step on the computing thread; throw (e.g. JobCancelled) to abort the run.
using StepObserver = std::function<void(const DenoiseStep&)>;

}  // namespace latentshop
