#include "engine/models/clip_text_model_prompts.h"

#include "engine/core/error.h"

namespace latentshop {

namespace {

torch::Tensor stack(const std::vector<ClipTokenization>& tokens, bool mask) {
  if (tokens.empty()) throw Error("no prompts to encode");
  const auto length = static_cast<std::int64_t>(tokens.front().inputIds.size());
  auto out = torch::empty({static_cast<std::int64_t>(tokens.size()), length}, torch::kLong);
  auto acc = out.accessor<std::int64_t, 2>();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto& v = mask ? tokens[i].attentionMask : tokens[i].inputIds;
    if (static_cast<std::int64_t>(v.size()) != length) throw Error("prompts were tokenized to different lengths");
    for (std::int64_t j = 0; j < length; ++j) acc[static_cast<std::int64_t>(i)][j] = v[static_cast<std::size_t>(j)];
  }
  return out;
}

}  // namespace

torch::Tensor tokenIdsTensor(const std::vector<ClipTokenization>& tokens) { return stack(tokens, false); }
torch::Tensor attentionMaskTensor(const std::vector<ClipTokenization>& tokens) { return stack(tokens, true); }

PromptEncoding encodePrompts(const ClipTokenizer& tokenizer, ClipTextModel& textEncoder,
                             const std::vector<std::string>& prompts, int clipSkip) {
  PromptEncoding r;
  r.tokens = tokenizer.encode(prompts);
  const auto ids = tokenIdsTensor(r.tokens);
  const auto mask = textEncoder->config().useAttentionMask ? attentionMaskTensor(r.tokens) : torch::Tensor();
  r.embeddings = textEncoder->encodePrompt(ids, clipSkip, mask);
  return r;
}

}  // namespace latentshop
