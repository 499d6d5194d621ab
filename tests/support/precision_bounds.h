// Tolerances for low-precision (bf16 / fp16) results, derived from the dtype's machine epsilon and
// the magnitudes involved instead of fixed absolute numbers: a fixed bound passes or fails by the
// luck of the data and of the CPU's kernels (a bf16 attention bound of 0.05 failed at 0.0513 on an
// AVX2-only EPYC).
//
//   eps = torch.finfo(dtype).eps: bf16 2^-7 (8 significant bits), fp16 2^-10, fp32 2^-23.
//   Rounding x to the dtype (nearest even) moves it by at most eps/2 · |x| (half an ulp).
//   A result that went through `terms` independent roundings of about eps · magnitude each is off
//   by about eps · magnitude · sqrt(terms); `safety` covers the constant.
//
// Header-only and Qt-free (engine tests also build against testing.h's Qt-free runner).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <torch/torch.h>

#include "support/tensor_compare.h"

namespace lstest {

// torch.finfo(dtype).eps: the distance from 1 to the next representable value.
inline double dtypeEpsilon(torch::ScalarType dtype) {
  switch (dtype) {
    case c10::ScalarType::BFloat16:
      return static_cast<double>(static_cast<float>(std::numeric_limits<c10::BFloat16>::epsilon()));  // 2^-7
    case c10::ScalarType::Half:
      return static_cast<double>(static_cast<float>(std::numeric_limits<c10::Half>::epsilon()));  // 2^-10
    case c10::ScalarType::Float:
      return static_cast<double>(std::numeric_limits<float>::epsilon());  // 2^-23
    case c10::ScalarType::Double:
      return std::numeric_limits<double>::epsilon();  // 2^-52
    default:
      throw std::invalid_argument(std::string("dtypeEpsilon: not a floating-point dtype: ") + c10::toString(dtype));
  }
}

// eps(dtype) · magnitude · sqrt(terms) · safety. `magnitude` is the size of the values the roundings
// act on (e.g. max |reference|), `terms` the number of independent roundings that add up (e.g. the
// length of a dot product, or the blocks of a network). Multiply a magnitude tensor by
// lowPrecisionBound(dtype, 1.0, ...) for an elementwise bound.
inline double lowPrecisionBound(torch::ScalarType dtype, double magnitude, double terms = 1.0, double safety = 4.0) {
  return dtypeEpsilon(dtype) * magnitude * std::sqrt(terms) * safety;
}

// max |t| as a double (0 for an empty tensor).
inline double maxAbs(const torch::Tensor& t) {
  if (t.numel() == 0) return 0.0;
  return t.detach().to(torch::kCPU, torch::kFloat64).abs().max().item<double>();
}

// |actual - expected| <= bound elementwise, where `bound` is a tensor broadcastable to expected's
// shape (e.g. eps · a per-element magnitude); shapes equal, actual and bound finite. Compares in
// float64. The message names the largest |diff|, the worst element (its |diff| and its bound) and
// the largest |diff| / bound, for QVERIFY2.
inline Closeness withinBound(const torch::Tensor& actual, const torch::Tensor& expected, const torch::Tensor& bound,
                             const std::string& name = "tensor") {
  Closeness r;
  std::ostringstream msg;
  if (actual.sizes() != expected.sizes()) {
    msg << name << ": shape " << actual.sizes() << " != expected " << expected.sizes();
    r.message = msg.str();
    return r;
  }
  const auto a = actual.detach().to(torch::kCPU, torch::kFloat64);
  const auto e = expected.detach().to(torch::kCPU, torch::kFloat64);
  const auto b = bound.detach().to(torch::kCPU, torch::kFloat64).expand_as(e).contiguous();
  const auto diff = (a - e).abs();
  const auto excess = diff - b;
  const bool finite = a.isfinite().all().item<bool>() && b.isfinite().all().item<bool>();
  r.maxAbsDiff = diff.numel() ? diff.max().item<double>() : 0.0;
  const double worst = excess.numel() ? excess.max().item<double>() : -1.0;
  r.ok = finite && worst <= 0.0;
  msg << name << ": max|diff| " << r.maxAbsDiff;
  if (!finite) msg << " — actual or bound has non-finite values";
  if (diff.numel()) {
    const double ratio = (diff / b.clamp_min(std::numeric_limits<double>::min())).max().item<double>();
    const auto idx = excess.flatten().argmax().item<int64_t>();
    msg << ", bound " << b.min().item<double>() << " .. " << b.max().item<double>() << " (largest |diff|/bound "
        << ratio << "); worst at flat index " << idx << ": actual " << a.flatten()[idx].item<double>() << " expected "
        << e.flatten()[idx].item<double>() << " |diff| " << diff.flatten()[idx].item<double>() << " bound "
        << b.flatten()[idx].item<double>();
  }
  r.message = msg.str();
  return r;
}

}  // namespace lstest
