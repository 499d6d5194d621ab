#include "engine/tokenizer/clip_tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/tokenizer/text_fixer.h"
#include "engine/tokenizer/unicode_text.h"

namespace latentshop {

namespace fs = std::filesystem;

namespace {

const icu::RegexPattern& preTokenizer() {
  static const auto re = unicode::compileRegex(
      U"<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|"
      U"[^\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
      U"\\p{L}\\p{N}]+",
      UREGEX_CASE_INSENSITIVE);
  return *re;
}

// Splits UTF-8 into its characters.
std::vector<std::string> utf8Chars(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

// A special-token string: a JSON string or an AddedToken object {"content": ...}.
std::optional<std::string> tokenString(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return std::nullopt;
}

nlohmann::json readJsonIfPresent(const fs::path& p) {
  if (!fs::exists(p)) return nlohmann::json::object();
  std::ifstream in(p);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw fileError(p.string(), std::string("is not valid JSON (") + e.what() + ")");
  }
}

void applyTokenizerJson(const nlohmann::json& j, ClipTokenizerOptions& o) {
  if (!j.is_object()) return;
  if (auto s = tokenString(j, "bos_token")) o.bosToken = *s;
  if (auto s = tokenString(j, "eos_token")) o.eosToken = *s;
  if (auto s = tokenString(j, "unk_token")) o.unkToken = *s;
  if (auto s = tokenString(j, "pad_token")) o.padToken = *s;
  if (j.contains("model_max_length") && j["model_max_length"].is_number()) {
    const double m = j["model_max_length"].get<double>();
    if (m >= 3 && m <= 1e6) o.maxLength = static_cast<int>(m);  // "unset" is written as 1e30
  }
}

}  // namespace

ClipTokenizer::ClipTokenizer(std::shared_ptr<const ClipVocabulary> vocabulary, ClipTokenizerOptions options)
    : vocab_(std::move(vocabulary)), options_(std::move(options)) {
  if (options_.maxLength < 3) throw Error("CLIP tokenizer: max length " + std::to_string(options_.maxLength) + " is below 3");
  unkId_ = idFor(options_.unkToken, "unk");
  bosId_ = idFor(options_.bosToken, "bos");
  eosId_ = idFor(options_.eosToken, "eos");
  padId_ = idFor(options_.padToken, "pad");
}

std::int64_t ClipTokenizer::idFor(const std::string& token, const char* role) const {
  const auto id = vocab_->idOf(token);
  if (id < 0)
    throw fileError(vocab_->source, std::string(role) + " token '" + token + "' is not in the vocabulary");
  return id;
}

ClipTokenizer ClipTokenizer::fromPath(const std::string& path) {
  const fs::path p(path);
  if (!fs::exists(p)) throw fileError(path, "no such file or folder (expected a tokenizer/ folder, vocab.json or bpe_simple_vocab_16e6.txt.gz)");
  if (fs::is_regular_file(p) && p.extension() == ".gz")
    return ClipTokenizer(std::make_shared<ClipVocabulary>(ClipVocabulary::fromOpenAiBpe(path)));
  // A folder holding only OpenAI's BPE file (as ../shared/models/clip does).
  if (fs::is_directory(p) && !fs::exists(p / "vocab.json") && fs::exists(p / "bpe_simple_vocab_16e6.txt.gz"))
    return fromPath((p / "bpe_simple_vocab_16e6.txt.gz").string());
  // A whole diffusers model folder: use its tokenizer/.
  if (fs::is_directory(p) && !fs::exists(p / "vocab.json") && fs::exists(p / "tokenizer" / "vocab.json"))
    return fromPath((p / "tokenizer").string());
  const fs::path dir = fs::is_directory(p) ? p : p.parent_path();
  const fs::path vocab = fs::is_directory(p) ? dir / "vocab.json" : p;
  const fs::path merges = dir / "merges.txt";
  if (!fs::exists(vocab)) throw fileError(dir.string(), "tokenizer folder has no vocab.json");
  if (!fs::exists(merges)) throw fileError(dir.string(), "tokenizer folder has no merges.txt");
  ClipTokenizerOptions options;
  applyTokenizerJson(readJsonIfPresent(dir / "tokenizer_config.json"), options);
  const auto special = readJsonIfPresent(dir / "special_tokens_map.json");
  ClipTokenizerOptions fromSpecial = options;
  applyTokenizerJson(special, fromSpecial);
  fromSpecial.maxLength = options.maxLength;  // only tokenizer_config.json sets the length
  return ClipTokenizer(std::make_shared<ClipVocabulary>(ClipVocabulary::fromVocabAndMerges(vocab.string(), merges.string())),
                       fromSpecial);
}

std::vector<std::string> ClipTokenizer::bpe(const std::string& token) const {
  if (token == "<|startoftext|>" || token == "<|endoftext|>") return {token};
  std::vector<std::string> word = utf8Chars(token);
  if (word.empty()) return {};
  word.back() += "</w>";
  while (word.size() > 1) {
    int best = std::numeric_limits<int>::max();
    std::size_t bestAt = 0;
    for (std::size_t i = 0; i + 1 < word.size(); ++i) {
      const int r = vocab_->rank(word[i], word[i + 1]);
      if (r >= 0 && r < best) {
        best = r;
        bestAt = i;
      }
    }
    if (best == std::numeric_limits<int>::max()) break;
    const std::string first = word[bestAt], second = word[bestAt + 1];
    std::vector<std::string> merged;
    merged.reserve(word.size());
    for (std::size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
        merged.push_back(first + second);
        i += 2;
      } else {
        merged.push_back(word[i]);
        ++i;
      }
    }
    word = std::move(merged);
  }
  return word;
}

