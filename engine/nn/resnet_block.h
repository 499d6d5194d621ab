// diffusers' ResnetBlock2D (pre-norm, no up/down inside): norm1 → act → conv1 → (+ time_emb_proj(act(temb)))
// → norm2 → act → conv2, plus the input (through a 1×1 conv_shortcut when channels change), divided by
// output_scale_factor. time_embedding_norm "default" adds the projected embedding before norm2;
// "scale_shift" applies norm2(h)·(1 + scale) + shift. Recorded sub-outputs: norm1, conv1,
// time_emb_proj, norm2, conv2, conv_shortcut.
// Reference: diffusers/src/diffusers/models/resnet.py (ResnetBlock2D).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "engine/nn/activation.h"
#include "engine/nn/basic_layers.h"
#include "engine/nn/forward_hooks.h"
#include "engine/nn/lora_linear.h"
#include "engine/nn/module_base.h"

namespace latentshop::nn {

enum class TimeEmbeddingNorm { Default, ScaleShift };

struct ResnetBlock2DOptions {
  int64_t inChannels = 0;
  int64_t outChannels = 0;
  std::optional<int64_t> tembChannels;  // absent: no time_emb_proj (VAE)
  double eps = 1e-6;
  int64_t groups = 32;
  Activation act = Activation::SiLU;
  TimeEmbeddingNorm timeEmbeddingNorm = TimeEmbeddingNorm::Default;
  double outputScaleFactor = 1.0;
};

class ResnetBlock2DImpl : public PathedModule {
public:
  ResnetBlock2DImpl(const ResnetBlock2DOptions& options, const torch::TensorOptions& t);
  // temb [B, tembChannels] (may be undefined when there is no time_emb_proj).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const ForwardHooks* hooks = nullptr);

  GroupNorm norm1{nullptr}, norm2{nullptr};
  Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
  LoraLinear time_emb_proj{nullptr};
  const ResnetBlock2DOptions& options() const { return options_; }

private:
  ResnetBlock2DOptions options_;
};
TORCH_MODULE(ResnetBlock2D);

}  // namespace latentshop::nn
