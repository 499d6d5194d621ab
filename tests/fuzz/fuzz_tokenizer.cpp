// libFuzzer harness: the CLIP tokenizer (ftfy-style text fixing, ICU clean-up, pre-tokenizer, BPE)
// on arbitrary prompt bytes, with openai's vocabulary loaded once; the ids are decoded back.
// The vocabulary: $LATENTSHOP_SHARED_DIR/models/clip/bpe_simple_vocab_16e6.txt.gz (default: the
// shared folder the build was configured with).
#include <memory>

#include "engine/tokenizer/clip_tokenizer.h"
#include "tests/fuzz/fuzz_common.h"

using namespace latentshop;

namespace {
std::unique_ptr<ClipTokenizer> gTokenizer;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* env = std::getenv("LATENTSHOP_SHARED_DIR");
  const std::string shared = env && *env ? env : LATENTSHOP_SHARED_DIR;
  const std::string vocab = shared + "/models/clip/bpe_simple_vocab_16e6.txt.gz";
  try {
    gTokenizer = std::make_unique<ClipTokenizer>(ClipTokenizer::fromPath(vocab));
  } catch (const Error& e) {
    std::fprintf(stderr, "fuzz_tokenizer: cannot load the CLIP vocabulary: %s\n", e.what());
    std::exit(1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  LATENTSHOP_FUZZ_EXPECT_ERROR("CLIP tokenizer", {
    const ClipTokenization t = gTokenizer->encode(text);
    if (t.inputIds.size() != static_cast<size_t>(gTokenizer->maxLength()) ||
        t.attentionMask.size() != t.inputIds.size() || t.tokenIds.size() != t.tokens.size() ||
        t.inputIds.front() != gTokenizer->bosTokenId())
      std::abort();
    for (auto id : t.tokenIds)
      if (id < 0 || id >= static_cast<std::int64_t>(gTokenizer->vocabulary().decoder.size())) std::abort();
    (void)gTokenizer->decode(t.inputIds);
    (void)gTokenizer->decode(t.tokenIds, /*skipSpecial=*/false);
  });
  return 0;
}
