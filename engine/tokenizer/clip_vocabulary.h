// CLIP's byte-level BPE vocabulary: token ↔ id and the ranked merges, read either from openai's
// `bpe_simple_vocab_16e6.txt.gz` (derived exactly as openai's SimpleTokenizer does) or from a
// diffusers/transformers `tokenizer/` folder's vocab.json + merges.txt (as CLIPTokenizer reads them).
// Reference: openai/CLIP clip/simple_tokenizer.py (bytes_to_unicode, SimpleTokenizer.__init__);
// huggingface/transformers src/transformers/models/clip/tokenization_clip.py (CLIPTokenizer.__init__).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace latentshop {

// Merges used by CLIP: 49152 - 256 - 2 (both sources keep the first this many lines after the header).
constexpr int kClipMergeCount = 49152 - 256 - 2;

// bytes_to_unicode(): the printable character (as UTF-8) standing for each byte. Printable bytes
// '!'..'~', '¡'..'¬', '®'..'ÿ' stand for themselves; the others map to U+0100 + n in byte order.
const std::array<std::string, 256>& clipByteEncoder();
// The inverse of clipByteEncoder(), by the character's code point; -1 where none.
int clipByteDecoder(char32_t cp);

struct ClipVocabulary {
  std::unordered_map<std::string, std::int64_t> encoder;  // token → id
  std::unordered_map<std::int64_t, std::string> decoder;  // id → token
  std::vector<std::pair<std::string, std::string>> merges; // in rank order
  std::unordered_map<std::string, int> mergeRanks;         // "first second" → rank
  std::string source;                                      // the file(s) it came from

  // openai's gzip file: vocab = 256 byte characters, the same with "</w>", the 48894 merges
  // joined, then <|startoftext|> and <|endoftext|> (49408 ids). Throws Error naming the file.
  static ClipVocabulary fromOpenAiBpe(const std::string& gzPath);
  // vocab.json ({token: id}) and merges.txt ("#version" line, then "first second" per line).
  static ClipVocabulary fromVocabAndMerges(const std::string& vocabJsonPath, const std::string& mergesPath);

  // -1 when the token is not in the vocabulary.
  std::int64_t idOf(const std::string& token) const;
  int rank(const std::string& first, const std::string& second) const;  // -1: no such merge
};

}  // namespace latentshop
