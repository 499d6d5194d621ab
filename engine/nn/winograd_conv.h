// Winograd F(2×2, 3×3) convolution for the 3×3, stride-1, padding-1 float32 convolutions that dominate
// the VAE on CPU: each 2×2 output tile costs 16 multiplications per (in, out) channel pair instead of
// 36, done as 16 large GEMMs between transformed weights and transformed input tiles. On a 2-core AVX2
// machine oneDNN's direct convolution runs these layers at about 70 % of peak, so fewer
// multiplications is the remaining way to be faster. Optionally reads its input through a nearest ×2
// up-sampling (diffusers' Upsample2D: interpolate then conv) without materialising the 4× copy.
//
// The image is processed in bands of tile rows, so the transformed tiles stay a few tens of MiB
// whatever the image size. Numerics: the input and output transforms are sums and differences, the
// weight transform halves; results agree with at::conv2d to a few float32 ulps of the output's scale.
// Reference: Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (arXiv 1509.09308),
// F(2×2, 3×3) with Bᵀ, G and Aᵀ as given there. Forward semantics: torch.nn.functional.conv2d.
#pragma once
#include <torch/torch.h>

namespace latentshop::nn {

// True when winogradConv3x3 computes conv2d(x, weight, bias, stride, padding): float32 CPU tensors,
// a 3×3 kernel, stride 1, padding 1, 4-D input with at least 16 channels in and out.
bool winogradApplies(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride, int64_t padding);

// weight [O, I, 3, 3] → [16, O, I]: G·g·Gᵀ for every (o, i), element (r, c) of the 4×4 at index 4r + c.
torch::Tensor winogradTransformWeight(const torch::Tensor& weight);

// conv2d(x, weight, bias, stride 1, padding 1), or with upsample2x the same of
// upsample_nearest2d(x, ×2), for x [N, I, H, W] (any memory format; the result is contiguous NCHW).
// transformedWeight from winogradTransformWeight; bias [O] or undefined.
torch::Tensor winogradConv3x3(const torch::Tensor& x, const torch::Tensor& transformedWeight,
                              const torch::Tensor& bias, bool upsample2x = false);

}  // namespace latentshop::nn
