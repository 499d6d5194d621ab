// Conv2d, GroupNorm and LayerNorm with PyTorch's parameter names (weight, bias) whose parameters are
// created with torch::empty in the target dtype/device: building SD 1.5's UNet costs no random
// initialisation and no fp32 copy before a bf16 model exists. Weights come from a state dict
// (bindStateDict) or the caller fills them. Parameters do not require grad (frozen base weights;
// only LoRA layers are trained).
// Reference: torch.nn.Conv2d / GroupNorm / LayerNorm (forward semantics identical).
#pragma once
#include <cstdint>

#include <torch/torch.h>

namespace latentshop::nn {

// Which convolutions bypass at::conv2d. Auto: float32 CPU NCHW 3×3 layers with at least
// kWinogradMinInChannels inputs run Winograd F(2×2, 3×3) (engine/nn/winograd_conv.h; measured
// faster or equal, and without oneDNN's blocked-layout copies: bench_conv3x3), 1×1 layers one GEMM
// (engine/nn/cpu_gemm.h); Always: Winograd on every 3×3 layer it can compute (tests use it on tiny
// models). Direct: at::conv2d everywhere.
enum class ConvAlgorithm { Direct, Auto, Always };
inline constexpr int64_t kWinogradMinInChannels = 128;

class Conv2dImpl : public torch::nn::Module {
public:
  Conv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool bias,
             const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;
  // forward(upsample_nearest2d(x, ×2)); through Winograd without the 4× copy where it applies.
  torch::Tensor forwardUpsampled2x(const torch::Tensor& x) const;

  torch::Tensor weight;  // [out, in, k, k]
  torch::Tensor bias;    // [out] or undefined
  int64_t stride = 1;
  int64_t padding = 0;
  ConvAlgorithm algorithm = ConvAlgorithm::Direct;

private:
  // The transformed weight is made per call (milliseconds): caching it would hold 16/9 of the
  // weights again, +340 MiB for the SD VAE, and go stale when a LoRA is fused.
  bool useWinograd(const torch::Tensor& x) const;
};
TORCH_MODULE(Conv2d);

class GroupNormImpl : public torch::nn::Module {
public:
  GroupNormImpl(int64_t groups, int64_t channels, double eps, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;

  torch::Tensor weight, bias;  // [channels]
  int64_t groups;
  double eps;
};
TORCH_MODULE(GroupNorm);

class LayerNormImpl : public torch::nn::Module {
public:
  LayerNormImpl(int64_t dim, double eps, bool elementwiseAffine, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;

  torch::Tensor weight, bias;  // [dim] or undefined
  int64_t dim;
  double eps;
};
TORCH_MODULE(LayerNorm);

// Stores the weights of every Conv2d (kernel > 1) below `root` in `format`. With channels-last
// activations, channels-last weights spare oneDNN a weight copy on every call (3× on small maps).
// State-dict binding (copy_) and Module::to keep the layout.
void setConvWeightsMemoryFormat(torch::nn::Module& root, at::MemoryFormat format);

// Sets the algorithm of every Conv2d below `root`.
void setConvAlgorithm(torch::nn::Module& root, ConvAlgorithm algorithm);

// Registers an uninitialised parameter `name` of `shape` on `module` (requires_grad false).
torch::Tensor registerEmptyParameter(torch::nn::Module& module, const std::string& name,
                                     at::IntArrayRef shape, const torch::TensorOptions& options);

}  // namespace latentshop::nn
