#include "engine/tokenizer/text_fixer.h"

#include <unordered_map>

#include <unicode/uchar.h>

#include "engine/tokenizer/html_entities.h"
#include "engine/tokenizer/mojibake.h"
#include "engine/tokenizer/unicode_text.h"

namespace latentshop::textfix {

namespace {

constexpr std::size_t kMaxDecodeLength = 1000000;

// chardata.LIGATURES: Latin ligatures and legacy digraphs, not æ/œ-style letters.
const std::unordered_map<char32_t, std::u32string>& ligatures() {
  static const std::unordered_map<char32_t, std::u32string> m = {
      {0x0132, U"IJ"}, {0x0133, U"ij"}, {0x0149, U"\u02BCn"}, {0x01F1, U"DZ"}, {0x01F2, U"Dz"},
      {0x01F3, U"dz"}, {0x01C4, U"D\u017D"}, {0x01C5, U"D\u017E"}, {0x01C6, U"d\u017E"}, {0x01C7, U"LJ"},
      {0x01C8, U"Lj"}, {0x01C9, U"lj"}, {0x01CA, U"NJ"}, {0x01CB, U"Nj"}, {0x01CC, U"nj"},
      {0xFB00, U"ff"}, {0xFB01, U"fi"}, {0xFB02, U"fl"}, {0xFB03, U"ffi"}, {0xFB04, U"ffl"},
      {0xFB05, U"\u017Ft"}, {0xFB06, U"st"},
  };
  return m;
}

// chardata.WIDTH_MAP: U+FF01..U+FFEF → their NFKC form where it differs, and U+3000 → ' '.
const std::unordered_map<char32_t, std::u32string>& widthMap() {
  static const auto m = [] {
    std::unordered_map<char32_t, std::u32string> w;
    w.emplace(char32_t(0x3000), std::u32string(1, U' '));
    for (char32_t c = 0xFF01; c < 0xFFF0; ++c) {
      const std::u32string one(1, c);
      auto alt = unicode::nfkc(one);
      if (alt != one) w[c] = alt;
    }
    return w;
  }();
  return m;
}

std::u32string translate(const std::u32string& text, const std::unordered_map<char32_t, std::u32string>& map) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    auto it = map.find(c);
    if (it == map.end()) out.push_back(c);
    else out += it->second;
  }
  return out;
}

bool isControlToRemove(char32_t c) {
  // chardata.CONTROL_CHARS: C0 except \t \n \f \r, DEL, deprecated Arabic format characters,
  // the BOM, interlinear annotation characters and U+FFFC.
  return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F) ||
         c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

std::u32string fixSegment(std::u32string text, bool unescape) {
  while (true) {
    const std::u32string orig = text;
    if (unescape) text = unescapeHtml(text);
    text = fixEncoding(text);
    text = fixC1Controls(text);
    text = fixLatinLigatures(text);
    text = fixCharacterWidth(text);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = removeTerminalEscapes(text);
    text = removeControlChars(text);
    text = unicode::nfc(text);
    if (text == orig) return text;
  }
}

}  // namespace

std::u32string fixLatinLigatures(const std::u32string& text) { return translate(text, ligatures()); }
std::u32string fixCharacterWidth(const std::u32string& text) { return translate(text, widthMap()); }

std::u32string uncurlQuotes(const std::u32string& text) {
  std::u32string out = text;
  for (auto& c : out) {
    if (c == 0x02BC || (c >= 0x2018 && c <= 0x201B)) c = U'\'';
    else if (c >= 0x201C && c <= 0x201F) c = U'"';
  }
  return out;
}

std::u32string fixLineBreaks(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (c == U'\r') {
      out.push_back(U'\n');
      if (i + 1 < text.size() && text[i + 1] == U'\n') ++i;
    } else if (c == 0x2028 || c == 0x2029 || c == 0x85) {
      out.push_back(U'\n');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::u32string removeTerminalEscapes(const std::u32string& text) {
  // ANSI_RE: ESC '[' (decimal digits or ';')* one ASCII letter.
  std::u32string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == 0x1B && i + 1 < text.size() && text[i + 1] == U'[') {
      std::size_t j = i + 2;
      while (j < text.size() && (u_charType(static_cast<UChar32>(text[j])) == U_DECIMAL_DIGIT_NUMBER || text[j] == U';'))
        ++j;
      if (j < text.size() && ((text[j] >= U'a' && text[j] <= U'z') || (text[j] >= U'A' && text[j] <= U'Z'))) {
        i = j + 1;
        continue;
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

std::u32string removeControlChars(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text)
    if (!isControlToRemove(c)) out.push_back(c);
  return out;
}

std::u32string fixText(const std::u32string& text) {
  std::u32string out;
  bool unescape = true;  // "auto": switched off for good once a segment holds a '<'
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t brk = text.find(U'\n', pos);
    brk = brk == std::u32string::npos ? text.size() : brk + 1;
    if (brk - pos > kMaxDecodeLength) brk = pos + kMaxDecodeLength;
    const std::u32string segment = text.substr(pos, brk - pos);
    if (segment.find(U'<') != std::u32string::npos) unescape = false;
    out += fixSegment(segment, unescape);
    pos = brk;
  }
  return out;
}

std::string fixText(const std::string& utf8) { return unicode::toUtf8(fixText(unicode::fromUtf8(utf8))); }

}  // namespace latentshop::textfix
