// Tensor comparison helpers for parity tests against ../shared/golden.
#pragma once
#include <string>

#include <torch/torch.h>

namespace lstest {

struct Closeness {
  bool ok = false;
  double maxAbsDiff = 0.0;
  std::string message;  // "name: max|diff| 3.1e-05 (atol 1e-04) at index [..]; shapes .." for QVERIFY2
};

// |actual - expected| <= atol + rtol * |expected| everywhere, shapes equal. Compares in float64.
Closeness allClose(const torch::Tensor& actual, const torch::Tensor& expected, double atol,
                   double rtol = 0.0, const std::string& name = "tensor");

}  // namespace lstest
