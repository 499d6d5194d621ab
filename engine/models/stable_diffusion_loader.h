// Loading whole SD 1.x models, strictly, from
//  - a diffusers folder: model_index.json + unet/ vae/ text_encoder/ tokenizer/ scheduler/, weights
//    `diffusion_pytorch_model.safetensors` / `model.safetensors`, their `*.fp16.safetensors`
//    variants and sharded `*.safetensors.index.json` (engine/io/model_files.h);
//  - a single-file `.safetensors` checkpoint in the original CompVis layout, mapped by
//    engine/io/checkpoint_key_mapping.h with SD 1.5's configs (engine/io/sd15_reference_configs.h)
//    and the UNet's in_channels read from its conv_in weight; the tokenizer comes from
//    ModelLoadOptions::clipVocab or $LATENTSHOP_CLIP_VOCAB (single files carry none).
// Pickle files (.ckpt/.bin/.pt) are refused with a message asking for a safetensors conversion.
// Networks are built with uninitialised parameters in the compute dtype on the target device and
// filled tensor by tensor from the memory-mapped files (converted on the fly: never two copies of
// the weights). Every fault names the file and lists missing keys, unexpected keys and shape
// mismatches (engine/io/state_dict.h).
// Reference: huggingface/diffusers DiffusionPipeline.from_pretrained (pipeline_utils.py),
// ModelMixin.from_pretrained (modeling_utils.py), from_single_file (convert_from_ckpt.py).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/device.h"
#include "engine/io/state_dict.h"
#include "engine/models/stable_diffusion_model.h"

namespace latentshop {

class JobContext;
class ModelCache;

struct ModelLoadOptions {
  c10::Device device = c10::Device(c10::kCPU);
  c10::ScalarType dtype = c10::kFloat;  // fp32 on CPU (bf16 optional), fp16 on CUDA
  // Read the *.fp16.safetensors variants when present. Unset: only when computing in fp16. Either
  // way a component whose only weights are the fp16 variant uses them.
  std::optional<bool> preferFp16Weights;
  // Tokenizer for single-file checkpoints: bpe_simple_vocab_16e6.txt.gz, a vocab.json or a
  // tokenizer/ folder. Empty: $LATENTSHOP_CLIP_VOCAB. Diffusers folders use their tokenizer/.
  std::string clipVocab;
  // Which parts to load (all by default).
  bool tokenizer = true, textEncoder = true, unet = true, vae = true;
  // Single-file checkpoints: configs to use instead of SD 1.5's (diffusers/transformers config.json
  // contents). The UNet's in_channels still comes from the file's conv_in weight.
  std::optional<nlohmann::json> singleFileUnetConfig, singleFileVaeConfig, singleFileTextEncoderConfig;

  // device/dtype from a ComputeTarget (defaultComputeTarget(): CUDA fp16 when available, else CPU fp32).
  static ModelLoadOptions forTarget(const ComputeTarget& target);
  bool wantFp16Weights() const { return preferFp16Weights.value_or(dtype == c10::kHalf); }
};

// Called after each component: (component name, components done, components in total).
using LoadProgress = std::function<void(const std::string& component, int done, int total)>;

std::shared_ptr<StableDiffusionModel> loadStableDiffusion(const std::string& path, const ModelLoadOptions& options,
                                                          const LoadProgress& progress = {});

// The ModelCache key: canonical path + parts + dtype + device + weight variant.
std::string modelCacheKey(const std::string& path, const ModelLoadOptions& options);
// Returns the cached model (kind "model") or loads and caches it.
std::shared_ptr<StableDiffusionModel> loadStableDiffusionCached(ModelCache& cache, const std::string& path,
                                                                const ModelLoadOptions& options,
                                                                const LoadProgress& progress = {});
// Inside a job: reuses job.models(), else loads with a "Loading model" stage (one step per
// component; cancel is honoured between components).
std::shared_ptr<StableDiffusionModel> loadStableDiffusion(JobContext& job, const std::string& path,
                                                          const ModelLoadOptions& options);

// Checks a model without loading it: builds each network with untouched storage and compares the
// file's keys and shapes (no tensor data read). For model pickers and compatibility checks.
struct ComponentCheck {
  std::string component;  // "unet", "vae", "text_encoder"
  std::string source;     // file (or index) read
  BindReport report;
};
struct ModelInspection {
  std::string format;  // "diffusers" or "single-file"
  UnetKind unetKind = UnetKind::Plain;
  std::vector<ComponentCheck> components;
  bool ok() const;
  std::string describe() const;  // "unet (…/x.safetensors): 3 missing keys: …" per faulty component
};
ModelInspection inspectStableDiffusion(const std::string& path, const ModelLoadOptions& options = {});

}  // namespace latentshop
