#include "engine/models/clip_text_model.h"

#include <cmath>
#include <limits>

#include "engine/core/error.h"

namespace latentshop {

namespace {

torch::Tensor emptyParameter(torch::nn::Module& m, const char* name, at::IntArrayRef shape,
                             const torch::TensorOptions& options) {
  return m.register_parameter(name, torch::empty(shape, options.requires_grad(false)), /*requires_grad=*/false);
}

torch::Tensor activation(const std::string& act, const torch::Tensor& x) {
  if (act == "quick_gelu") return x * torch::sigmoid(1.702 * x);
  if (act == "gelu") return torch::gelu(x);
  if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast") return torch::gelu(x, "tanh");
  if (act == "relu") return torch::relu(x);
  if (act == "silu" || act == "swish") return torch::silu(x);
  throw Error("CLIP text model: unsupported activation '" + act + "'");
}

// torch.finfo(dtype).min, the value transformers fills masked positions with.
double lowestValue(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::kHalf: return -65504.0;
    case c10::kBFloat16: return -3.3895313892515355e38;
    case c10::kDouble: return std::numeric_limits<double>::lowest();
    default: return double(std::numeric_limits<float>::lowest());
  }
}

}  // namespace

torch::Tensor clipCausalMask(std::int64_t length, c10::ScalarType dtype, c10::Device device) {
  const auto opts = torch::TensorOptions().dtype(dtype).device(device);
  return torch::full({length, length}, lowestValue(dtype), opts).triu(1).view({1, 1, length, length});
}

