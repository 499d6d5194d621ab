#include "support/tensor_compare.h"

#include <sstream>

namespace lstest {

Closeness allClose(const torch::Tensor& actual, const torch::Tensor& expected, double atol,
                   double rtol, const std::string& name) {
  Closeness r;
  std::ostringstream msg;
  if (actual.sizes() != expected.sizes()) {
    msg << name << ": shape " << actual.sizes() << " != expected " << expected.sizes();
    r.message = msg.str();
    return r;
  }
  auto a = actual.detach().to(torch::kCPU, torch::kFloat64);
  auto e = expected.detach().to(torch::kCPU, torch::kFloat64);
  auto diff = (a - e).abs();
  auto excess = diff - (atol + rtol * e.abs());
  r.maxAbsDiff = diff.numel() ? diff.max().item<double>() : 0.0;
  const bool finite = a.isfinite().all().item<bool>();
  const double worst = excess.numel() ? excess.max().item<double>() : -1.0;
  r.ok = finite && worst <= 0.0;
  msg << name << ": max|diff| " << r.maxAbsDiff << " (atol " << atol << ", rtol " << rtol << ")";
  if (!finite) msg << " — actual has non-finite values";
  if (diff.numel()) {
    const auto idx = excess.flatten().argmax().item<int64_t>();
    msg << "; worst at flat index " << idx << ": actual " << a.flatten()[idx].item<double>()
        << " expected " << e.flatten()[idx].item<double>();
  }
  r.message = msg.str();
  return r;
}

}  // namespace lstest
