// A Linear layer (torch.nn.Linear's parameter names: weight [out, in], bias [out]) that can carry an
// optional rank-r LoRA: y = W x + b + scale · up(down(x)), with down = Linear(in, r, no bias) and
// up = Linear(r, out, no bias), computed in the LoRA weights' dtype and cast back (diffusers
// LoRACompatibleLinear + LoRALinearLayer, diffusers/src/diffusers/models/lora.py).
//
// The LoRA weights are NOT registered parameters: state-dict binding of the base model, parameters()
// and named_parameters() never see them. List, save and load them through engine/models/unet_lora.h
// (keys "<module path>.lora.down.weight" / ".lora.up.weight", as DragDiffusion's train_lora writes).
//
// On CPU, 3-D inputs with many rows run as a 1×1 convolution over a channels-last view of the same
// memory (oneDNN) instead of BLAS: no copies, same result within float rounding, ~1.7× faster here.
#pragma once
#include <cstdint>

#include <torch/torch.h>

#include "engine/nn/module_base.h"

namespace latentshop::nn {

class LoraLinearImpl : public PathedModule {
public:
  LoraLinearImpl(int64_t in, int64_t out, bool bias, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;

  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out] or undefined
  int64_t inFeatures, outFeatures;

  // ---- LoRA ----
  bool hasLora() const { return loraDown_.defined(); }
  int64_t loraRank() const { return hasLora() ? loraDown_.size(0) : 0; }
  // Installs given weights (down [r, in], up [out, r]); throws latentshop::Error naming the path on a
  // shape mismatch. The tensors are used as given (same storage): a caller training them keeps them.
  void setLora(torch::Tensor down, torch::Tensor up);
  // New LoRA of `rank` like train_lora: down ~ N(0, (1/rank)²), up = 0; dtype/device from `options`
  // (default: the base weight's); `requiresGrad` makes them trainable leaves.
  void initLora(int64_t rank, const torch::TensorOptions& options, bool requiresGrad,
                c10::optional<at::Generator> generator = c10::nullopt);
  void clearLora();
  const torch::Tensor& loraDown() const { return loraDown_; }
  const torch::Tensor& loraUp() const { return loraUp_; }
  double loraScale = 1.0;   // cross_attention_kwargs["scale"]
  bool loraEnabled = true;  // when false the layer is the plain base Linear

  // Module::to also moves/converts the LoRA weights (they are not registered).
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, bool non_blocking = false) override;

private:
  torch::Tensor loraDown_, loraUp_;
};
TORCH_MODULE(LoraLinear);

// y = x Wᵀ + b for x [..., in]; uses the 1×1-convolution path described above when it applies.
torch::Tensor fastLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace latentshop::nn
