// LATENTSHOP_TEST_LABELS: models
// The hand-written attention kernel: every path (batched, per-head oneDNN, differentiable) and chunk
// length equals an unchunked float64 reference; upcast_attention / upcast_softmax compute in fp32
// (bf16 results within bounds derived from bf16's epsilon and each output's magnitudes);
// SDPA (libtorch ≥ 2.0 builds) equals the hand-written path; the Attention module passes every call
// through the controller, which can replace k/v or the result.
#include <cmath>
#include <string>
#include <vector>

#include "support/testing.h"
#include "support/precision_bounds.h"
#include "support/tensor_compare.h"
#include "engine/core/threads.h"
#include "engine/nn/attention.h"
#include "engine/nn/attention_kernel.h"
#include "engine/nn/forward_hooks.h"

using namespace latentshop;
using Path = nn::AttentionKernelOptions::Path;

namespace {

// softmax(q kᵀ · scale) v in float64, heads merged: [B, Nq, H·D].
torch::Tensor reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale) {
  auto qd = q.to(torch::kDouble), kd = k.to(torch::kDouble), vd = v.to(torch::kDouble);
  auto p = torch::softmax(torch::matmul(qd, kd.transpose(-1, -2)) * scale, -1);
  auto o = torch::matmul(p, vd);  // [B, H, Nq, D]
  return o.permute({0, 2, 1, 3}).reshape({q.size(0), q.size(2), q.size(1) * v.size(3)});
}

// What the rounding error of a low-precision attention scales with, per output element, as [B, Nq, H·Dv]
// like reference(); from float64 copies, with p = softmax(q kᵀ · scale) and o = p v:
//   weighted[i]    = Σ_j p_ij |v_j|: rounding the probabilities and the output to the dtype moves o_i by
//                    about eps × this (|o_i| ≤ weighted[i]);
//   scoreSpread[i] = Σ_j p_ij a_ij |v_j − o_i| with a_ij = scale · Σ_d |q_id| |k_jd|, the size of score
//                    ij's terms: scores rounded to the dtype (|δs_ij| ≲ eps/2 · a_ij) move o_i by
//                    Σ_j p_ij δs_ij (v_j − o_i) to first order, i.e. by at most eps/2 × this.
struct AttentionMagnitudes {
  torch::Tensor weighted;
  torch::Tensor scoreSpread;
};

AttentionMagnitudes attentionMagnitudes(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                        double scale) {
  auto qd = q.to(torch::kDouble), kd = k.to(torch::kDouble), vd = v.to(torch::kDouble);
  auto p = torch::softmax(torch::matmul(qd, kd.transpose(-1, -2)) * scale, -1);  // [B, H, Nq, Nk]
  auto o = torch::matmul(p, vd);                                                 // [B, H, Nq, Dv]
  auto a = torch::matmul(qd.abs(), kd.abs().transpose(-1, -2)) * scale;          // [B, H, Nq, Nk]
  auto deviation = (vd.unsqueeze(2) - o.unsqueeze(3)).abs();                     // [B, H, Nq, Nk, Dv]
  auto spread = ((p * a).unsqueeze(-1) * deviation).sum(3, false);               // [B, H, Nq, Dv]
  auto merge = [](const torch::Tensor& x) {
    return x.permute({0, 2, 1, 3}).reshape({x.size(0), x.size(2), x.size(1) * x.size(3)});
  };
  return {merge(torch::matmul(p, vd.abs())), merge(spread)};
}

struct RecordingController : nn::AttentionController {
  std::vector<std::string> paths;
  bool swapBatch1 = false;
  bool zeroOutput = false;
  void onAttention(nn::AttentionCall& call) override {
    paths.push_back(call.path);
    if (swapBatch1) {
      call.k = torch::cat({call.k.narrow(0, 0, 1), call.k.narrow(0, 0, 1)});
      call.v = torch::cat({call.v.narrow(0, 0, 1), call.v.narrow(0, 0, 1)});
    }
    if (zeroOutput) call.out = torch::zeros_like(call.q);
  }
};

}  // namespace

