// CLIPTextConfig: the text encoder's hyper-parameters, read from a transformers config.json (a
// CLIPTextModel config, or a full CLIPModel config's "text_config"). Absent keys take
// transformers' CLIPTextConfig defaults (4.38), so partial configs work as from_pretrained reads them.
// Reference: huggingface/transformers src/transformers/models/clip/configuration_clip.py.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace latentshop {

struct ClipTextConfig {
  std::int64_t vocabSize = 49408;
  std::int64_t hiddenSize = 512;
  std::int64_t intermediateSize = 2048;
  std::int64_t projectionDim = 512;  // unused by CLIPTextModel (no projection), kept for completeness
  std::int64_t numHiddenLayers = 12;
  std::int64_t numAttentionHeads = 8;
  std::int64_t maxPositionEmbeddings = 77;
  std::string hiddenAct = "quick_gelu";  // quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu
  double layerNormEps = 1e-5;
  std::int64_t padTokenId = 1;
  std::int64_t bosTokenId = 49406;
  // 2 in SD 1.x configs (a legacy value): the pooled output is then taken at argmax(input_ids).
  std::int64_t eosTokenId = 49407;
  // diffusers passes the tokenizer's attention mask to the text encoder only when the config sets
  // use_attention_mask (SD 1.x/2.x configs do not).
  bool useAttentionMask = false;

  std::int64_t headDim() const { return hiddenSize / numAttentionHeads; }

  // Throws Error("<source>: ...") for a wrong type or an inconsistent value.
  static ClipTextConfig fromJson(const nlohmann::json& json, const std::string& source);
  static ClipTextConfig fromFile(const std::string& path);
  // SD 1.x's text encoder (openai CLIP ViT-L/14): hidden 768, 12 layers, 12 heads, MLP 3072, quick_gelu.
  static ClipTextConfig sd15();
  nlohmann::json toJson() const;
};

}  // namespace latentshop
