#include "engine/nn/winograd_conv.h"

#include <algorithm>
#include <vector>

#include <ATen/Parallel.h>

#include "engine/nn/cpu_gemm.h"

namespace latentshop::nn {

namespace {

// Transformed input of one band: at most this many floats (16 × channels × tiles), so the working set
// stays bounded on a 2048² image and each GEMM still has hundreds of columns.
constexpr int64_t kBandFloats = int64_t{4} << 20;

struct Geometry {
  int64_t channelsIn = 0, channelsOut = 0;
  int64_t srcH = 0, srcW = 0;   // the tensor read
  int64_t H = 0, W = 0;         // the (virtually up-sampled) input = the output size
  int64_t tilesH = 0, tilesW = 0;
  bool up = false;
};

// Row r (of the virtual input, −1 … H) of channel plane `src` into `row` with the padding column on
// each side: row[j] = input[r][j − 1], zero outside the image.
void loadPaddedRow(const float* src, const Geometry& g, int64_t r, float* row) {
  const int64_t width = 2 * g.tilesW + 2;
  if (r < 0 || r >= g.H) {
    std::fill(row, row + width, 0.0f);
    return;
  }
  const float* s = src + (g.up ? r / 2 : r) * g.srcW;
  row[0] = 0.0f;
  if (g.up) {
    for (int64_t q = 0; q < g.W; ++q) row[q + 1] = s[q / 2];
  } else {
    std::copy(s, s + g.W, row + 1);
  }
  std::fill(row + g.W + 1, row + width, 0.0f);
}

// The element-wise kernels, compiled for AVX2 and for the baseline (GCC picks at load time).
#define LS_VECTOR_KERNEL __attribute__((target_clones("avx2", "default")))

// Bᵀ along the rows of a 4-row window: t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3.
LS_VECTOR_KERNEL void rowTransform(const float* __restrict d0, const float* __restrict d1, const float* __restrict d2,
                                   const float* __restrict d3, float* __restrict t0, float* __restrict t1,
                                   float* __restrict t2, float* __restrict t3, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    t0[j] = d0[j] - d2[j];
    t1[j] = d1[j] + d2[j];
    t2[j] = d2[j] - d1[j];
    t3[j] = d1[j] - d3[j];
  }
}

// B along the columns: tile tx reads r[2tx … 2tx + 3].
LS_VECTOR_KERNEL void columnTransform(const float* __restrict r, float* __restrict v0, float* __restrict v1,
                                      float* __restrict v2, float* __restrict v3, int64_t tiles) {
  for (int64_t tx = 0; tx < tiles; ++tx) {
    const float a = r[2 * tx], b = r[2 * tx + 1], e = r[2 * tx + 2], f = r[2 * tx + 3];
    v0[tx] = a - e;
    v1[tx] = b + e;
    v2[tx] = e - b;
    v3[tx] = b - f;
  }
}

// Aᵀ·m·A for one row of tiles: m[k] points at component k's tiles; y0 / y1 receive the two output
// rows (2 × tiles values each), bias added.
LS_VECTOR_KERNEL void outputTransform(const float* const* m, float bias, float* __restrict y0, float* __restrict y1,
                                      int64_t tiles) {
  const float* __restrict m0 = m[0];
  const float* __restrict m1 = m[1];
  const float* __restrict m2 = m[2];
  const float* __restrict m3 = m[3];
  const float* __restrict m4 = m[4];
  const float* __restrict m5 = m[5];
  const float* __restrict m6 = m[6];
  const float* __restrict m7 = m[7];
  const float* __restrict m8 = m[8];
  const float* __restrict m9 = m[9];
  const float* __restrict m10 = m[10];
  const float* __restrict m11 = m[11];
  const float* __restrict m12 = m[12];
  const float* __restrict m13 = m[13];
  const float* __restrict m14 = m[14];
  const float* __restrict m15 = m[15];
  for (int64_t tx = 0; tx < tiles; ++tx) {
    const float a0 = m0[tx] + m4[tx] + m8[tx], a1 = m1[tx] + m5[tx] + m9[tx];  // Aᵀ along the rows
    const float a2 = m2[tx] + m6[tx] + m10[tx], a3 = m3[tx] + m7[tx] + m11[tx];
    const float b0 = m4[tx] - m8[tx] - m12[tx], b1 = m5[tx] - m9[tx] - m13[tx];
    const float b2 = m6[tx] - m10[tx] - m14[tx], b3 = m7[tx] - m11[tx] - m15[tx];
    y0[2 * tx] = a0 + a1 + a2 + bias;  // A along the columns
    y0[2 * tx + 1] = a1 - a2 - a3 + bias;
    y1[2 * tx] = b0 + b1 + b2 + bias;
    y1[2 * tx + 1] = b1 - b2 - b3 + bias;
  }
}

// V[k][c][t] = (Bᵀ d B)[k] for the tiles of rows [ty0, ty1) of sample `src` ([I, srcH, srcW]).
void transformInput(const float* src, const Geometry& g, int64_t ty0, int64_t ty1, float* V) {
  const int64_t tiles = (ty1 - ty0) * g.tilesW;
  const int64_t width = 2 * g.tilesW + 2;
  const int64_t plane = g.srcH * g.srcW;
  at::parallel_for(0, g.channelsIn, 1, [&](int64_t c0, int64_t c1) {
    std::vector<float> buffer(8 * static_cast<size_t>(width));
    float* d[4] = {buffer.data(), buffer.data() + width, buffer.data() + 2 * width, buffer.data() + 3 * width};
    float* t[4] = {d[3] + width, d[3] + 2 * width, d[3] + 3 * width, d[3] + 4 * width};
    for (int64_t c = c0; c < c1; ++c) {
      const float* s = src + c * plane;
      for (int64_t ty = ty0; ty < ty1; ++ty) {
        for (int i = 0; i < 4; ++i) loadPaddedRow(s, g, 2 * ty - 1 + i, d[i]);
        rowTransform(d[0], d[1], d[2], d[3], t[0], t[1], t[2], t[3], width);
        const int64_t base = c * tiles + (ty - ty0) * g.tilesW;
        const int64_t stride = g.channelsIn * tiles;
        for (int i = 0; i < 4; ++i) {
          float* v = V + 4 * i * stride + base;
          columnTransform(t[i], v, v + stride, v + 2 * stride, v + 3 * stride, g.tilesW);
        }
      }
    }
  });
}

// out rows [2·ty0, 2·ty1) of sample `dst` ([O, H, W]) from M[k][o][t] = U[k]·V[k], plus bias.
void transformOutput(const float* M, const Geometry& g, int64_t ty0, int64_t ty1, const float* bias, float* dst) {
  const int64_t tiles = (ty1 - ty0) * g.tilesW;
  const int64_t plane = g.H * g.W;
  at::parallel_for(0, g.channelsOut, 1, [&](int64_t o0, int64_t o1) {
    std::vector<float> rows(4 * static_cast<size_t>(g.tilesW));
    float* y0 = rows.data();
    float* y1 = rows.data() + 2 * g.tilesW;
    for (int64_t o = o0; o < o1; ++o) {
      const float b = bias ? bias[o] : 0.0f;
      for (int64_t ty = ty0; ty < ty1; ++ty) {
        const float* m[16];
        for (int k = 0; k < 16; ++k) m[k] = M + (k * g.channelsOut + o) * tiles + (ty - ty0) * g.tilesW;
        outputTransform(m, b, y0, y1, g.tilesW);
        float* out = dst + o * plane + 2 * ty * g.W;
        std::copy(y0, y0 + g.W, out);
        if (2 * ty + 1 < g.H) std::copy(y1, y1 + g.W, out + g.W);
      }
    }
  });
}

}  // namespace

