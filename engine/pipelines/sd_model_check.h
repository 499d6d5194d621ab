// Which Stable Diffusion model a tool runs with, and whether a file or folder is one it can use:
// the model picker validates a choice with checkStableDiffusionModel() (names what is missing or
// wrong, e.g. "unet (…/diffusion_pytorch_model.safetensors): 3 missing keys: …"), the pipelines and
// the CLI refuse a model of the wrong kind with kindProblem() ("… is an InstructPix2Pix model
// (8-channel UNet); inpainting needs …"). makeModelLoadJob() loads a model into the engine's cache
// as a job with a "Loading model" stage, so the first edit does not wait for it.
// Torch-free: the UI includes this header. Reference for the kinds: diffusers'
// StableDiffusionInpaintPipeline (9 or 4 UNet input channels) and
// StableDiffusionInstructPix2PixPipeline (8), pipelines/stable_diffusion/*.py (0.26.3).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "engine/runtime/job.h"

namespace latentshop {

// A model as the tools refer to it: a diffusers folder or a single-file .safetensors checkpoint,
// and how to compute with it.
struct SdModelRef {
  std::string path;
  // "" = the process default (CUDA fp16 when available, else CPU fp32; $LATENTSHOP_DEVICE /
  // $LATENTSHOP_DTYPE override), or "cpu" / "cuda" and "fp32" / "bf16" / "fp16".
  std::string device;
  std::string dtype;
  // Tokenizer for single-file checkpoints (bpe_simple_vocab_16e6.txt.gz, vocab.json or a
  // tokenizer/ folder); "" = $LATENTSHOP_CLIP_VOCAB. Diffusers folders carry their own.
  std::string clipVocab;
};

// The tools that run SD models and the UNet kinds each accepts.
enum class SdTool { Inpaint, Instruct, Drag };
const char* toString(SdTool tool);  // "inpaint", "instruct", "drag"

// "" when a UNet of `kind` ("plain", "inpainting", "instruct") suits `tool`, else a sentence for
// the user naming the model (`path`), its kind and what the tool needs:
//   inpaint:  inpainting (9-channel) or plain (4-channel, blended-latent inpainting)
//   instruct: instruct (8-channel InstructPix2Pix and its fine-tunes)
//   drag:     plain (4-channel)
std::string kindProblem(SdTool tool, const std::string& kind, const std::string& path);
// "SD 1.x inpainting (9-channel UNet)", "SD 1.x (4-channel UNet)", "InstructPix2Pix (8-channel UNet)"
std::string describeKind(const std::string& kind);

struct SdModelCheck {
  bool ok = false;      // every component present, keys and shapes as expected, tokenizer found
  std::string kind;     // "plain", "inpainting", "instruct"; "" when it could not be told
  std::string format;   // "diffusers" or "single-file"
  std::string message;  // "" when ok, else what is missing or wrong (names files and keys)
};

// Inspects without loading the weights (headers and configs only; the tokenizer is read). Never
// throws: problems are in `message`.
SdModelCheck checkStableDiffusionModel(const SdModelRef& model);

// The scheduler choices for menus and --scheduler: ("default", "Model default") first, then the
// concrete ones (id, label): ddim, euler, euler-karras, euler-a, dpmpp2m, dpmpp2m-karras.
std::vector<std::pair<std::string, std::string>> sdSchedulerChoices();

// A job (kind "model.load") that loads `model` into the engine's model cache with a
// "Loading model" stage (one step per component; cancel between components). Its result has no
// image; `message` says what was loaded. Fails with the loader's message.
JobSpec makeModelLoadJob(SdModelRef model, JobCallbacks callbacks = {});

}  // namespace latentshop