class TestAttention : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void chunkedEqualsUnchunked() {
    torch::manual_seed(11);
    struct Shape { int64_t b, h, nq, nk, d; };
    for (const Shape s : {Shape{2, 4, 37, 37, 8}, Shape{1, 2, 64, 9, 16}, Shape{3, 1, 50, 130, 5}}) {
      auto q = torch::randn({s.b, s.nq, s.h, s.d}).permute({0, 2, 1, 3});  // strided like the module's views
      auto k = torch::randn({s.b, s.h, s.nk, s.d});
      auto v = torch::randn({s.b, s.h, s.nk, s.d});
      const double scale = 1.0 / std::sqrt(static_cast<double>(s.d));
      auto ref = reference(q, k, v, scale);
      for (auto path : {Path::Batched, Path::PerHeadOneDnn, Path::Autograd}) {
        for (int64_t chunk : {int64_t{1}, int64_t{7}, s.nq, int64_t{0}}) {
          nn::AttentionKernelOptions o;
          o.scale = scale;
          o.path = path;
          o.queryChunk = chunk;
          o.allowSdpa = false;
          torch::Tensor out;
          if (path == Path::Autograd) {
            out = nn::scaledDotProductAttention(q, k, v, o);
          } else {
            torch::InferenceMode inference;
            out = nn::scaledDotProductAttention(q, k, v, o);
          }
          const std::string name = "path " + std::to_string(int(path)) + " chunk " + std::to_string(chunk);
          auto c = lstest::allClose(out, ref, 1e-5, 0.0, name);
          QVERIFY2(c.ok, c.message.c_str());
          QVERIFY(out.is_contiguous());
        }
      }
    }
  }

  // With grads needed, the recomputing backward gives the gradients of plain autograd (all chunks kept).
  void recomputedGradientsMatchAutograd() {
    torch::manual_seed(3);
    for (int64_t chunk : {int64_t{0}, int64_t{5}}) {
      auto q0 = torch::randn({2, 3, 23, 8}), k0 = torch::randn({1, 3, 17, 8}), v0 = torch::randn({2, 3, 17, 6});
      std::vector<torch::Tensor> grads[2];
      for (int variant = 0; variant < 2; ++variant) {
        auto q = q0.clone().requires_grad_(true), k = k0.clone().requires_grad_(true), v = v0.clone().requires_grad_(true);
        nn::AttentionKernelOptions o;
        o.scale = 0.35;
        o.queryChunk = chunk;
        o.allowSdpa = false;
        o.path = variant == 0 ? Path::Auto : Path::Autograd;
        // k shared by both batch elements through expand, as a mutual self-attention controller does.
        auto out = nn::scaledDotProductAttention(q, k.expand({2, 3, 17, 8}), v, o);
        (out * torch::linspace(-1, 1, out.numel()).view_as(out)).sum().backward();
        grads[variant] = {q.grad(), k.grad(), v.grad()};
      }
      for (int i = 0; i < 3; ++i) {
        auto c = lstest::allClose(grads[0][i], grads[1][i], 1e-5, 0.0, "grad " + std::to_string(i));
        QVERIFY2(c.ok, c.message.c_str());
      }
    }
    // bf16 inputs with upcast: gradients arrive in bf16, close to the fp32 ones.
    auto q = torch::randn({1, 2, 9, 8}).to(torch::kBFloat16).requires_grad_(true);
    auto k = torch::randn({1, 2, 9, 8}).to(torch::kBFloat16).requires_grad_(true);
    auto v = torch::randn({1, 2, 9, 8}).to(torch::kBFloat16).requires_grad_(true);
    nn::AttentionKernelOptions o;
    o.scale = 0.35;
    o.upcastAttention = true;
    o.allowSdpa = false;
    nn::scaledDotProductAttention(q, k, v, o).to(torch::kFloat).sum().backward();
    QVERIFY(q.grad().scalar_type() == torch::kBFloat16);
    QVERIFY(q.grad().isfinite().all().item<bool>());
    // The backward runs in fp32 on the bf16 values: the same values as fp32 leaves give the fp32
    // gradients, and the bf16 ones are those rounded once, so within one bf16 ulp (eps · |g|) of them,
    // plus generous room for fp32 summation-order differences (eps_fp32 · max|g| · sqrt(Nk) · 16, still
    // ~1000× below a bf16 ulp of max|g|).
    auto qf = q.detach().to(torch::kFloat).requires_grad_(true);
    auto kf = k.detach().to(torch::kFloat).requires_grad_(true);
    auto vf = v.detach().to(torch::kFloat).requires_grad_(true);
    nn::scaledDotProductAttention(qf, kf, vf, o).to(torch::kFloat).sum().backward();
    const torch::Tensor low[] = {q.grad(), k.grad(), v.grad()};
    const torch::Tensor ref[] = {qf.grad(), kf.grad(), vf.grad()};
    for (int i = 0; i < 3; ++i) {
      QVERIFY(low[i].scalar_type() == torch::kBFloat16);
      const auto bound = ref[i].abs().to(torch::kDouble) * lstest::lowPrecisionBound(torch::kBFloat16, 1.0, 1.0, 1.0) +
                         lstest::lowPrecisionBound(torch::kFloat, lstest::maxAbs(ref[i]), 9.0, 16.0);
      auto c = lstest::withinBound(low[i], ref[i], bound, "bf16 grad " + std::to_string(i) + " vs fp32");
      QVERIFY2(c.ok, c.message.c_str());
    }
  }

  // A tiny score budget forces many chunks through the automatic chunk choice.
  void scoreBudgetChunks() {
    torch::InferenceMode inference;
    auto saved = nn::attentionKernelSettings();
    auto q = torch::randn({2, 8, 300, 40}), k = torch::randn({2, 8, 300, 40}), v = torch::randn({2, 8, 300, 40});
    nn::AttentionKernelOptions o;
    o.scale = 0.158;
    o.allowSdpa = false;
    auto whole = nn::scaledDotProductAttention(q, k, v, o);
    auto tiny = saved;
    tiny.maxScoreBytes = 4096;
    nn::setAttentionKernelSettings(tiny);
    auto chunked = nn::scaledDotProductAttention(q, k, v, o);
    nn::setAttentionKernelSettings(saved);
    auto c = lstest::allClose(chunked, whole, 1e-6, 0.0, "budget-chunked");
    QVERIFY2(c.ok, c.message.c_str());
  }

  void upcastComputesInFloat() {
    torch::InferenceMode inference;
    torch::manual_seed(5);
    auto q = (torch::randn({1, 2, 33, 16}) * 4).to(torch::kBFloat16);
    auto k = (torch::randn({1, 2, 21, 16}) * 4).to(torch::kBFloat16);
    auto v = torch::randn({1, 2, 21, 16}).to(torch::kBFloat16);
    // diffusers: scores = baddbmm(q.float(), k.float()) · scale, softmax in fp32, probs → bf16, bmm(probs, v).
    auto scores = torch::matmul(q.to(torch::kFloat), k.to(torch::kFloat).transpose(-1, -2)) * 0.25;
    auto expect = torch::matmul(torch::softmax(scores, -1).to(torch::kBFloat16), v)
                      .permute({0, 2, 1, 3}).reshape({1, 33, 32});
    // Elementwise bounds from bf16's epsilon (2^-7) and each output's magnitudes, safety 4 (unit = 4 · eps).
    // upcast_attention: scores and softmax in fp32 as in `expect`; only the bf16 probabilities (a value
    // near a rounding boundary may go either way) and the bf16 product with v differ: a few ulps of
    // Σ p|v|. Scores left in bf16 (the upcast ignored) exceed it (by 1.5-7× in a rounding simulation
    // over random inputs of these shapes).
    // upcast_softmax: the scores are bf16 by design (|scores| reach ~50 here: bf16 steps of 0.25), so
    // against the exact result the bound adds their rounding, eps/2 · scoreSpread.
    const auto mag = attentionMagnitudes(q, k, v, 0.25);
    const double unit = lstest::lowPrecisionBound(torch::kBFloat16, 1.0);
    const auto attentionBound = mag.weighted * unit;
    const auto softmaxBound = (mag.scoreSpread * 0.5 + mag.weighted) * unit;
    const auto exact = reference(q, k, v, 0.25);
    for (auto path : {Path::Batched, Path::PerHeadOneDnn}) {
      nn::AttentionKernelOptions o;
      o.scale = 0.25;
      o.upcastAttention = true;
      o.path = path;
      o.allowSdpa = false;
      auto out = nn::scaledDotProductAttention(q, k, v, o);
      QVERIFY(out.scalar_type() == torch::kBFloat16);
      const std::string name = " (path " + std::to_string(int(path)) + ")";
      auto c = lstest::withinBound(out, expect, attentionBound, "upcast_attention" + name);
      QVERIFY2(c.ok, c.message.c_str());
      o.upcastAttention = false;
      o.upcastSoftmax = true;
      auto soft = nn::scaledDotProductAttention(q, k, v, o);
      QVERIFY(soft.scalar_type() == torch::kBFloat16);
      auto c2 = lstest::withinBound(soft, exact, softmaxBound, "upcast_softmax" + name);
      QVERIFY2(c2.ok, c2.message.c_str());
    }
  }

  // at::scaled_dot_product_attention exists from libtorch 2.0; where it builds it must agree.
  void sdpaMatchesHandWritten() {
    torch::InferenceMode inference;
    auto q = torch::randn({2, 4, 50, 16}), k = torch::randn({2, 4, 20, 16}), v = torch::randn({2, 4, 20, 16});
    nn::AttentionKernelOptions o;
    o.scale = 0.25;
    o.allowSdpa = false;
    auto hand = nn::scaledDotProductAttention(q, k, v, o);
    if (!nn::sdpaAvailable()) {
      std::printf("SDPA path not built (libtorch %d.%d < 2.0): only the hand-written path runs\n",
                  TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR);
      o.allowSdpa = true;  // falls back to the hand-written path
      QVERIFY(torch::equal(nn::scaledDotProductAttention(q, k, v, o), hand));
      return;
    }
    o.allowSdpa = true;
    auto sdpa = nn::scaledDotProductAttention(q, k, v, o);
    auto c = lstest::allClose(sdpa, hand, 1e-5, 0.0, "sdpa");
    QVERIFY2(c.ok, c.message.c_str());
  }

  void moduleGoesThroughController() {
    torch::InferenceMode inference;
    nn::AttentionOptions ao;
    ao.queryDim = 16;
    ao.heads = 2;
    ao.dimHead = 8;
    nn::Attention attn(ao, torch::TensorOptions());
    for (auto& p : attn->parameters()) p.normal_(0.0, 0.3);
    attn->setPath("blk.attn1");
    auto x = torch::randn({2, 10, 16});
    auto plain = attn(x, torch::Tensor(), nullptr);
    RecordingController rec;
    nn::ForwardHooks hooks{&rec, nullptr};
    auto same = attn(x, torch::Tensor(), &hooks);
    QVERIFY(torch::equal(plain, same));
    QCOMPARE(rec.paths.size(), std::size_t{1});
    QCOMPARE(rec.paths[0], std::string("blk.attn1"));

    rec.swapBatch1 = true;
    auto swapped = attn(x, torch::Tensor(), &hooks);
    QVERIFY(torch::equal(swapped[0], plain[0]));
    QVERIFY((swapped[1] - plain[1]).abs().max().item<float>() > 1e-3);

    rec.swapBatch1 = false;
    rec.zeroOutput = true;
    auto zeroed = attn(x, torch::Tensor(), &hooks);
    // to_out.0 of zeros is its bias.
    auto bias = attn->toOut0->bias.expand({2, 10, 16});
    QVERIFY(torch::allclose(zeroed, bias));
  }
};

QTEST_GUILESS_MAIN(TestAttention)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_attention.moc"
#endif
