// Base of the diffusers-mirroring modules: each knows its dotted path inside the model it belongs to
// ("down_blocks.1.attentions.0.transformer_blocks.0.attn1"), which is what the forward hooks report.
// Paths are assigned once, after a model is built, from the registered submodule names
// (assignModulePaths), so they always equal the state-dict prefixes.
#pragma once
#include <string>

#include <torch/torch.h>

namespace latentshop::nn {

class PathedModule : public torch::nn::Module {
public:
  const std::string& path() const { return path_; }
  void setPath(std::string path) { path_ = std::move(path); }

private:
  std::string path_;
};

// Sets the path of every PathedModule below `root` to its registered dotted name (relative to root).
void assignModulePaths(torch::nn::Module& root);

// In-place activations and adds are used only where no autograd graph can be recorded (InferenceMode
// or NoGradGuard); with grad mode on (LoRA training, DragDiffusion's motion supervision) the forward is
// purely functional.
inline bool inplaceAllowed() { return !at::GradMode::is_enabled(); }

}  // namespace latentshop::nn
