// Prompts → text embeddings as diffusers' StableDiffusionPipeline.encode_prompt does it for SD 1.x:
// tokenize with padding to max_length and truncation, run the text encoder (with the attention mask
// only when its config sets use_attention_mask), clip skip = final LayerNorm of an earlier layer's
// hidden state. The pipelines call this for the prompt and the negative prompt ("" for none).
// Reference: huggingface/diffusers src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion.py
// (encode_prompt, v0.26.3).
#pragma once
#include <string>
#include <vector>

#include <torch/torch.h>

#include "engine/models/clip_text_model.h"
#include "engine/tokenizer/clip_tokenizer.h"

namespace latentshop {

struct PromptEncoding {
  torch::Tensor embeddings;              // [B, 77, hidden] in the text encoder's dtype, on its device
  std::vector<ClipTokenization> tokens;  // per prompt: ids, count, truncation (for the UI's warning)
};

PromptEncoding encodePrompts(const ClipTokenizer& tokenizer, ClipTextModel& textEncoder,
                             const std::vector<std::string>& prompts, int clipSkip = 0);

// input_ids / attention_mask of several tokenizations as int64 [B, T].
torch::Tensor tokenIdsTensor(const std::vector<ClipTokenization>& tokens);
torch::Tensor attentionMaskTensor(const std::vector<ClipTokenization>& tokens);

}  // namespace latentshop
