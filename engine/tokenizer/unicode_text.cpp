#include "engine/tokenizer/unicode_text.h"

#include <stdexcept>

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>

namespace latentshop::unicode {

std::u32string fromUtf8(const std::string& bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char b = s[i];
    if (b < 0x80) {
      out.push_back(b);
      ++i;
      continue;
    }
    int len = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) { len = 2; cp = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) {
      len = 3; cp = b & 0x0F;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;  // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4; cp = b & 0x07;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    bool ok = true;
    for (int k = 1; k < len; ++k, ++j) {
      const unsigned char lowLimit = k == 1 ? lo : 0x80, highLimit = k == 1 ? hi : 0xBF;
      if (j >= n || s[j] < lowLimit || s[j] > highLimit) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (s[j] & 0x3F);
    }
    out.push_back(ok ? cp : char32_t(0xFFFD));
    i = j;  // on failure: resume at the byte that broke the sequence
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string toUtf8(const std::u32string& text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) appendUtf8(out, cp);
  return out;
}

icu::UnicodeString toIcu(const std::u32string& text) {
  return icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data()),
                                       static_cast<int32_t>(text.size()));
}

std::u32string fromIcu(const icu::UnicodeString& text) {
  std::u32string out(static_cast<std::size_t>(text.countChar32()), U'\0');
  UErrorCode status = U_ZERO_ERROR;
  text.toUTF32(reinterpret_cast<UChar32*>(out.data()), static_cast<int32_t>(out.size()), status);
  return out;
}

bool isPythonSpace(char32_t cp) {
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return true;
  if (cp < 0x1C) return false;
  const auto dir = u_charDirection(static_cast<UChar32>(cp));
  if (dir == U_WHITE_SPACE_NEUTRAL || dir == U_BLOCK_SEPARATOR || dir == U_SEGMENT_SEPARATOR) return true;
  return u_charType(static_cast<UChar32>(cp)) == U_SPACE_SEPARATOR;
}

std::u32string whitespaceClean(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  bool pendingSpace = false;
  for (char32_t cp : text) {
    if (isPythonSpace(cp)) {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && !out.empty()) out.push_back(U' ');
    pendingSpace = false;
    out.push_back(cp);
  }
  return out;
}

std::u32string lower(const std::u32string& text) {
  icu::UnicodeString s = toIcu(text);
  s.toLower(icu::Locale::getRoot());
  return fromIcu(s);
}

namespace {
std::u32string normalize(const std::u32string& text, const icu::Normalizer2* (*instance)(UErrorCode&)) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = instance(status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU normaliser unavailable");
  const icu::UnicodeString in = toIcu(text);
  if (n->isNormalized(in, status) && U_SUCCESS(status)) return text;
  status = U_ZERO_ERROR;
  icu::UnicodeString out = n->normalize(in, status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU normalisation failed");
  return fromIcu(out);
}
}  // namespace

std::u32string nfc(const std::u32string& text) { return normalize(text, &icu::Normalizer2::getNFCInstance); }
std::u32string nfkc(const std::u32string& text) { return normalize(text, &icu::Normalizer2::getNFKCInstance); }

std::unique_ptr<icu::RegexPattern> compileRegex(const std::u32string& pattern, uint32_t flags) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError parseError{};
  std::unique_ptr<icu::RegexPattern> p(icu::RegexPattern::compile(toIcu(pattern), flags, parseError, status));
  if (U_FAILURE(status))
    throw std::logic_error("bad regular expression at offset " + std::to_string(parseError.offset) + ": " +
                           u_errorName(status));
  return p;
}

std::u32string icuClassBody(const std::u32string& body) {
  std::u32string out;
  char buf[16];
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == U'-' && i > 0 && i + 1 < body.size()) {
      out.push_back(U'-');
      continue;
    }
    std::snprintf(buf, sizeof buf, "\\x{%X}", static_cast<unsigned>(body[i]));
    for (const char* c = buf; *c; ++c) out.push_back(static_cast<char32_t>(*c));
  }
  return out;
}

bool regexSearch(const icu::RegexPattern& pattern, const std::u32string& text) {
  const icu::UnicodeString input = toIcu(text);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> m(pattern.matcher(input, status));
  return U_SUCCESS(status) && m->find(status);
}

}  // namespace latentshop::unicode
