#include "engine/nn/attention_kernel.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include <torch/version.h>

#include "engine/core/error.h"

namespace latentshop::nn {

namespace {

std::atomic<int64_t> gMaxScoreBytes{AttentionKernelSettings{}.maxScoreBytes};
std::atomic<bool> gUseSdpa{AttentionKernelSettings{}.useSdpa};

// [B, H, N, D] → [B, N, H·D] contiguous.
torch::Tensor mergeHeads(const torch::Tensor& x) {
  return x.permute({0, 2, 1, 3}).reshape({x.size(0), x.size(2), x.size(1) * x.size(3)});
}

int64_t chunkLength(int64_t batchHeads, int64_t nq, int64_t nk, int64_t elemSize, int64_t requested) {
  if (requested > 0) return std::min(requested, nq);
  const int64_t perRow = std::max<int64_t>(1, batchHeads * nk * elemSize);
  const int64_t maxRows = std::clamp<int64_t>(gMaxScoreBytes.load() / perRow, 1, nq);
  const int64_t chunks = (nq + maxRows - 1) / maxRows;
  return (nq + chunks - 1) / chunks;  // balanced chunks
}

#if TORCH_VERSION_MAJOR >= 2
torch::Tensor sdpaPath(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                       const AttentionKernelOptions& o) {
  const auto dtype = q.scalar_type();
  const bool upcast = (o.upcastAttention || o.upcastSoftmax) && dtype != at::kFloat;
  auto qq = upcast ? q.to(at::kFloat) : q;
  auto kk = upcast ? k.to(at::kFloat) : k;
  auto vv = upcast ? v.to(at::kFloat) : v;
#if TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 1
  auto out = at::scaled_dot_product_attention(qq, kk, vv, {}, 0.0, false, o.scale);
#else
  // 2.0 has no scale argument: it always uses 1/sqrt(D); fold the requested scale into q.
  const double defaultScale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  auto out = at::scaled_dot_product_attention(qq * (o.scale / defaultScale), kk, vv, {}, 0.0, false);
#endif
  return mergeHeads(out.to(dtype));
}
#endif

// Differentiable chunked path through plain autograd ops (keeps every chunk's probabilities; the
// reference for RecomputingAttention's gradients in the tests).
torch::Tensor autogradPath(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                           const AttentionKernelOptions& o) {
  const int64_t b = q.size(0), h = q.size(1), nq = q.size(2), d = q.size(3), nk = k.size(2), dv = v.size(3);
  const auto dtype = q.scalar_type();
  const auto scoreType = o.upcastAttention ? at::kFloat : dtype;
  auto qf = q.to(scoreType).reshape({b * h, nq, d});
  auto kt = k.to(scoreType).reshape({b * h, nk, d}).transpose(1, 2);
  auto vf = v.reshape({b * h, nk, dv});
  const int64_t chunk = chunkLength(b * h, nq, nk, c10::elementSize(scoreType), o.queryChunk);
  std::vector<torch::Tensor> outs;
  for (int64_t s = 0; s < nq; s += chunk) {
    const int64_t c = std::min(chunk, nq - s);
    auto scores = at::bmm(qf.narrow(1, s, c), kt) * o.scale;
    if (o.upcastSoftmax) scores = scores.to(at::kFloat);
    auto probs = at::softmax(scores, -1).to(dtype);
    outs.push_back(at::bmm(probs, vf));
  }
  auto out = outs.size() == 1 ? outs[0] : at::cat(outs, 1);  // [BH, Nq, Dv]
  return mergeHeads(out.view({b, h, nq, dv}));
}

// a [m, k] @ b[n, k]ᵀ → [m, n] (contiguous) as a 1×1 convolution over channels-last views of the same
// memory, which runs on oneDNN: for fp32 on CPU ~2× faster than OpenBLAS on attention's thin (k = 40-80)
// products.
torch::Tensor matmulNTViaConv(const torch::Tensor& a, const torch::Tensor& b) {
  const int64_t m = a.size(0), k = a.size(1), n = b.size(0);
  auto image = a.view({1, m, 1, k}).permute({0, 3, 1, 2});
  auto y = at::conv2d(image, b.view({n, k, 1, 1}));  // [1, n, m, 1] channels-last
  return y.permute({0, 2, 3, 1}).reshape({m, n});
}

// CPU without autograd: per (batch, head), larger query chunks, products on oneDNN.
torch::Tensor onednnPath(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const AttentionKernelOptions& o) {
  const int64_t b = q.size(0), h = q.size(1), nq = q.size(2), d = q.size(3), nk = k.size(2), dv = v.size(3);
  const auto dtype = q.scalar_type();
  const auto scoreType = o.upcastAttention ? at::kFloat : dtype;
  const auto softmaxType = o.upcastSoftmax ? at::kFloat : scoreType;
  auto opts = q.options();
  auto qs = at::empty({b, h, nq, d}, opts.dtype(scoreType));
  qs.copy_(q);
  qs.mul_(o.scale);
  auto kc = k.to(scoreType).contiguous();                // [B, H, Nk, D]
  auto vt = at::empty({b, h, dv, nk}, opts.dtype(dtype));  // [B, H, Dv, Nk]
  vt.copy_(v.transpose(2, 3));
  const int64_t chunk = chunkLength(1, nq, nk, c10::elementSize(softmaxType), o.queryChunk);
  auto probsBuf = at::empty({chunk * nk}, opts.dtype(softmaxType));
  torch::Tensor softmaxInBuf, castBuf;
  if (softmaxType != scoreType) softmaxInBuf = at::empty({chunk * nk}, opts.dtype(softmaxType));
  if (softmaxType != dtype) castBuf = at::empty({chunk * nk}, opts.dtype(dtype));
  auto out = at::empty({b, nq, h * dv}, opts.dtype(dtype));
  auto outHeads = out.view({b, nq, h, dv});
  for (int64_t bi = 0; bi < b; ++bi) {
    for (int64_t hi = 0; hi < h; ++hi) {
      auto qbh = qs[bi][hi];
      auto kbh = kc[bi][hi];
      auto vbh = vt[bi][hi];
      for (int64_t s = 0; s < nq; s += chunk) {
        const int64_t c = std::min(chunk, nq - s);
        auto scores = matmulNTViaConv(qbh.narrow(0, s, c), kbh);  // [c, Nk]
        if (softmaxInBuf.defined()) {
          auto converted = softmaxInBuf.narrow(0, 0, c * nk).view({c, nk});
          converted.copy_(scores);
          scores = converted;
        }
        auto probs = probsBuf.narrow(0, 0, c * nk).view({c, nk});
        at::_softmax_out(probs, scores, -1, false);
        if (castBuf.defined()) {
          auto cast = castBuf.narrow(0, 0, c * nk).view({c, nk});
          cast.copy_(probs);
          probs = cast;
        }
        outHeads.select(0, bi).narrow(0, s, c).select(1, hi).copy_(matmulNTViaConv(probs, vbh));
      }
    }
  }
  return out;
}

// Inference path: preallocated buffers, out= kernels, output written straight into merged layout.
torch::Tensor bufferedPath(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                           const AttentionKernelOptions& o) {
  const int64_t b = q.size(0), h = q.size(1), nq = q.size(2), d = q.size(3), nk = k.size(2), dv = v.size(3);
  const int64_t bh = b * h;
  const auto dtype = q.scalar_type();
  const auto scoreType = o.upcastAttention ? at::kFloat : dtype;
  const auto softmaxType = o.upcastSoftmax ? at::kFloat : scoreType;
  auto opts = q.options();

  // q · scale in a contiguous copy (the reference's baddbmm(alpha = scale) up to rounding; out= baddbmm
  // with beta 0 would read the uninitialised buffer in ATen's small-matrix kernel).
  auto qf = at::empty({b, h, nq, d}, opts.dtype(scoreType));
  qf.copy_(q);
  qf.mul_(o.scale);
  qf = qf.view({bh, nq, d});
  auto kt = k.to(scoreType).reshape({bh, nk, d}).transpose(1, 2);
  auto vf = v.reshape({bh, nk, dv});

  const int64_t chunk = chunkLength(bh, nq, nk, c10::elementSize(scoreType), o.queryChunk);
  auto scoresBuf = at::empty({bh * chunk * nk}, opts.dtype(scoreType));
  torch::Tensor softmaxInBuf;  // scores converted for the softmax (upcast_softmax)
  if (softmaxType != scoreType) softmaxInBuf = at::empty({bh * chunk * nk}, opts.dtype(softmaxType));
  auto probsBuf = at::empty({bh * chunk * nk}, opts.dtype(softmaxType));
  torch::Tensor probsCastBuf;  // probabilities cast back to the value dtype
  if (softmaxType != dtype) probsCastBuf = at::empty({bh * chunk * nk}, opts.dtype(dtype));
  auto outBuf = at::empty({bh * chunk * dv}, opts.dtype(dtype));

  auto out = at::empty({b, nq, h * dv}, opts.dtype(dtype));
  auto outHeads = out.view({b, nq, h, dv});
  for (int64_t s = 0; s < nq; s += chunk) {
    const int64_t c = std::min(chunk, nq - s);
    auto scores = scoresBuf.narrow(0, 0, bh * c * nk).view({bh, c, nk});
    at::bmm_out(scores, qf.narrow(1, s, c), kt);
    auto softmaxIn = scores;
    if (softmaxInBuf.defined()) {
      softmaxIn = softmaxInBuf.narrow(0, 0, bh * c * nk).view({bh, c, nk});
      softmaxIn.copy_(scores);
    }
    auto probs = probsBuf.narrow(0, 0, bh * c * nk).view({bh, c, nk});
    at::_softmax_out(probs, softmaxIn, -1, false);
    if (probsCastBuf.defined()) {
      auto cast = probsCastBuf.narrow(0, 0, bh * c * nk).view({bh, c, nk});
      cast.copy_(probs);
      probs = cast;
    }
    auto chunkOut = outBuf.narrow(0, 0, bh * c * dv).view({bh, c, dv});
    at::bmm_out(chunkOut, probs, vf);
    outHeads.narrow(1, s, c).copy_(chunkOut.view({b, h, c, dv}).permute({0, 2, 1, 3}));
  }
  return out;
}

// Differentiable attention that keeps only q, k, v for the backward and recomputes the probabilities
// chunk by chunk there (as flash-attention's backward does): with grad mode on (DragDiffusion's motion
// supervision, LoRA training) SD 1.5 at 64×64 would otherwise hold 512 MiB of probabilities per
// self-attention layer and batch element. Forward = the inference kernels; backward in fp32:
//   dV += Pᵀ dO,  dP = dO Vᵀ,  dS = P ∘ (dP − rowsum(dP ∘ P)),  dQ = dS K · scale,  dK += dSᵀ Q · scale.
class RecomputingAttention : public torch::autograd::Function<RecomputingAttention> {
public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, double scale, bool upcastAttention, bool upcastSoftmax,
                               int64_t queryChunk) {
    ctx->save_for_backward({q, k, v});
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["chunk"] = queryChunk;
    AttentionKernelOptions o;
    o.scale = scale;
    o.upcastAttention = upcastAttention;
    o.upcastSoftmax = upcastSoftmax;
    o.queryChunk = queryChunk;
    const auto dt = q.scalar_type();
    const bool oneDnn = dt == at::kFloat && q.device().is_cpu() && at::hasMKLDNN();
    return oneDnn ? onednnPath(q, k, v, o) : bufferedPath(q, k, v, o);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    torch::NoGradGuard noGrad;
    const auto saved = ctx->get_saved_variables();
    const auto &q = saved[0], &k = saved[1], &v = saved[2];
    const double scale = ctx->saved_data["scale"].toDouble();
    const int64_t requested = ctx->saved_data["chunk"].toInt();
    const int64_t b = q.size(0), h = q.size(1), nq = q.size(2), d = q.size(3), nk = k.size(2), dv = v.size(3);
    const int64_t bh = b * h;
    auto qf = q.to(at::kFloat).reshape({bh, nq, d});
    auto kf = k.to(at::kFloat).reshape({bh, nk, d});
    auto vf = v.to(at::kFloat).reshape({bh, nk, dv});
    auto go = grads[0].to(at::kFloat).view({b, nq, h, dv}).permute({0, 2, 1, 3}).reshape({bh, nq, dv});
    auto dq = at::empty({bh, nq, d}, qf.options());
    auto dk = at::zeros({bh, nk, d}, qf.options());
    auto dvv = at::zeros({bh, nk, dv}, qf.options());
    const int64_t chunk = chunkLength(bh, nq, nk, sizeof(float), requested);
    for (int64_t s = 0; s < nq; s += chunk) {
      const int64_t c = std::min(chunk, nq - s);
      auto qc = qf.narrow(1, s, c);
      auto goc = go.narrow(1, s, c);
      auto p = at::softmax(at::bmm(qc, kf.transpose(1, 2)).mul_(scale), -1);  // [BH, c, Nk]
      dvv.baddbmm_(p.transpose(1, 2), goc);
      auto dp = at::bmm(goc, vf.transpose(1, 2));
      auto ds = dp.sub_((dp * p).sum(-1, true)).mul_(p);  // P ∘ (dP − rowsum(dP ∘ P))
      dq.narrow(1, s, c).copy_(at::bmm(ds, kf));
      dk.baddbmm_(ds.transpose(1, 2), qc);
    }
    dq.mul_(scale);
    dk.mul_(scale);
    auto back = [&](const torch::Tensor& g, const torch::Tensor& like, int64_t n, int64_t dim) {
      return g.view({b, h, n, dim}).to(like.scalar_type());
    };
    return {back(dq, q, nq, d), back(dk, k, nk, d), back(dvv, v, nk, dv), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

AttentionKernelSettings attentionKernelSettings() {
  AttentionKernelSettings s;
  s.maxScoreBytes = gMaxScoreBytes.load();
  s.useSdpa = gUseSdpa.load();
  return s;
}

void setAttentionKernelSettings(const AttentionKernelSettings& settings) {
  gMaxScoreBytes.store(std::max<int64_t>(1, settings.maxScoreBytes));
  gUseSdpa.store(settings.useSdpa);
}

bool sdpaAvailable() {
#if TORCH_VERSION_MAJOR >= 2
  return true;
#else
  return false;
#endif
}

torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                        const AttentionKernelOptions& options) {
  if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4 || q.size(0) != k.size(0) || k.size(0) != v.size(0) ||
      q.size(1) != k.size(1) || k.size(1) != v.size(1) || q.size(3) != k.size(3) || k.size(2) != v.size(2)) {
    throw Error("attention: q, k, v must be [B, H, N, D] with matching batch, heads, key length and head size");
  }
#if TORCH_VERSION_MAJOR >= 2
  if (options.allowSdpa && gUseSdpa.load()) return sdpaPath(q, k, v, options);
#endif
  const bool needsGrad = at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
  using Path = AttentionKernelOptions::Path;
  if (options.path == Path::Autograd) return autogradPath(q, k, v, options);
  if (needsGrad) {
    return RecomputingAttention::apply(q, k, v, options.scale, options.upcastAttention, options.upcastSoftmax,
                                       options.queryChunk);
  }
  const auto dt = q.scalar_type();
  const bool oneDnnOk = (dt == at::kFloat || dt == at::kBFloat16) && k.scalar_type() == dt &&
                        v.scalar_type() == dt && q.device().is_cpu() && at::hasMKLDNN();
  if (options.path == Path::PerHeadOneDnn) {
    if (!oneDnnOk) throw Error("attention: the per-head oneDNN path needs fp32 or bf16 CPU tensors and MKLDNN");
    return onednnPath(q, k, v, options);
  }
  if (options.path == Path::Auto && oneDnnOk && dt == at::kFloat) return onednnPath(q, k, v, options);
  return bufferedPath(q, k, v, options);
}

}  // namespace latentshop::nn
