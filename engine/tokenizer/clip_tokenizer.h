// The CLIP tokenizer of SD 1.x/2.x: transformers' slow CLIPTokenizer with ftfy installed, called as
// diffusers' encode_prompt calls it (padding="max_length", max_length=77, truncation=True).
// Reference: huggingface/transformers src/transformers/models/clip/tokenization_clip.py
// (CLIPTokenizer._tokenize, bpe), src/transformers/tokenization_utils.py (tokenize: special tokens
// are split out of the raw text first); openai/CLIP clip/simple_tokenizer.py.
//
// Per piece of text between special tokens: fixText (ftfy.fix_text, see text_fixer.h), whitespace
// clean (runs of Python-whitespace → one space, stripped), str.lower(), then the pre-tokenizer
// <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// (case-insensitive), each piece's UTF-8 bytes mapped through bytes_to_unicode, then BPE.
// Special tokens (bos, eos, unk, pad strings) found verbatim in the text are kept whole, as
// transformers ≥ 4.34 does — note this includes an SD 2.x pad token "!", which then encodes as id 0.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tokenizer/clip_vocabulary.h"

namespace latentshop {

struct ClipTokenizerOptions {
  std::string bosToken = "<|startoftext|>";
  std::string eosToken = "<|endoftext|>";
  std::string unkToken = "<|endoftext|>";
  std::string padToken = "<|endoftext|>";  // SD 1.x pads with <|endoftext|> (49407); SD 2.x with "!" (0)
  int maxLength = 77;                      // bos + at most maxLength-2 ids + eos, then padding
};

struct ClipTokenization {
  std::vector<std::int64_t> inputIds;       // maxLength ids: bos, ids (truncated), eos, pad…
  std::vector<std::int64_t> attentionMask;  // 1 for bos…eos, 0 for the padding
  std::vector<std::string> tokens;          // every BPE token of the text, untruncated ("cat</w>")
  std::vector<std::int64_t> tokenIds;       // their ids, untruncated, without bos/eos
  int numTokens = 0;                        // tokens.size(): what the user's prompt costs
  bool truncated = false;                   // numTokens > maxLength - 2
};

class ClipTokenizer {
public:
  ClipTokenizer(std::shared_ptr<const ClipVocabulary> vocabulary, ClipTokenizerOptions options = {});

  // From a diffusers `tokenizer/` folder (vocab.json, merges.txt, optional tokenizer_config.json /
  // special_tokens_map.json for the special tokens and model_max_length), a diffusers model folder
  // (its tokenizer/), a vocab.json file (with merges.txt beside it) or openai's
  // bpe_simple_vocab_16e6.txt.gz. Throws Error naming what is missing.
  static ClipTokenizer fromPath(const std::string& path);

  std::vector<std::string> tokenize(const std::string& text) const;
  ClipTokenization encode(const std::string& text) const;
  std::vector<ClipTokenization> encode(const std::vector<std::string>& texts) const;
  // Tokens back to text: "</w>" becomes a space; special tokens are dropped when skipSpecial.
  std::string decode(const std::vector<std::int64_t>& ids, bool skipSpecial = true) const;

  std::int64_t bosTokenId() const { return bosId_; }
  std::int64_t eosTokenId() const { return eosId_; }
  std::int64_t padTokenId() const { return padId_; }
  std::int64_t unkTokenId() const { return unkId_; }
  int maxLength() const { return options_.maxLength; }
  const ClipTokenizerOptions& options() const { return options_; }
  const ClipVocabulary& vocabulary() const { return *vocab_; }

  // BPE of one pre-token already mapped through bytes_to_unicode (exposed for tests).
  std::vector<std::string> bpe(const std::string& byteEncodedToken) const;

private:
  std::int64_t idFor(const std::string& token, const char* role) const;
  void tokenizePiece(const std::string& piece, std::vector<std::string>& out) const;

  std::shared_ptr<const ClipVocabulary> vocab_;
  ClipTokenizerOptions options_;
  std::int64_t bosId_ = 0, eosId_ = 0, padId_ = 0, unkId_ = 0;
};

}  // namespace latentshop