void ClipTokenizer::tokenizePiece(const std::string& piece, std::vector<std::string>& out) const {
  const std::u32string cleaned =
      unicode::lower(unicode::whitespaceClean(textfix::fixText(unicode::fromUtf8(piece))));
  const icu::UnicodeString input = unicode::toIcu(cleaned);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> m(preTokenizer().matcher(input, status));
  while (U_SUCCESS(status) && m->find(status)) {
    icu::UnicodeString match;
    input.extract(m->start(status), m->end(status) - m->start(status), match);
    std::string byteEncoded;
    for (unsigned char b : unicode::toUtf8(unicode::fromIcu(match))) byteEncoded += clipByteEncoder()[b];
    for (auto& t : bpe(byteEncoded)) out.push_back(std::move(t));
  }
}

std::vector<std::string> ClipTokenizer::tokenize(const std::string& text) const {
  // Split the raw text on the special-token strings (longest first at the earliest position).
  std::vector<std::string> specials = {options_.bosToken, options_.eosToken, options_.unkToken, options_.padToken};
  std::sort(specials.begin(), specials.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::vector<std::string> tokens;
  std::size_t pos = 0, pieceStart = 0;
  while (pos < text.size()) {
    const std::string* hit = nullptr;
    for (const auto& s : specials)
      if (!s.empty() && text.compare(pos, s.size(), s) == 0) {
        hit = &s;
        break;
      }
    if (!hit) {
      ++pos;
      continue;
    }
    if (pos > pieceStart) tokenizePiece(text.substr(pieceStart, pos - pieceStart), tokens);
    tokens.push_back(*hit);
    pos += hit->size();
    pieceStart = pos;
  }
  if (pieceStart < text.size()) tokenizePiece(text.substr(pieceStart), tokens);
  return tokens;
}

ClipTokenization ClipTokenizer::encode(const std::string& text) const {
  ClipTokenization r;
  r.tokens = tokenize(text);
  r.tokenIds.reserve(r.tokens.size());
  for (const auto& t : r.tokens) {
    const auto id = vocab_->idOf(t);
    r.tokenIds.push_back(id < 0 ? unkId_ : id);
  }
  r.numTokens = static_cast<int>(r.tokens.size());
  const std::size_t room = static_cast<std::size_t>(options_.maxLength - 2);
  r.truncated = r.tokenIds.size() > room;
  const std::size_t kept = std::min(room, r.tokenIds.size());
  r.inputIds.reserve(static_cast<std::size_t>(options_.maxLength));
  r.inputIds.push_back(bosId_);
  r.inputIds.insert(r.inputIds.end(), r.tokenIds.begin(), r.tokenIds.begin() + static_cast<std::ptrdiff_t>(kept));
  r.inputIds.push_back(eosId_);
  r.attentionMask.assign(r.inputIds.size(), 1);
  r.inputIds.resize(static_cast<std::size_t>(options_.maxLength), padId_);
  r.attentionMask.resize(static_cast<std::size_t>(options_.maxLength), 0);
  return r;
}

std::vector<ClipTokenization> ClipTokenizer::encode(const std::vector<std::string>& texts) const {
  std::vector<ClipTokenization> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(encode(t));
  return out;
}

std::string ClipTokenizer::decode(const std::vector<std::int64_t>& ids, bool skipSpecial) const {
  std::string joined;
  for (auto id : ids) {
    if (skipSpecial && (id == bosId_ || id == eosId_ || id == padId_ || id == unkId_)) continue;
    auto it = vocab_->decoder.find(id);
    if (it != vocab_->decoder.end()) joined += it->second;
  }
  // Byte characters back to bytes ("</w>" marks word ends), then UTF-8 with replacement.
  std::string bytes;
  const std::u32string chars = unicode::fromUtf8(joined);
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (chars.compare(i, 4, U"</w>") == 0) {
      bytes.push_back(' ');
      i += 3;
      continue;
    }
    const int b = clipByteDecoder(chars[i]);
    if (b >= 0) bytes.push_back(static_cast<char>(b));
    else unicode::appendUtf8(bytes, chars[i]);
  }
  std::string text = unicode::toUtf8(unicode::fromUtf8(bytes));
  const auto notSpace = [](char c) { return c != ' '; };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), notSpace));
  text.erase(std::find_if(text.rbegin(), text.rend(), notSpace).base(), text.end());
  return text;
}

}  // namespace latentshop
