// Single-precision GEMM on CPU through the BLAS libtorch itself links (OpenBLAS on Debian), called
// directly. For the VAE's shapes (hundreds of rows and columns, tens of thousands of pixels) this runs
// at ~120 GFLOP/s on 2 AVX2 cores where at::bmm / at::mm reach about half (extra layers, and OpenMP
// threads still spinning from the previous element-wise kernel compete with the BLAS threads).
// Found at run time (dlsym), so the engine builds and runs wherever libtorch does; without a BLAS
// that exports cblas_sgemm it falls back to at::mm.
#pragma once
#include <torch/torch.h>

namespace latentshop::nn {

// c = a · b for contiguous float32 CPU matrices a [m, k], b [k, n], c [m, n] (c is overwritten).
void sgemm(const torch::Tensor& a, const torch::Tensor& b, torch::Tensor& c);

// 1×1 convolution of a contiguous NCHW float32 x [N, I, H, W] with weight [O, I, 1, 1] and bias [O]
// (or undefined): one GEMM per sample, no layout conversion.
torch::Tensor pointwiseConv(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace latentshop::nn
