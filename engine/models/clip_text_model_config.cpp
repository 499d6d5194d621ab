#include "engine/models/clip_text_model_config.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <type_traits>

#include "engine/core/error.h"

namespace latentshop {

namespace {

template <class T>
void read(const nlohmann::json& j, const char* key, T& out, const std::string& source) {
  if (!j.contains(key) || j[key].is_null()) return;
  const nlohmann::json& v = j[key];
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // nlohmann converts a float with static_cast, which is undefined behaviour outside T's range
    // (e.g. "hidden_size": 1e300): accept only integers and whole floats that fit.
    bool ok = v.is_number_integer() && !(v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<T>::max()));
    if (v.is_number_float()) {
      const double d = v.get<double>();
      ok = d == std::floor(d) && d >= static_cast<double>(std::numeric_limits<T>::min()) &&
           d < -2.0 * static_cast<double>(std::numeric_limits<T>::min());
    }
    if (!ok) throw fileError(source, std::string("'") + key + "' must be an integer (got " + v.dump() + ")");
  }
  try {
    out = v.get<T>();
  } catch (const nlohmann::json::exception&) {
    throw fileError(source, std::string("'") + key + "' has the wrong type (" + v.dump() + ")");
  }
}

}  // namespace

ClipTextConfig ClipTextConfig::fromJson(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw fileError(source, "config is not a JSON object");
  const nlohmann::json* j = &json;
  // A full CLIPModel config: CLIPTextModel.from_pretrained reads its text_config.
  // (json.value() would throw nlohmann's type_error for a non-string model_type.)
  const auto modelType = json.find("model_type");
  if (modelType != json.end() && modelType->is_string() && *modelType == "clip" && json.contains("text_config") &&
      json["text_config"].is_object())
    j = &json["text_config"];
  ClipTextConfig c;
  read(*j, "vocab_size", c.vocabSize, source);
  read(*j, "hidden_size", c.hiddenSize, source);
  read(*j, "intermediate_size", c.intermediateSize, source);
  read(*j, "projection_dim", c.projectionDim, source);
  read(*j, "num_hidden_layers", c.numHiddenLayers, source);
  read(*j, "num_attention_heads", c.numAttentionHeads, source);
  read(*j, "max_position_embeddings", c.maxPositionEmbeddings, source);
  read(*j, "hidden_act", c.hiddenAct, source);
  read(*j, "layer_norm_eps", c.layerNormEps, source);
  read(*j, "pad_token_id", c.padTokenId, source);
  read(*j, "bos_token_id", c.bosTokenId, source);
  read(*j, "eos_token_id", c.eosTokenId, source);
  read(*j, "use_attention_mask", c.useAttentionMask, source);
  if (c.vocabSize <= 0 || c.hiddenSize <= 0 || c.intermediateSize <= 0 || c.numHiddenLayers <= 0 ||
      c.numAttentionHeads <= 0 || c.maxPositionEmbeddings <= 0)
    throw fileError(source, "sizes must be positive");
  if (c.hiddenSize % c.numAttentionHeads != 0)
    throw fileError(source, "hidden_size " + std::to_string(c.hiddenSize) + " is not divisible by num_attention_heads " +
                                std::to_string(c.numAttentionHeads));
  static const char* const kActs[] = {"quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu",
                                      "silu", "swish"};
  bool known = false;
  for (const char* a : kActs) known = known || c.hiddenAct == a;
  if (!known) throw fileError(source, "hidden_act '" + c.hiddenAct + "' is not supported");
  return c;
}

ClipTextConfig ClipTextConfig::fromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw fileError(path, "cannot open the text encoder config");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw fileError(path, std::string("is not valid JSON (") + e.what() + ")");
  }
  return fromJson(j, path);
}

ClipTextConfig ClipTextConfig::sd15() {
  ClipTextConfig c;
  c.hiddenSize = 768;
  c.intermediateSize = 3072;
  c.projectionDim = 768;
  c.numHiddenLayers = 12;
  c.numAttentionHeads = 12;
  c.hiddenAct = "quick_gelu";
  c.padTokenId = 1;
  c.bosTokenId = 0;
  c.eosTokenId = 2;
  return c;
}

nlohmann::json ClipTextConfig::toJson() const {
  return {{"model_type", "clip_text_model"},
          {"vocab_size", vocabSize},
          {"hidden_size", hiddenSize},
          {"intermediate_size", intermediateSize},
          {"projection_dim", projectionDim},
          {"num_hidden_layers", numHiddenLayers},
          {"num_attention_heads", numAttentionHeads},
          {"max_position_embeddings", maxPositionEmbeddings},
          {"hidden_act", hiddenAct},
          {"layer_norm_eps", layerNormEps},
          {"pad_token_id", padTokenId},
          {"bos_token_id", bosTokenId},
          {"eos_token_id", eosTokenId},
          {"use_attention_mask", useAttentionMask}};
}

}  // namespace latentshop
