// CLIPTextModel: the text encoder of SD 1.x/2.x. Token + position embeddings, causal self-attention
// in pre-LayerNorm encoder layers, final LayerNorm, pooled output at the end-of-text token.
// Parameter names are transformers' state-dict keys ("text_model.encoder.layers.0.self_attn.q_proj.weight"),
// so a transformers/diffusers text_encoder/model.safetensors binds with no renaming; the buffer
// "text_model.embeddings.position_ids" that older files carry is not a parameter (ignore it on load:
// kClipTextIgnoredKeys). Parameters are created uninitialised (torch::empty) in the requested
// dtype/device — bind weights before use — and do not require grad.
// Reference: huggingface/transformers src/transformers/models/clip/modeling_clip.py (4.38:
// CLIPTextEmbeddings, CLIPAttention, CLIPMLP, CLIPEncoderLayer, CLIPEncoder, CLIPTextTransformer).
#pragma once
#include <string>
#include <vector>

#include <torch/torch.h>

#include "engine/io/state_dict.h"
#include "engine/models/clip_text_model_config.h"

namespace latentshop {

// Keys a text encoder file may hold that are not parameters of the model.
inline const std::vector<std::string> kClipTextIgnoredKeys = {"text_model.embeddings.position_ids"};

struct ClipTextOutput {
  torch::Tensor lastHiddenState;           // [B, T, H], after the final LayerNorm
  torch::Tensor pooledOutput;              // [B, H], last_hidden_state at the end-of-text token
  std::vector<torch::Tensor> hiddenStates; // when asked: [embeddings, after layer 1, …, after layer N] (no final LN)
};

namespace clip {

// torch.nn.Linear / LayerNorm / Embedding parameter layouts with uninitialised storage.
struct LinearImpl : torch::nn::Module {
  LinearImpl(std::int64_t in, std::int64_t out, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const { return torch::linear(x, weight, bias); }
  torch::Tensor weight, bias;
};
TORCH_MODULE(Linear);

struct LayerNormImpl : torch::nn::Module {
  LayerNormImpl(std::int64_t dim, double eps, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;
  torch::Tensor weight, bias;
  double eps;
};
TORCH_MODULE(LayerNorm);

struct EmbeddingImpl : torch::nn::Module {
  EmbeddingImpl(std::int64_t count, std::int64_t dim, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& ids) const { return torch::embedding(weight, ids); }
  torch::Tensor weight;
};
TORCH_MODULE(Embedding);

struct EmbeddingsImpl : torch::nn::Module {
  EmbeddingsImpl(const ClipTextConfig& config, const torch::TensorOptions& options);
  // inputIds int64 [B, T]; positionIds [B or 1, T] or undefined (0..T-1).
  torch::Tensor forward(const torch::Tensor& inputIds, const torch::Tensor& positionIds) const;
  Embedding token_embedding{nullptr}, position_embedding{nullptr};
};
TORCH_MODULE(Embeddings);

struct AttentionImpl : torch::nn::Module {
  AttentionImpl(const ClipTextConfig& config, const torch::TensorOptions& options);
  // x [B, T, H]; mask additive, broadcastable to [B, heads, T, T] (or undefined).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) const;
  Linear k_proj{nullptr}, v_proj{nullptr}, q_proj{nullptr}, out_proj{nullptr};
  std::int64_t heads, headDim;
  double scale;
};
TORCH_MODULE(Attention);

struct MlpImpl : torch::nn::Module {
  MlpImpl(const ClipTextConfig& config, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;
  Linear fc1{nullptr}, fc2{nullptr};
  std::string act;
};
TORCH_MODULE(Mlp);

struct EncoderLayerImpl : torch::nn::Module {
  EncoderLayerImpl(const ClipTextConfig& config, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) const;
  Attention self_attn{nullptr};
  LayerNorm layer_norm1{nullptr};
  Mlp mlp{nullptr};
  LayerNorm layer_norm2{nullptr};
};
TORCH_MODULE(EncoderLayer);

struct EncoderImpl : torch::nn::Module {
  EncoderImpl(const ClipTextConfig& config, const torch::TensorOptions& options);
  torch::nn::ModuleList layers{nullptr};
  std::vector<EncoderLayer> layerList;  // the same modules, typed
};
TORCH_MODULE(Encoder);

struct TextTransformerImpl : torch::nn::Module {
  TextTransformerImpl(const ClipTextConfig& config, const torch::TensorOptions& options);
  Embeddings embeddings{nullptr};
  Encoder encoder{nullptr};
  LayerNorm final_layer_norm{nullptr};
};
TORCH_MODULE(TextTransformer);

}  // namespace clip

class ClipTextModelImpl : public torch::nn::Module {
public:
  explicit ClipTextModelImpl(const ClipTextConfig& config, const torch::TensorOptions& options = {});

  // input_ids int64 [B, T] (T ≤ max_position_embeddings). attentionMask: optional [B, T] of 1/0
  // (SD pipelines pass none). outputHiddenStates: fill ClipTextOutput::hiddenStates.
  ClipTextOutput forward(const torch::Tensor& inputIds, bool outputHiddenStates = false,
                         const torch::Tensor& attentionMask = {}, const torch::Tensor& positionIds = {});

  // diffusers' encode_prompt: last_hidden_state for clipSkip 0; for clipSkip k > 0 the output of
  // layer N-k put through the final LayerNorm (hidden_states[-(k+1)]). Layers after N-k are not run.
  torch::Tensor encodePrompt(const torch::Tensor& inputIds, int clipSkip = 0, const torch::Tensor& attentionMask = {});

  const ClipTextConfig& config() const { return config_; }
  c10::ScalarType dtype() const { return text_model->final_layer_norm->weight.scalar_type(); }
  c10::Device device() const { return text_model->final_layer_norm->weight.device(); }

  clip::TextTransformer text_model{nullptr};

private:
  // Embeddings and the first `numLayers` layers; hidden states collected when `states` is given.
  torch::Tensor run(const torch::Tensor& inputIds, std::int64_t numLayers, const torch::Tensor& attentionMask,
                    const torch::Tensor& positionIds, std::vector<torch::Tensor>* states);
  ClipTextConfig config_;
};
TORCH_MODULE(ClipTextModel);

// Builds the model in `options`' dtype/device and binds `weights` strictly (every parameter present
// with its shape, nothing unexpected except kClipTextIgnoredKeys); errors name `source`.
ClipTextModel loadClipTextModel(const ClipTextConfig& config, const StateDict& weights, const std::string& source,
                                const torch::TensorOptions& options = {});

// Additive causal mask [1, 1, T, T]: 0 on and below the diagonal, the dtype's lowest value above.
torch::Tensor clipCausalMask(std::int64_t length, c10::ScalarType dtype, c10::Device device);

}  // namespace latentshop
