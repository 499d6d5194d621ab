// softmax(q kᵀ · scale) v for split heads, written for libtorch 1.13 (no SDPA there) and chunked over
// queries so that the scores of SD 1.5 at 64×64 latents (batch 2, 8 heads, 4096 tokens: 1 GiB in
// fp32 if materialised at once) never exceed a small budget. Mirrors diffusers' AttnProcessor
// (diffusers/src/diffusers/models/attention_processor.py: get_attention_scores — baddbmm with
// alpha = scale, optional fp32 upcast of q/k (`upcast_attention`) and of the scores before the
// softmax (`upcast_softmax`), probabilities cast back to the query dtype, then bmm with v).
//
// Built against libtorch ≥ 2.0 (TORCH_VERSION_MAJOR), at::scaled_dot_product_attention is used
// instead unless disabled in the settings (the hand-written path stays available and tested).
//
// Without autograd (InferenceMode/NoGradGuard, or inputs that need no grad) each chunk reuses
// preallocated buffers through out= kernels: no page-faulting allocation per chunk. With autograd the
// forward is the same and the backward recomputes the probabilities chunk by chunk (only q, k, v are
// kept), so DragDiffusion's motion supervision and LoRA training stay within memory too.
#pragma once
#include <cstdint>

#include <torch/torch.h>

namespace latentshop::nn {

struct AttentionKernelSettings {
  // Largest scores block (batch·heads × query chunk × keys × element size) computed at once.
  int64_t maxScoreBytes = int64_t{16} << 20;
  // Use at::scaled_dot_product_attention when this libtorch has it (≥ 2.0).
  bool useSdpa = true;
};
AttentionKernelSettings attentionKernelSettings();
void setAttentionKernelSettings(const AttentionKernelSettings& settings);
// True when this build can call at::scaled_dot_product_attention.
bool sdpaAvailable();

struct AttentionKernelOptions {
  double scale = 1.0;
  bool upcastAttention = false;  // q·kᵀ and softmax in fp32 (SD 2.1's upcast_attention)
  bool upcastSoftmax = false;    // softmax in fp32 (the VAE's mid-block attention)
  int64_t queryChunk = 0;        // > 0: exact chunk length (tests); 0: from maxScoreBytes
  // Which hand-written implementation (Auto picks; the others exist for tests and benchmarks):
  // Batched = all heads per chunk through bmm (BLAS for fp32, oneDNN for bf16); PerHeadOneDnn = CPU
  // fp32/bf16, per (batch, head) chunks through oneDNN 1×1 convolutions (Auto's choice for fp32 on
  // CPU: ~1.8× less CPU than OpenBLAS here); Autograd = plain differentiable ops keeping every
  // chunk's probabilities (a reference; Auto uses the recomputing backward when grads are needed).
  enum class Path { Auto, Batched, PerHeadOneDnn, Autograd };
  Path path = Path::Auto;
  bool allowSdpa = true;         // false forces the hand-written path
};

// q [B, H, Nq, D], k [B, H, Nk, D], v [B, H, Nk, Dv] (any strides) → [B, Nq, H·Dv] (heads merged,
// contiguous, ready for to_out), in q's dtype.
torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                        const AttentionKernelOptions& options);

}  // namespace latentshop::nn
