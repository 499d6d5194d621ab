// Finding and opening a model component's weights the way diffusers/transformers name them:
// `<base>.safetensors`, the `<base>.fp16.safetensors` variant, and sharded weights listed by
// `<base>.safetensors.index.json` (`weight_map`: tensor → shard file; variant indexes are
// `<base>.safetensors.index.fp16.json`). Pickle files (.bin, .ckpt, .pt, .pth, .pkl) are never
// opened: no code from a file is ever executed; the error tells the user to convert to safetensors.
// Reference: huggingface/diffusers src/diffusers/models/modeling_utils.py (_get_model_file,
// variant handling), src/diffusers/utils/constants.py (file names), transformers sharded checkpoints.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/io/safetensors.h"
#include "engine/io/state_dict.h"

namespace latentshop {

// "diffusion_pytorch_model" (UNet, VAE) or "model" (transformers' text encoder).
inline constexpr const char* kDiffusersWeightsName = "diffusion_pytorch_model";
inline constexpr const char* kTransformersWeightsName = "model";

struct WeightFiles {
  std::vector<std::string> files;  // safetensors files to read (one, or every shard)
  std::string index;               // the .index.json for sharded weights, else empty
  bool fp16Variant = false;        // the *.fp16.* files were chosen
  // For messages: the single file, or the index.
  const std::string& describe() const { return index.empty() ? files.front() : index; }
};

// Picks the weights of a component folder. With preferFp16 the fp16 variant is taken when it
// exists; otherwise the full-precision file, falling back to the fp16 variant when it is the only
// one. Single files win over sharded indexes of the same variant. Throws Error naming the folder
// and what is missing, or naming a pickle file and asking for a safetensors conversion.
WeightFiles locateWeights(const std::string& componentDir, const std::string& baseName, bool preferFp16);

// Throws Error("<path>: ... convert it to safetensors ...") when `path` is a pickle checkpoint
// (by extension or by its zip/pickle magic bytes).
void refusePickle(const std::string& path);
bool looksLikePickle(const std::string& path);

// Opened weights: zero-copy views over the memory-mapped file(s). The views keep the mappings
// alive, so the StateDict can outlive this object.
class WeightSet {
public:
  static WeightSet open(const WeightFiles& files);
  static WeightSet openFile(const std::string& safetensorsPath);

  const StateDict& tensors() const { return tensors_; }
  StateDict& tensors() { return tensors_; }
  const std::string& source() const { return source_; }  // file (or index) named in errors
  // Total bytes of tensor data.
  std::uint64_t bytes() const;

private:
  std::string source_;
  StateDict tensors_;
};

}  // namespace latentshop
