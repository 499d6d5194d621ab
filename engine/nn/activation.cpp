#include "engine/nn/activation.h"

#include "engine/core/error.h"

namespace latentshop::nn {

Activation parseActivation(const std::string& name, const std::string& what) {
  if (name == "silu" || name == "swish") return Activation::SiLU;
  if (name == "mish") return Activation::Mish;
  if (name == "gelu") return Activation::GELU;
  if (name == "relu") return Activation::ReLU;
  throw Error(what + ": unknown activation '" + name + "' (expected silu, swish, mish, gelu or relu)");
}

torch::Tensor applyActivation(Activation a, torch::Tensor x, bool inplace) {
  switch (a) {
    case Activation::SiLU: return inplace ? at::silu_(x) : at::silu(x);
    case Activation::Mish: return inplace ? at::mish_(x) : at::mish(x);
    case Activation::GELU: return at::gelu(x);
    case Activation::ReLU: return inplace ? at::relu_(x) : at::relu(x);
  }
  return x;
}

}  // namespace latentshop::nn