bool winogradApplies(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride, int64_t padding) {
  return x.defined() && x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == torch::kFloat &&
         weight.scalar_type() == torch::kFloat && weight.dim() == 4 && weight.size(2) == 3 && weight.size(3) == 3 &&
         stride == 1 && padding == 1 && weight.size(0) >= 16 && weight.size(1) >= 16 && x.size(1) == weight.size(1) &&
         !x.requires_grad();
}

torch::Tensor winogradTransformWeight(const torch::Tensor& weightIn) {
  const auto weight = weightIn.to(torch::kFloat).contiguous();
  const int64_t outC = weight.size(0), inC = weight.size(1), pairs = outC * inC;
  auto U = torch::empty({16, outC, inC}, weight.options());
  const float* w = weight.data_ptr<float>();
  float* u = U.data_ptr<float>();
  at::parallel_for(0, pairs, 4096, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const float* g = w + 9 * p;
      float t[4][3];  // G·g, G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]
      for (int c = 0; c < 3; ++c) {
        t[0][c] = g[c];
        t[1][c] = 0.5f * (g[c] + g[3 + c] + g[6 + c]);
        t[2][c] = 0.5f * (g[c] - g[3 + c] + g[6 + c]);
        t[3][c] = g[6 + c];
      }
      for (int r = 0; r < 4; ++r) {  // (G·g)·Gᵀ
        u[(4 * r + 0) * pairs + p] = t[r][0];
        u[(4 * r + 1) * pairs + p] = 0.5f * (t[r][0] + t[r][1] + t[r][2]);
        u[(4 * r + 2) * pairs + p] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
        u[(4 * r + 3) * pairs + p] = t[r][2];
      }
    }
  });
  return U;
}

