// libFuzzer harness: the CLIP vocabulary readers — a tokenizer/ folder (vocab.json, merges.txt,
// tokenizer_config.json, special_tokens_map.json) made from the input, or, when the input is gzip,
// openai's bpe_simple_vocab_16e6.txt.gz format — then a short prompt encoded with the result.
//
// Folder inputs are split on lines "#--- NAME" (NAME one of the four files above); text before the
// first such line is vocab.json.
#include <algorithm>
#include <filesystem>

#include "engine/tokenizer/clip_tokenizer.h"
#include "tests/fuzz/fuzz_common.h"

using namespace latentshop;

namespace {

const char* const kFiles[] = {"vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"};

void tryEncode(const ClipTokenizer& t) {
  const ClipTokenization r = t.encode("a photo of a cat, Caf\xc3\xa9 <|endoftext|> 42!");
  if (r.inputIds.size() != static_cast<size_t>(t.maxLength())) std::abort();
  (void)t.decode(r.inputIds);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
    const std::string path = fuzz::writeScratch("bpe_simple_vocab_16e6.txt.gz", data, size);
    LATENTSHOP_FUZZ_EXPECT_ERROR(path, tryEncode(ClipTokenizer::fromPath(path)));
    return 0;
  }
  const std::string dir = fuzz::scratchDir() + "/tokenizer";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string current = kFiles[0];
  size_t start = 0;
  auto flush = [&](size_t end) {
    fuzz::writeScratch("tokenizer/" + current, text.data() + start, end - start);
  };
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    const size_t lineEnd = nl == std::string::npos ? text.size() : nl;
    if (text.compare(pos, 5, "#--- ") == 0) {
      const std::string name = text.substr(pos + 5, lineEnd - pos - 5);
      for (const char* f : kFiles)
        if (name == f) {
          flush(std::max(start, pos ? pos - 1 : 0));
          current = f;
          start = nl == std::string::npos ? text.size() : nl + 1;
        }
    }
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  flush(text.size());
  LATENTSHOP_FUZZ_EXPECT_ERROR(dir, tryEncode(ClipTokenizer::fromPath(dir)));
  return 0;
}
