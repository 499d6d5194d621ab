#include "engine/nn/cpu_gemm.h"

#include <algorithm>
#include <climits>

#include <dlfcn.h>

namespace latentshop::nn {

namespace {

using CblasSgemm = void (*)(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a,
                            int lda, const float* b, int ldb, float beta, float* c, int ldc);

CblasSgemm findSgemm() {
  static const CblasSgemm fn = [] {
    void* sym = dlsym(RTLD_DEFAULT, "cblas_sgemm");
    if (!sym) {
      if (void* lib = dlopen("libblas.so.3", RTLD_NOW | RTLD_LOCAL)) sym = dlsym(lib, "cblas_sgemm");
    }
    return reinterpret_cast<CblasSgemm>(sym);
  }();
  return fn;
}

}  // namespace

void sgemm(const torch::Tensor& a, const torch::Tensor& b, torch::Tensor& c) {
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && c.dim() == 2 && a.size(1) == b.size(0) && c.size(0) == a.size(0) &&
                  c.size(1) == b.size(1),
              "sgemm: shapes ", a.sizes(), " · ", b.sizes(), " → ", c.sizes());
  TORCH_CHECK(a.scalar_type() == torch::kFloat && b.scalar_type() == torch::kFloat && c.scalar_type() == torch::kFloat &&
                  a.is_contiguous() && b.is_contiguous() && c.is_contiguous(),
              "sgemm: contiguous float32 matrices expected");
  const auto fn = findSgemm();
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  if (!fn || std::max({m, k, n}) > INT_MAX) {
    at::mm_out(c, a, b);
    return;
  }
  constexpr int kRowMajor = 101, kNoTrans = 111;
  const auto mi = static_cast<int>(m), ki = static_cast<int>(k), ni = static_cast<int>(n);
  fn(kRowMajor, kNoTrans, kNoTrans, mi, ni, ki, 1.0f, a.data_ptr<float>(), ki, b.data_ptr<float>(), ni, 0.0f,
     c.data_ptr<float>(), ni);
}

torch::Tensor pointwiseConv(const torch::Tensor& xIn, const torch::Tensor& weight, const torch::Tensor& bias) {
  const auto x = xIn.contiguous();
  const int64_t n = x.size(0), in = x.size(1), h = x.size(2), w = x.size(3), out = weight.size(0);
  const auto wm = weight.reshape({out, in}).contiguous();
  auto y = torch::empty({n, out, h, w}, x.options());
  for (int64_t i = 0; i < n; ++i) {
    auto yi = y[i].view({out, h * w});
    sgemm(wm, x[i].view({in, h * w}), yi);
  }
  if (bias.defined()) y.add_(bias.view({1, out, 1, 1}));
  return y;
}

}  // namespace latentshop::nn
