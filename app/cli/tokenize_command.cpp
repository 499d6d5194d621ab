// `latentshop-cli tokenize [--vocab FILE_OR_TOKENIZER_DIR] TEXT...`: how SD 1.x's CLIP tokenizer sees
// each prompt. Prints one JSON object per text (one per line): the 77 input ids, the token count
// (without bos/eos, before truncation), whether the prompt was truncated (more than 75 tokens) and
// the tokens. --vocab takes a diffusers tokenizer/ folder, a vocab.json or bpe_simple_vocab_16e6.txt.gz;
// without it $LATENTSHOP_CLIP_VOCAB is used.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/cli/command_registry.h"
#include "engine/core/error.h"
#include "engine/tokenizer/clip_tokenizer.h"

namespace {

struct TokenizeOptions {
  std::string vocab;
  std::vector<std::string> texts;
};

void runTokenize(const TokenizeOptions& o) {
  std::string vocab = o.vocab;
  if (vocab.empty()) {
    const char* env = std::getenv("LATENTSHOP_CLIP_VOCAB");
    if (!env || !*env)
      throw latentshop::Error(
          "tokenize: no CLIP vocabulary given: pass --vocab with a model's tokenizer/ folder, a vocab.json or "
          "bpe_simple_vocab_16e6.txt.gz, or set LATENTSHOP_CLIP_VOCAB");
    vocab = env;
  }
  const auto tokenizer = latentshop::ClipTokenizer::fromPath(vocab);
  for (const auto& text : o.texts) {
    const auto r = tokenizer.encode(text);
    nlohmann::ordered_json j;
    j["text"] = text;
    j["num_tokens"] = r.numTokens;
    j["max_tokens"] = tokenizer.maxLength() - 2;
    j["truncated"] = r.truncated;
    j["input_ids"] = r.inputIds;
    j["tokens"] = r.tokens;
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  }
}

void setup(CLI::App& app) {
  auto opts = std::make_shared<TokenizeOptions>();
  auto* cmd = app.add_subcommand("tokenize", "Show how the CLIP tokenizer encodes prompts (77 ids, token count, truncation)");
  cmd->add_option("--vocab", opts->vocab,
                  "tokenizer/ folder, vocab.json or bpe_simple_vocab_16e6.txt.gz (default: $LATENTSHOP_CLIP_VOCAB)");
  cmd->add_option("text", opts->texts, "Prompts to tokenize")->required();
  cmd->callback([opts] { runTokenize(*opts); });
}

}  // namespace

LATENTSHOP_CLI_COMMAND(tokenize, setup)