namespace clip {

LinearImpl::LinearImpl(std::int64_t in, std::int64_t out, const torch::TensorOptions& options) {
  weight = emptyParameter(*this, "weight", {out, in}, options);
  bias = emptyParameter(*this, "bias", {out}, options);
}

LayerNormImpl::LayerNormImpl(std::int64_t dim, double eps_, const torch::TensorOptions& options) : eps(eps_) {
  weight = emptyParameter(*this, "weight", {dim}, options);
  bias = emptyParameter(*this, "bias", {dim}, options);
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) const {
  return torch::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

EmbeddingImpl::EmbeddingImpl(std::int64_t count, std::int64_t dim, const torch::TensorOptions& options) {
  weight = emptyParameter(*this, "weight", {count, dim}, options);
}

EmbeddingsImpl::EmbeddingsImpl(const ClipTextConfig& c, const torch::TensorOptions& options) {
  token_embedding = register_module("token_embedding", Embedding(c.vocabSize, c.hiddenSize, options));
  position_embedding = register_module("position_embedding", Embedding(c.maxPositionEmbeddings, c.hiddenSize, options));
}

torch::Tensor EmbeddingsImpl::forward(const torch::Tensor& inputIds, const torch::Tensor& positionIds) const {
  const auto length = inputIds.size(-1);
  const torch::Tensor pos =
      positionIds.defined()
          ? positionIds
          : torch::arange(length, torch::TensorOptions().dtype(torch::kLong).device(inputIds.device())).unsqueeze(0);
  return token_embedding->forward(inputIds) + position_embedding->forward(pos);
}

AttentionImpl::AttentionImpl(const ClipTextConfig& c, const torch::TensorOptions& options)
    : heads(c.numAttentionHeads), headDim(c.headDim()), scale(std::pow(double(c.headDim()), -0.5)) {
  k_proj = register_module("k_proj", Linear(c.hiddenSize, c.hiddenSize, options));
  v_proj = register_module("v_proj", Linear(c.hiddenSize, c.hiddenSize, options));
  q_proj = register_module("q_proj", Linear(c.hiddenSize, c.hiddenSize, options));
  out_proj = register_module("out_proj", Linear(c.hiddenSize, c.hiddenSize, options));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) const {
  const auto b = x.size(0), t = x.size(1);
  const auto split = [&](const torch::Tensor& y) { return y.view({b, t, heads, headDim}).transpose(1, 2); };
  const auto q = split(q_proj->forward(x) * scale);
  const auto k = split(k_proj->forward(x));
  const auto v = split(v_proj->forward(x));
  auto weights = torch::matmul(q, k.transpose(-1, -2));  // [B, heads, T, T]
  if (mask.defined()) weights = weights + mask;
  weights = torch::softmax(weights, -1);
  const auto out = torch::matmul(weights, v).transpose(1, 2).reshape({b, t, heads * headDim});
  return out_proj->forward(out);
}

MlpImpl::MlpImpl(const ClipTextConfig& c, const torch::TensorOptions& options) : act(c.hiddenAct) {
  fc1 = register_module("fc1", Linear(c.hiddenSize, c.intermediateSize, options));
  fc2 = register_module("fc2", Linear(c.intermediateSize, c.hiddenSize, options));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) const { return fc2->forward(activation(act, fc1->forward(x))); }

EncoderLayerImpl::EncoderLayerImpl(const ClipTextConfig& c, const torch::TensorOptions& options) {
  self_attn = register_module("self_attn", Attention(c, options));
  layer_norm1 = register_module("layer_norm1", LayerNorm(c.hiddenSize, c.layerNormEps, options));
  mlp = register_module("mlp", Mlp(c, options));
  layer_norm2 = register_module("layer_norm2", LayerNorm(c.hiddenSize, c.layerNormEps, options));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) const {
  const auto h = x + self_attn->forward(layer_norm1->forward(x), mask);
  return h + mlp->forward(layer_norm2->forward(h));
}

EncoderImpl::EncoderImpl(const ClipTextConfig& c, const torch::TensorOptions& options) {
  layers = register_module("layers", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < c.numHiddenLayers; ++i) {
    layerList.push_back(EncoderLayer(c, options));
    layers->push_back(layerList.back());
  }
}

TextTransformerImpl::TextTransformerImpl(const ClipTextConfig& c, const torch::TensorOptions& options) {
  embeddings = register_module("embeddings", Embeddings(c, options));
  encoder = register_module("encoder", Encoder(c, options));
  final_layer_norm = register_module("final_layer_norm", LayerNorm(c.hiddenSize, c.layerNormEps, options));
}

}  // namespace clip

ClipTextModelImpl::ClipTextModelImpl(const ClipTextConfig& config, const torch::TensorOptions& options)
    : config_(config) {
  text_model = register_module("text_model", clip::TextTransformer(config, options));
}

torch::Tensor ClipTextModelImpl::run(const torch::Tensor& inputIds, std::int64_t numLayers,
                                     const torch::Tensor& attentionMask, const torch::Tensor& positionIds,
                                     std::vector<torch::Tensor>* states) {
  if (inputIds.dim() != 2) throw Error("CLIP text model: input_ids must be [batch, length]");
  const auto length = inputIds.size(1);
  if (length > config_.maxPositionEmbeddings)
    throw Error("CLIP text model: " + std::to_string(length) + " tokens exceed max_position_embeddings " +
                std::to_string(config_.maxPositionEmbeddings));
  const auto ids = inputIds.to(device(), torch::kLong);
  auto h = text_model->embeddings->forward(
      ids, positionIds.defined() ? positionIds.to(device(), torch::kLong) : torch::Tensor());
  auto mask = clipCausalMask(length, h.scalar_type(), h.device());
  if (attentionMask.defined()) {
    // [B, T] of 1/0 → additive [B, 1, 1, T] added to the causal mask, as transformers does.
    const auto drop = attentionMask.to(h.device()).view({attentionMask.size(0), 1, 1, length}) == 0;
    mask = mask + torch::zeros(drop.sizes(), h.options()).masked_fill(drop, lowestValue(h.scalar_type()));
  }
  const auto& layers = text_model->encoder->layerList;
  for (std::int64_t i = 0; i < numLayers; ++i) {
    if (states) states->push_back(h);
    h = layers[static_cast<std::size_t>(i)]->forward(h, mask);
  }
  if (states) states->push_back(h);
  return h;
}

ClipTextOutput ClipTextModelImpl::forward(const torch::Tensor& inputIds, bool outputHiddenStates,
                                          const torch::Tensor& attentionMask, const torch::Tensor& positionIds) {
  ClipTextOutput out;
  const auto encoded = run(inputIds, config_.numHiddenLayers, attentionMask, positionIds,
                           outputHiddenStates ? &out.hiddenStates : nullptr);
  out.lastHiddenState = text_model->final_layer_norm->forward(encoded);
  const auto ids = inputIds.to(out.lastHiddenState.device(), torch::kLong);
  // transformers 4.38: the legacy eos_token_id == 2 takes argmax(input_ids) (the highest id is
  // <|endoftext|> in CLIP's vocabulary); otherwise the first position holding eos_token_id.
  const auto where =
      config_.eosTokenId == 2 ? ids.argmax(-1) : (ids == config_.eosTokenId).to(torch::kInt).argmax(-1);
  const auto rows = torch::arange(ids.size(0), ids.options());
  out.pooledOutput = out.lastHiddenState.index({rows, where});
  return out;
}

torch::Tensor ClipTextModelImpl::encodePrompt(const torch::Tensor& inputIds, int clipSkip, const torch::Tensor& attentionMask) {
  if (clipSkip < 0 || clipSkip >= config_.numHiddenLayers)
    throw Error("clip skip " + std::to_string(clipSkip) + " must be between 0 and " +
                std::to_string(config_.numHiddenLayers - 1));
  const auto encoded = run(inputIds, config_.numHiddenLayers - clipSkip, attentionMask, {}, nullptr);
  return text_model->final_layer_norm->forward(encoded);
}

ClipTextModel loadClipTextModel(const ClipTextConfig& config, const StateDict& weights, const std::string& source,
                                const torch::TensorOptions& options) {
  ClipTextModel model(config, options);
  BindOptions bind;
  bind.ignoreUnexpectedSuffixes = kClipTextIgnoredKeys;
  bindStateDict(*model, weights, source, "CLIPTextModel", bind);
  model->eval();
  return model;
}

}  // namespace latentshop