torch::Tensor winogradConv3x3(const torch::Tensor& xIn, const torch::Tensor& U, const torch::Tensor& biasIn,
                              bool upsample2x) {
  const auto x = xIn.contiguous();
  Geometry g;
  g.channelsIn = x.size(1);
  g.channelsOut = U.size(1);
  TORCH_CHECK(U.dim() == 3 && U.size(0) == 16 && U.size(2) == g.channelsIn,
              "winogradConv3x3: transformed weight ", U.sizes(), " does not match input ", x.sizes());
  g.srcH = x.size(2);
  g.srcW = x.size(3);
  g.up = upsample2x;
  g.H = upsample2x ? 2 * g.srcH : g.srcH;
  g.W = upsample2x ? 2 * g.srcW : g.srcW;
  g.tilesH = (g.H + 1) / 2;
  g.tilesW = (g.W + 1) / 2;
  const auto bias = biasIn.defined() ? biasIn.contiguous() : biasIn;

  auto out = torch::empty({x.size(0), g.channelsOut, g.H, g.W}, x.options());
  if (out.numel() == 0) return out;
  const int64_t bandRows =
      std::clamp<int64_t>(kBandFloats / (16 * std::max(g.channelsIn, g.channelsOut) * g.tilesW), 1, g.tilesH);
  const int64_t bandTiles = bandRows * g.tilesW;
  auto V = torch::empty({16, g.channelsIn, bandTiles}, x.options());
  auto M = torch::empty({16, g.channelsOut, bandTiles}, x.options());
  for (int64_t n = 0; n < x.size(0); ++n) {
    const float* src = x.data_ptr<float>() + n * g.channelsIn * g.srcH * g.srcW;
    float* dst = out.data_ptr<float>() + n * g.channelsOut * g.H * g.W;
    for (int64_t ty0 = 0; ty0 < g.tilesH; ty0 += bandRows) {
      const int64_t ty1 = std::min(g.tilesH, ty0 + bandRows);
      const int64_t tiles = (ty1 - ty0) * g.tilesW;
      // Compact [16, C, tiles] views of the band buffers (the last band may hold fewer tiles).
      auto v = V.view(-1).narrow(0, 0, 16 * g.channelsIn * tiles).view({16, g.channelsIn, tiles});
      auto m = M.view(-1).narrow(0, 0, 16 * g.channelsOut * tiles).view({16, g.channelsOut, tiles});
      transformInput(src, g, ty0, ty1, v.data_ptr<float>());
      for (int k = 0; k < 16; ++k) {
        auto mk = m[k];
        sgemm(U[k], v[k], mk);
      }
      transformOutput(m.data_ptr<float>(), g, ty0, ty1, bias.defined() ? bias.data_ptr<float>() : nullptr, dst);
    }
  }
  return out;
}

}  // namespace latentshop::nn
