#include "engine/nn/basic_layers.h"

#include "engine/nn/cpu_gemm.h"
#include "engine/nn/winograd_conv.h"

namespace latentshop::nn {

torch::Tensor registerEmptyParameter(torch::nn::Module& module, const std::string& name,
                                     at::IntArrayRef shape, const torch::TensorOptions& options) {
  return module.register_parameter(name, torch::empty(shape, options.requires_grad(false)),
                                   /*requires_grad=*/false);
}

Conv2dImpl::Conv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride_, int64_t padding_,
                       bool withBias, const torch::TensorOptions& options)
    : stride(stride_), padding(padding_) {
  // On CPU the models compute channels-last (see setConvWeightsMemoryFormat): allocate the 3×3 weights
  // that way from the start instead of converting (and touching) them after construction.
  const bool cpu = !options.has_device() || options.device().is_cpu();
  const auto weightOptions = kernel > 1 && cpu ? options.memory_format(at::MemoryFormat::ChannelsLast) : options;
  weight = registerEmptyParameter(*this, "weight", {out, in, kernel, kernel}, weightOptions);
  if (withBias) bias = registerEmptyParameter(*this, "bias", {out}, options);
}

torch::Tensor Conv2dImpl::forward(const torch::Tensor& x) const {
  if (useWinograd(x)) return winogradConv3x3(x, winogradTransformWeight(weight), bias);
  if (algorithm != ConvAlgorithm::Direct && weight.size(2) == 1 && weight.size(3) == 1 && stride == 1 &&
      padding == 0 && x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == torch::kFloat &&
      weight.scalar_type() == torch::kFloat && x.is_contiguous() && !x.requires_grad())
    return pointwiseConv(x, weight, bias);  // NCHW 1×1: one GEMM, no oneDNN layout copies
  return at::conv2d(x, weight, bias, {stride, stride}, {padding, padding});
}

torch::Tensor Conv2dImpl::forwardUpsampled2x(const torch::Tensor& x) const {
  if (useWinograd(x)) return winogradConv3x3(x, winogradTransformWeight(weight), bias, /*upsample2x=*/true);
  return forward(at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}, 2.0, 2.0));
}

bool Conv2dImpl::useWinograd(const torch::Tensor& x) const {
  if (algorithm == ConvAlgorithm::Direct || !winogradApplies(x, weight, stride, padding)) return false;
  if (algorithm == ConvAlgorithm::Always) return true;
  return weight.size(1) >= kWinogradMinInChannels && !x.is_contiguous(at::MemoryFormat::ChannelsLast);
}

void setConvAlgorithm(torch::nn::Module& root, ConvAlgorithm algorithm) {
  if (auto* self = dynamic_cast<Conv2dImpl*>(&root)) self->algorithm = algorithm;
  for (const auto& m : root.modules(/*include_self=*/false))
    if (auto conv = std::dynamic_pointer_cast<Conv2dImpl>(m)) conv->algorithm = algorithm;
}

void setConvWeightsMemoryFormat(torch::nn::Module& root, at::MemoryFormat format) {
  torch::NoGradGuard noGrad;
  std::vector<std::shared_ptr<torch::nn::Module>> all = root.modules(/*include_self=*/false);
  for (const auto& m : all) {
    auto conv = std::dynamic_pointer_cast<Conv2dImpl>(m);
    if (!conv || conv->weight.size(2) * conv->weight.size(3) == 1) continue;
    if (!conv->weight.is_contiguous(format)) conv->weight.set_data(conv->weight.contiguous(format));
  }
}

GroupNormImpl::GroupNormImpl(int64_t groups_, int64_t channels, double eps_, const torch::TensorOptions& options)
    : groups(groups_), eps(eps_) {
  weight = registerEmptyParameter(*this, "weight", {channels}, options);
  bias = registerEmptyParameter(*this, "bias", {channels}, options);
}

torch::Tensor GroupNormImpl::forward(const torch::Tensor& x) const {
  return at::group_norm(x, groups, weight, bias, eps);
}

LayerNormImpl::LayerNormImpl(int64_t dim_, double eps_, bool elementwiseAffine, const torch::TensorOptions& options)
    : dim(dim_), eps(eps_) {
  if (elementwiseAffine) {
    weight = registerEmptyParameter(*this, "weight", {dim}, options);
    bias = registerEmptyParameter(*this, "bias", {dim}, options);
  }
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) const {
  return at::layer_norm(x, {dim}, weight, bias, eps);
}

}  // namespace latentshop::nn
