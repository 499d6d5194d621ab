// Where trained drag LoRAs are kept so a second drag on the same image, prompt and model does not
// train again: in the engine's ModelCache (kind "drag.lora", the newest few in memory) and as
// safetensors files in a cache folder (diffusers' LoRA layout with the "unet." prefix, loadable
// by loadUNetLoraFile and by diffusers' load_attn_procs).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "engine/io/state_dict.h"
#include "engine/pipelines/drag_lora.h"
#include "engine/pipelines/drag_request.h"  // defaultDragLoraCacheDir()

namespace latentshop {

class ModelCache;

// 16 hex digits identifying (training image pixels, prompt, model, training options).
std::string dragLoraCacheKey(const cv::Mat& image, const std::string& prompt, const std::string& modelKey,
                             const DragLoraOptions& options);

class DragLoraCache {
public:
  // `directory` empty: memory only. `maxFiles`: the oldest files beyond this are deleted on store.
  DragLoraCache(ModelCache& memory, std::string directory, std::size_t maxFiles = 32);

  // The weights for `key`, from memory or disk (a file that cannot be read is ignored and removed).
  std::shared_ptr<const StateDict> find(const std::string& key);
  // Keeps the weights in memory and writes them to the folder (write errors are logged, not thrown).
  void store(const std::string& key, const StateDict& weights);
  std::string filePath(const std::string& key) const;  // "" without a folder
  const std::string& directory() const { return directory_; }

private:
  void prune() const;
  ModelCache& memory_;
  std::string directory_;
  std::size_t maxFiles_;
};

}  // namespace latentshop
