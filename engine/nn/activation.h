// Activation functions by their diffusers names (diffusers/src/diffusers/models/activations.py,
// get_activation): "silu"/"swish", "mish", "gelu", "relu".
#pragma once
#include <string>

#include <torch/torch.h>

namespace latentshop::nn {

enum class Activation { SiLU, Mish, GELU, ReLU };

// Throws latentshop::Error("<what>: unknown activation '<name>' (expected silu, swish, mish, gelu or relu)").
Activation parseActivation(const std::string& name, const std::string& what);

// Applies the activation; in place on `x` when `inplace` is true (x must be a temporary the caller owns).
torch::Tensor applyActivation(Activation a, torch::Tensor x, bool inplace);

}  // namespace latentshop::nn
