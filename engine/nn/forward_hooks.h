// Hooks a caller passes into a model's forward (UNet, VAE): an attention controller that sees (and
// may edit) every attention call, and a recorder of intermediate module outputs for parity tests.
// Both are optional; a null ForwardHooks pointer (the default everywhere) costs nothing.
//
// Reference for the attention-controller contract: DragDiffusion's `utils/attn_utils.py`
// (AttentionBase / MutualSelfAttentionControl, registered on every diffusers `Attention` module
// of the UNet). For the recorder: PyTorch forward hooks as used to write ../shared/golden
// (`inter.<run>.<module path>`: the module's output, the first element of tuples; attention and
// feed-forward outputs are recorded *before* the residual add, because that is their module output).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace latentshop::nn {

// One call of an Attention module. q, k and v are split into heads: [batch, heads, tokens, head_dim]
// (DragDiffusion's `b h n d`), in the compute dtype, after to_q/to_k/to_v (and their LoRA).
struct AttentionCall {
  const std::string& path;  // module path inside the model, e.g. "up_blocks.2.attentions.0.transformer_blocks.0.attn1"
  bool isCross = false;     // keys/values come from encoder_hidden_states (attn2), not from the query tokens
  int64_t heads = 1;
  double scale = 1.0;       // softmax scale (head_dim^-0.5)
  torch::Tensor q;          // [B, H, Nq, D]
  torch::Tensor k;          // [B, H, Nk, D] — a controller may replace k and v (e.g. batch 1 takes batch 0's)
  torch::Tensor v;          // [B, H, Nk, D]
  // Left undefined, the module computes softmax(q kᵀ · scale) v from the (possibly replaced) q, k, v.
  // A controller that sets it ([B, H, Nq, D]) replaces the attention result altogether.
  torch::Tensor out;
};

// Called once for every Attention call of a forward, in execution order. For the UNet that is, per
// transformer block, attn1 (self; cross only with only_cross_attention) then attn2 (cross), blocks in
// the order down_blocks[0..] → mid_block → up_blocks[0..]: exactly the order in which DragDiffusion's
// editor counts calls (32 calls per forward for SD 1.5, `call_index // 2` = transformer-block index).
// The VAE's mid-block attention also goes through the controller when one is passed to the VAE.
class AttentionController {
public:
  virtual ~AttentionController() = default;
  virtual void onAttention(AttentionCall& call) = 0;
};

// Receives module outputs by path ("down_blocks.0.resnets.0.conv1", "mid_block", ...).
class IntermediateRecorder {
public:
  virtual ~IntermediateRecorder() = default;
  // Asked before a value is recorded; return false to skip it (and its cost).
  virtual bool wants(const std::string& path) const { return true; }
  // `value` may be modified in place later in the forward: keep a clone if it must survive.
  virtual void record(const std::string& path, const torch::Tensor& value) = 0;
};

// Keeps a detached clone of every recorded output, keyed by `prefix + path`.
class TensorMapRecorder : public IntermediateRecorder {
public:
  explicit TensorMapRecorder(std::string prefix = "") : prefix_(std::move(prefix)) {}
  void record(const std::string& path, const torch::Tensor& value) override;
  const std::map<std::string, torch::Tensor>& values() const { return values_; }
  std::map<std::string, torch::Tensor>& values() { return values_; }

private:
  std::string prefix_;
  std::map<std::string, torch::Tensor> values_;
};

// What a forward receives. Cheap to copy; pointers are not owned.
struct ForwardHooks {
  AttentionController* attention = nullptr;
  IntermediateRecorder* recorder = nullptr;
};

// Records `value` under `path` when `hooks` has a recorder that wants it. Inline so the common case
// (no hooks) is one null check.
inline void recordOutput(const ForwardHooks* hooks, const std::string& path, const torch::Tensor& value) {
  if (hooks && hooks->recorder && hooks->recorder->wants(path)) hooks->recorder->record(path, value);
}
// Same, for a child "<path>.<child>" (the string is only built when something is recorded).
inline void recordChild(const ForwardHooks* hooks, const std::string& path, const char* child,
                        const torch::Tensor& value) {
  if (hooks && hooks->recorder) {
    const std::string full = path.empty() ? std::string(child) : path + "." + child;
    if (hooks->recorder->wants(full)) hooks->recorder->record(full, value);
  }
}

}  // namespace latentshop::nn
