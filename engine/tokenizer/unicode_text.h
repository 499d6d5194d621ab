// Unicode helpers for the tokenizer's text clean-up, with Python's `str` semantics: text is a
// sequence of code points (std::u32string), `isspace`, `lower()`, NFC as CPython defines them.
// ICU provides the character database, normalisation and regular expressions.
#pragma once
#include <string>

#include <unicode/regex.h>
#include <unicode/unistr.h>

namespace latentshop::unicode {

// UTF-8 → code points. Invalid or truncated sequences (including encoded surrogates) become
// U+FFFD, one per maximal invalid subpart, like Python's bytes.decode("utf-8", "replace").
std::u32string fromUtf8(const std::string& bytes);
std::string toUtf8(const std::u32string& text);
void appendUtf8(std::string& out, char32_t cp);

icu::UnicodeString toIcu(const std::u32string& text);
std::u32string fromIcu(const icu::UnicodeString& text);

// Python's str.isspace() for one character: bidirectional class WS, B or S, or category Zs.
bool isPythonSpace(char32_t cp);
// re.sub(r"\s+", " ", text).strip() — transformers' whitespace_clean.
std::u32string whitespaceClean(const std::u32string& text);
// str.lower(): full lower-case mapping (SpecialCasing included, final sigma in context).
std::u32string lower(const std::u32string& text);
std::u32string nfc(const std::u32string& text);
std::u32string nfkc(const std::u32string& text);

// An ICU pattern compiled once; throws std::logic_error if the pattern is malformed.
std::unique_ptr<icu::RegexPattern> compileRegex(const std::u32string& pattern, uint32_t flags = 0);

// Escapes a Python-style character-class body for ICU: every character becomes \x{HEX}; a '-'
// between two characters stays the range operator ("a-z" → "\x{61}-\x{7A}").
std::u32string icuClassBody(const std::u32string& body);

// Calls `replace(match)` for every non-overlapping match of `pattern` in `text`, left to right,
// and returns the text with each match replaced by what it returned (Python's re.sub with a function).
template <class F>
std::u32string regexSub(const icu::RegexPattern& pattern, const std::u32string& text, F&& replace) {
  const icu::UnicodeString input = toIcu(text);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> m(pattern.matcher(input, status));
  icu::UnicodeString out;
  int32_t last = 0;
  while (U_SUCCESS(status) && m->find(status)) {
    const int32_t b = m->start(status), e = m->end(status);
    out.append(input, last, b - last);
    icu::UnicodeString piece;
    input.extract(b, e - b, piece);
    out.append(toIcu(replace(fromIcu(piece))));
    last = e;
  }
  out.append(input, last, input.length() - last);
  return fromIcu(out);
}

bool regexSearch(const icu::RegexPattern& pattern, const std::u32string& text);

}  // namespace latentshop::unicode
