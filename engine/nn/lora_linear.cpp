#include "engine/nn/lora_linear.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/nn/basic_layers.h"

namespace latentshop::nn {

namespace {

// Rows (batch × tokens) from which the oneDNN 1×1-convolution path pays off over BLAS.
constexpr int64_t kConvPathMinRows = 64;

std::string shapeText(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

torch::Tensor moved(const torch::Tensor& t, const std::function<torch::Tensor(const torch::Tensor&)>& f) {
  if (!t.defined()) return t;
  torch::NoGradGuard noGrad;
  const bool grad = t.requires_grad();
  auto out = f(t.detach());
  if (grad) out.requires_grad_(true);
  return out;
}

}  // namespace

torch::Tensor fastLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  const auto dt = x.scalar_type();
  if (x.dim() == 3 && x.device().is_cpu() && at::hasMKLDNN() && (dt == at::kFloat || dt == at::kBFloat16) &&
      weight.scalar_type() == dt && x.is_contiguous() && x.size(0) * x.size(1) >= kConvPathMinRows) {
    const int64_t b = x.size(0), n = x.size(1), c = x.size(2), o = weight.size(0);
    // [B, N, C] row-major is exactly a channels-last [B, C, N, 1] image.
    auto image = x.view({b, n, 1, c}).permute({0, 3, 1, 2});
    auto y = at::conv2d(image, weight.view({o, c, 1, 1}), bias);  // channels-last [B, O, N, 1]
    return y.permute({0, 2, 3, 1}).reshape({b, n, o});
  }
  return at::linear(x, weight, bias);
}

LoraLinearImpl::LoraLinearImpl(int64_t in, int64_t out, bool withBias, const torch::TensorOptions& options)
    : inFeatures(in), outFeatures(out) {
  weight = registerEmptyParameter(*this, "weight", {out, in}, options);
  if (withBias) bias = registerEmptyParameter(*this, "bias", {out}, options);
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x) const {
  auto y = fastLinear(x, weight, bias);
  if (loraEnabled && loraDown_.defined() && loraScale != 0.0) {
    const auto dtype = loraDown_.scalar_type();
    auto delta = at::linear(at::linear(x.to(dtype), loraDown_), loraUp_).to(y.scalar_type());
    if (inplaceAllowed()) {
      y.add_(delta, loraScale);
    } else {
      y = y.add(delta, loraScale);
    }
  }
  return y;
}

void LoraLinearImpl::setLora(torch::Tensor down, torch::Tensor up) {
  const std::string where = path().empty() ? std::string("linear") : path();
  if (down.dim() != 2 || up.dim() != 2 || down.size(1) != inFeatures || up.size(0) != outFeatures ||
      up.size(1) != down.size(0)) {
    throw Error(where + ": LoRA shapes down " + shapeText(down) + " / up " + shapeText(up) +
                " do not fit a Linear(" + std::to_string(inFeatures) + ", " + std::to_string(outFeatures) +
                ") (expected down [r, " + std::to_string(inFeatures) + "], up [" + std::to_string(outFeatures) +
                ", r])");
  }
  if (down.scalar_type() != up.scalar_type() || down.device() != up.device())
    throw Error(where + ": LoRA down and up weights differ in dtype or device");
  loraDown_ = std::move(down);
  loraUp_ = std::move(up);
}

void LoraLinearImpl::initLora(int64_t rank, const torch::TensorOptions& options, bool requiresGrad,
                              c10::optional<at::Generator> generator) {
  if (rank <= 0) throw Error((path().empty() ? std::string("linear") : path()) + ": LoRA rank must be positive");
  torch::NoGradGuard noGrad;
  auto opts = options.dtype(options.has_dtype() ? options.dtype() : weight.dtype())
                  .device(options.has_device() ? options.device() : weight.device())
                  .requires_grad(false);
  auto down = torch::empty({rank, inFeatures}, opts);
  down.normal_(0.0, 1.0 / static_cast<double>(rank), generator);
  auto up = torch::zeros({outFeatures, rank}, opts);
  if (requiresGrad) {
    down.requires_grad_(true);
    up.requires_grad_(true);
  }
  setLora(down, up);
}

void LoraLinearImpl::clearLora() {
  loraDown_ = torch::Tensor();
  loraUp_ = torch::Tensor();
}

void LoraLinearImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  auto f = [&](const torch::Tensor& t) { return t.to(device, dtype, non_blocking); };
  loraDown_ = moved(loraDown_, f);
  loraUp_ = moved(loraUp_, f);
}

void LoraLinearImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  auto f = [&](const torch::Tensor& t) { return t.to(dtype, non_blocking); };
  loraDown_ = moved(loraDown_, f);
  loraUp_ = moved(loraUp_, f);
}

void LoraLinearImpl::to(torch::Device device, bool non_blocking) {
  torch::nn::Module::to(device, non_blocking);
  auto f = [&](const torch::Tensor& t) { return t.to(device, non_blocking); };
  loraDown_ = moved(loraDown_, f);
  loraUp_ = moved(loraUp_, f);
}

}  // namespace latentshop::nn
