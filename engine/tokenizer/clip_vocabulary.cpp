#include "engine/tokenizer/clip_vocabulary.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "engine/core/error.h"
#include "engine/tokenizer/unicode_text.h"

namespace latentshop {

namespace {

std::array<char32_t, 256> buildByteChars() {
  std::array<char32_t, 256> chars{};
  std::array<bool, 256> printable{};
  for (int b = '!'; b <= '~'; ++b) printable[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) printable[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) printable[b] = true;
  int n = 0;
  for (int b = 0; b < 256; ++b) chars[b] = printable[b] ? char32_t(b) : char32_t(256 + n++);
  return chars;
}

const std::array<char32_t, 256>& byteChars() {
  static const auto c = buildByteChars();
  return c;
}

// The order of bytes_to_unicode().values(): the printable bytes first, then the others.
std::vector<int> byteOrder() {
  std::vector<int> order;
  for (int b = 0; b < 256; ++b)
    if (byteChars()[b] < 256) order.push_back(b);
  for (int b = 0; b < 256; ++b)
    if (byteChars()[b] >= 256) order.push_back(b);
  return order;
}

std::string readGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw fileError(path, "cannot open the CLIP vocabulary");
  std::string out;
  char buf[1 << 16];
  while (true) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int code = 0;
      const std::string msg = gzerror(f, &code);
      gzclose(f);
      throw fileError(path, "not a readable gzip file (" + msg + ")");
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  // gzread stops quietly at a truncated stream; gzclose reports it.
  if (gzclose(f) != Z_OK) throw fileError(path, "gzip stream is truncated or corrupt");
  return out;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fileError(path, "cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (true) {
    const std::size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return lines;
}

// Python's str.split() on a merge line: runs of whitespace separate, none at the ends.
std::vector<std::string> splitWhitespace(const std::string& line) {
  std::vector<std::string> parts;
  std::istringstream in(line);
  std::string p;
  while (in >> p) parts.push_back(p);
  return parts;
}

void addMerges(ClipVocabulary& v, const std::vector<std::string>& lines, std::size_t first, const std::string& path) {
  const std::size_t end = std::min(lines.size(), first + static_cast<std::size_t>(kClipMergeCount));
  for (std::size_t i = first; i < end; ++i) {
    const auto parts = splitWhitespace(lines[i]);
    if (parts.size() != 2)
      throw fileError(path, "line " + std::to_string(i + 1) + " is not a merge of two symbols: '" + lines[i] + "'");
    v.mergeRanks[parts[0] + " " + parts[1]] = static_cast<int>(v.merges.size());
    v.merges.emplace_back(parts[0], parts[1]);
  }
  if (v.merges.empty()) throw fileError(path, "holds no BPE merges");
}

}  // namespace

const std::array<std::string, 256>& clipByteEncoder() {
  static const auto table = [] {
    std::array<std::string, 256> t;
    for (int b = 0; b < 256; ++b) unicode::appendUtf8(t[b], byteChars()[b]);
    return t;
  }();
  return table;
}

int clipByteDecoder(char32_t cp) {
  static const auto inverse = [] {
    std::unordered_map<char32_t, int> m;
    for (int b = 0; b < 256; ++b) m[byteChars()[b]] = b;
    return m;
  }();
  auto it = inverse.find(cp);
  return it == inverse.end() ? -1 : it->second;
}

ClipVocabulary ClipVocabulary::fromOpenAiBpe(const std::string& gzPath) {
  const std::string text = readGzip(gzPath);
  ClipVocabulary v;
  v.source = gzPath;
  const auto lines = splitLines(text);
  addMerges(v, lines, 1, gzPath);  // line 0 is the "#version" header
  std::vector<std::string> tokens;
  for (int b : byteOrder()) tokens.push_back(clipByteEncoder()[b]);
  for (int b : byteOrder()) tokens.push_back(clipByteEncoder()[b] + "</w>");
  for (const auto& [a, b] : v.merges) tokens.push_back(a + b);
  tokens.push_back("<|startoftext|>");
  tokens.push_back("<|endoftext|>");
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    v.encoder[tokens[i]] = static_cast<std::int64_t>(i);  // dict(zip(...)): a later duplicate wins
    v.decoder[static_cast<std::int64_t>(i)] = tokens[i];
  }
  return v;
}

ClipVocabulary ClipVocabulary::fromVocabAndMerges(const std::string& vocabJsonPath, const std::string& mergesPath) {
  ClipVocabulary v;
  v.source = vocabJsonPath + " + " + mergesPath;
  nlohmann::json vocab;
  try {
    vocab = nlohmann::json::parse(readFile(vocabJsonPath));
  } catch (const nlohmann::json::exception& e) {
    throw fileError(vocabJsonPath, std::string("is not valid JSON (") + e.what() + ")");
  }
  if (!vocab.is_object() || vocab.empty()) throw fileError(vocabJsonPath, "must be a JSON object {token: id}");
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer())
      throw fileError(vocabJsonPath, "id of token '" + it.key() + "' is not an integer");
    const auto id = it.value().get<std::int64_t>();
    v.encoder[it.key()] = id;
    v.decoder[id] = it.key();
  }
  std::string merges = readFile(mergesPath);
  // str.strip() then split("\n")[1:49152-256-2+1]
  const auto notSpace = [](char c) { return !std::isspace(static_cast<unsigned char>(c)); };
  merges.erase(merges.begin(), std::find_if(merges.begin(), merges.end(), notSpace));
  merges.erase(std::find_if(merges.rbegin(), merges.rend(), notSpace).base(), merges.end());
  addMerges(v, splitLines(merges), 1, mergesPath);
  return v;
}

std::int64_t ClipVocabulary::idOf(const std::string& token) const {
  auto it = encoder.find(token);
  return it == encoder.end() ? -1 : it->second;
}

int ClipVocabulary::rank(const std::string& first, const std::string& second) const {
  auto it = mergeRanks.find(first + " " + second);
  return it == mergeRanks.end() ? -1 : it->second;
}

}  // namespace latentshop
