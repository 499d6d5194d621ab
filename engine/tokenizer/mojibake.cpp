#include "engine/tokenizer/mojibake.h"

#include <map>

#include "engine/tokenizer/single_byte_codecs.h"
#include "engine/tokenizer/unicode_text.h"

namespace latentshop::textfix {

namespace {

using unicode::compileRegex;
using unicode::icuClassBody;

// ftfy badness.MOJIBAKE_CATEGORIES and chardata.UTF8_CLUES; '-' between two characters is a range.
const std::map<std::string, std::u32string>& categories() {
  static const std::map<std::string, std::u32string> c = {
      {"common", U"\u00A0\u00AD\u00B7\u00B4\u2013\u2014\u2015\u2026\u2019"},
      {"c1", U"\u0080-\u009F"},
      {"bad", U"\u00A6\u00A4\u00A8\u00AC\u00AF\u00B6\u00A7\u00B8\u0192\u02C6\u02C7\u02D8\u02DB\u02DC\u2020\u2021"
              U"\u2030\u2310\u25CA\uFFFD\u00AA\u00BA"},
      {"currency", U"\u00A2\u00A3\u00A5\u20A7\u20AC"},
      {"start_punctuation", U"\u00A1\u00AB\u00BF\u00A9\u0384\u0385\u2018\u201A\u201C\u201E\u2022\u2039\uF8FF"},
      {"end_punctuation", U"\u00AE\u00BB\u02DD\u201D\u203A\u2122"},
      {"numeric", U"\u00B2\u00B3\u00B9\u00B1\u00BC\u00BD\u00BE\u00D7\u00B5\u00F7\u2044\u2202\u2206\u220F\u2211"
                  U"\u221A\u221E\u2229\u222B\u2248\u2260\u2261\u2264\u2265\u2116"},
      {"kaomoji", U"\u00D2-\u00D6\u00D9-\u00DC\u00F2-\u00F6\u00F8-\u00FC\u0150\u00B0"},
      {"upper_accented", U"\u00C0-\u00D1\u00D8\u00DC\u00DD\u0102\u0104\u0106\u010C\u010E\u0110\u0118\u011A\u011E"
                         U"\u0130\u0139\u013D\u0141\u0143\u0147\u0152\u0158\u015A\u015E\u0160\u0162\u0164\u016E"
                         U"\u0170\u0178\u0179\u017B\u017D\u0490"},
      {"lower_accented", U"\u00DF\u00E0-\u00F1\u0103\u0105\u0107\u010D\u010F\u0111\u0119\u011B\u011F\u013A\u013E"
                         U"\u0142\u0153\u0155\u015B\u015F\u0161\u0165\u00FC\u017A\u017C\u017E\u0491\uFB01\uFB02"},
      {"upper_common", U"\u00DE\u0391-\u03A9\u0386\u0388\u0389\u038A\u038C\u038E\u038F\u03AA\u03AB\u0401-\u042F"},
      {"lower_common", U"\u03B1-\u03C9\u03AC\u03AD\u03AE\u03AF\u03B0\u0430-\u045F"},
      {"box", U"\u2502\u250C\u2510\u2518\u251C\u2524\u252C\u253C\u2550-\u256C\u2580\u2584\u2588\u258C\u2590\u2591"
              U"\u2592\u2593"},
      {"utf8_first_of_2", U"\u00C2-\u00DF\u0102\u0106\u010C\u010E\u0110\u0118\u011A\u011E\u0130\u0139\u0143\u0147"
                          U"\u0150\u0158\u015E\u0162\u016E\u0170\u0392-\u03A1\u03A3-\u03AF\u0412-\u042F"},
      {"utf8_first_of_3", U"\u00E0-\u00EF\u0103\u0107\u010D\u010F\u0119\u011B\u013A\u0155\u03B0-\u03BF\u0430-\u043F"},
      {"utf8_first_of_4", U"\u00F0\u00F3\u0111\u011F\u03C0\u03C3\u0440\u0443"},
      {"utf8_continuation_strict",
       U"\u0080-\u00BF\u0104\u0105\u013D\u013E\u0141\u0142\u0152\u0153\u015A\u015B\u015E\u015F\u0160\u0161\u0164"
       U"\u0165\u0178-\u017E\u0192\u02C6\u02C7\u02D8\u02DB\u02DC\u02DD\u0384\u0385\u0386\u0388\u0389\u038A\u038C"
       U"\u038E\u038F\u0401-\u040C\u040E\u040F\u0451-\u045C\u045E\u045F\u0490\u0491\u2020\u2021\u2022\u2030\u2039"
       U"\u203A\u20AC\u2116\u2122"},
      // utf8_continuation = the strict set plus spaces, dashes, quotes and the ellipsis.
      {"utf8_continuation_extra", U"\u2013\u2014\u2015\u2018\u2019\u201A\u201C\u201D\u201E\u2026 "},
  };
  return c;
}

// "[...]" over the named categories plus literal characters (all escaped for ICU).
std::u32string cls(std::initializer_list<const char*> names, const std::u32string& literal = U"",
                   bool negate = false) {
  std::u32string body = literal;
  for (const char* n : names) body += categories().at(n);
  return std::u32string(negate ? U"[^" : U"[") + icuClassBody(body) + U"]";
}
std::u32string lit(const std::u32string& s) { return icuClassBody(s); }

// CPython's \s (str.isspace()) and \w (str.isalnum() or '_').
const std::u32string kSpace = U"[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f"
                              U"\\u205f\\u3000]";
const std::u32string kWord = U"[\\p{L}\\p{N}_]";

std::u32string badnessPattern() {
  const auto any8 = {"bad", "lower_accented", "upper_accented", "box", "start_punctuation", "end_punctuation",
                     "currency", "numeric"};
  const auto arabicNext = cls({"common", "currency", "bad", "numeric", "start_punctuation"},
                              U"\u0178\u0160\u00AE\u00B0\u00B5\u00BB");
  const std::u32string alts[] = {
      cls({"c1"}),
      cls(any8) + cls({"bad"}),
      cls({}, U"a-zA-Z") + cls({"lower_common", "upper_common"}) + cls({"bad"}),
      cls({"bad"}) + cls({"lower_accented", "upper_accented", "box", "start_punctuation", "end_punctuation",
                          "currency", "numeric"}),
      cls({"lower_accented", "lower_common", "box", "end_punctuation", "currency", "numeric"}) +
          cls({"upper_accented"}),
      cls({"box", "end_punctuation", "currency", "numeric"}) + cls({"lower_accented"}),
      cls({"lower_accented", "box", "end_punctuation"}) + cls({"currency"}),
      kSpace + cls({"upper_accented"}) + cls({"currency"}),
      cls({"upper_accented", "box"}) + cls({"numeric"}),
      cls({"lower_accented", "upper_accented", "box", "currency", "end_punctuation"}) +
          cls({"start_punctuation"}) + cls({"numeric"}),
      cls({"lower_accented", "upper_accented", "currency", "numeric", "box"}) + cls({"end_punctuation"}) +
          cls({"start_punctuation"}),
      cls({"currency", "numeric", "box"}) + cls({"start_punctuation"}),
      cls({}, U"a-z") + cls({"upper_accented"}) + cls({"start_punctuation", "currency"}),
      cls({"box"}) + cls({"kaomoji"}),
      cls({"lower_accented", "upper_accented", "currency", "numeric", "start_punctuation", "end_punctuation"}) +
          cls({"box"}),
      cls({"box"}) + cls({"end_punctuation"}),
      cls({"lower_accented", "upper_accented"}) + cls({"end_punctuation"}) + kWord,
      // The ligature œ when not followed by an unaccented Latin letter.
      cls({}, U"\u0152\u0153") + cls({}, U"A-Za-z", true),
      // Common windows-1252 two-character mojibake.
      cls({}, U"\u00C2\u00C3\u00CE\u00D0") +
          cls({"start_punctuation", "end_punctuation"},
              U"\u20AC\u0160\u0161\u00A2\u00A3\u0178\u017E\u00A0\u00AD\u00AE\u00A9\u00B0\u00B7\u00BB\u2013\u2014\u00B4"),
      lit(U"\u00D7") + cls({}, U"\u00B2\u00B3"),
      // windows-1252 mojibake of Arabic: four characters.
      cls({}, U"\u00D8\u00D9") + arabicNext + cls({}, U"\u00D8\u00D9") + arabicNext,
      lit(U"\u00E0") + cls({}, U"\u00B2\u00B5\u00B9\u00BC\u00BD\u00BE"),
      // MacRoman mojibake.
      lit(U"\u221A") + cls({}, U"\u00B1\u2202\u2020\u2260\u00AE\u2122\u00B4\u2264\u2265\u00A5\u00B5\u00F8"),
      lit(U"\u2248") + cls({}, U"\u00B0\u00A2"),
      lit(U"\u201A\u00C4") + cls({}, U"\u00EC\u00EE\u00EF\u00F2\u00F4\u00FA\u00F9\u00FB\u2020\u00B0\u00A2\u03C0"),
      lit(U"\u201A") + cls({}, U"\u00E2\u00F3") + cls({}, U"\u00E0\u00E4\u00B0\u00EA"),
      // windows-1251 mojibake.
      lit(U"\u0432\u0402"),
      cls({}, U"\u0412\u0413\u0420\u0421") +
          cls({"c1", "bad", "start_punctuation", "end_punctuation", "currency"}, U"\u00B0\u00B5") +
          cls({}, U"\u0412\u0413\u0420\u0421"),
      lit(U"\u0413\u045E\u0412\u0402\u0412") + U"[^\\n]" + cls({}, U"A-Za-z "),
      // windows-1252 encodings of 'à', 'á' and U+A0 itself.
      lit(U"\u00C3") + cls({}, U"\u00A0\u00A1"),
      cls({}, U"a-z") + kSpace + U"?" + cls({}, U"\u00C3\u00C2") + U"[ ]",
      U"^" + cls({}, U"\u00C3\u00C2") + U"[ ]",
      cls({"end_punctuation"}, U"a-z.,?!") + lit(U"\u00C2") + cls({"start_punctuation", "end_punctuation"}, U" "),
      // windows-1253 mojibake.
      lit(U"\u03B2\u20AC") + cls({}, U"\u2122\u00A0\u0386\u00AD\u00AE\u00B0"),
      cls({}, U"\u0392\u0393\u039E\u039F") +
          cls({"c1", "bad", "start_punctuation", "end_punctuation", "currency"}, U"\u00B0") +
          cls({}, U"\u0392\u0393\u039E\u039F"),
  };
  std::u32string p;
  for (const auto& a : alts) p += (p.empty() ? U"" : U"|") + a;
  return p;
}

const icu::RegexPattern& badnessRe() {
  static const auto re = compileRegex(badnessPattern());
  return *re;
}

const icu::RegexPattern& utf8DetectorRe() {
  static const auto re = [] {
    const auto cont = cls({"utf8_continuation_strict", "utf8_continuation_extra"});
    const std::u32string p = U"(?<!" + cls({"utf8_continuation_strict"}) + U")(?:" + cls({"utf8_first_of_2"}) +
                             cont + U"|" + cls({"utf8_first_of_3"}) + cont + U"{2}|" + cls({"utf8_first_of_4"}) +
                             cont + U"{3})+";
    return compileRegex(p);
  }();
  return *re;
}

// Byte-level expressions run on the bytes as code points U+0000..U+00FF.
const icu::RegexPattern& alteredUtf8Re() {
  static const auto re = compileRegex(
      U"[\\xc2\\xc3\\xc5\\xce\\xd0\\xd9][ ]"
      U"|[\\xe2\\xe3][ ][\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf]"
      U"|[\\xe0-\\xe3][\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf][ ]"
      U"|[\\xf0][ ][\\x80-\\xbf][\\x80-\\xbf]"
      U"|[\\xf0][\\x80-\\xbf][ ][\\x80-\\xbf]"
      U"|[\\xf0][\\x80-\\xbf][\\x80-\\xbf][ ]");
  return *re;
}

const icu::RegexPattern& aGraveWordRe() {
  static const auto re = compileRegex(U"\\xc3 (?! |quele|quela|quilo|s )");
  return *re;
}

const icu::RegexPattern& lossyUtf8Re() {
  static const auto re = compileRegex(
      U"[\\xc2-\\xdf][\\x1a]"
      U"|[\\xc2-\\xc3][?]"
      U"|\\xed[\\xa0-\\xaf][\\x1a?]\\xed[\\xb0-\\xbf][\\x1a?\\x80-\\xbf]"
      U"|\\xed[\\xa0-\\xaf][\\x1a?\\x80-\\xbf]\\xed[\\xb0-\\xbf][\\x1a?]"
      U"|[\\xe0-\\xef][\\x1a?][\\x1a\\x80-\\xbf]"
      U"|[\\xe0-\\xef][\\x1a\\x80-\\xbf][\\x1a?]"
      U"|[\\xf0-\\xf4][\\x1a?][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf]"
      U"|[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a?][\\x1a\\x80-\\xbf]"
      U"|[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf][\\x1a?]"
      U"|\\x1a");
  return *re;
}

std::u32string bytesAsText(const std::string& b) {
  std::u32string s;
  for (unsigned char c : b) s.push_back(c);
  return s;
}
std::string textAsBytes(const std::u32string& s) {
  std::string b;
  for (char32_t c : s) b.push_back(static_cast<char>(c));
  return b;
}

std::string restoreByteA0(const std::string& bytes) {
  auto text = unicode::regexSub(aGraveWordRe(), bytesAsText(bytes), [](const std::u32string&) {
    return std::u32string(U"\u00C3\u00A0 ");
  });
  text = unicode::regexSub(alteredUtf8Re(), text, [](std::u32string m) {
    for (auto& c : m)
      if (c == U' ') c = 0xA0;
    return m;
  });
  return textAsBytes(text);
}

std::string replaceLossySequences(const std::string& bytes) {
  return textAsBytes(unicode::regexSub(lossyUtf8Re(), bytesAsText(bytes), [](const std::u32string&) {
    return std::u32string(U"\u00EF\u00BF\u00BD");  // UTF-8 of U+FFFD
  }));
}

std::u32string decodeInconsistentUtf8(const std::u32string& text) {
  return unicode::regexSub(utf8DetectorRe(), text, [&](const std::u32string& sub) {
    // Only shorter pieces, so this cannot recurse forever.
    if (sub.size() < text.size() && isBad(sub)) return fixEncoding(sub);
    return sub;
  });
}

std::u32string fixEncodingOneStep(const std::u32string& text) {
  if (text.empty() || isAscii(text) || !isBad(text)) return text;
  bool latin1Possible = false;
  for (const auto& codec : charmapEncodings()) {
    if (!possibleEncoding(text, codec)) continue;
    if (std::string(codec.name) == "latin-1") latin1Possible = true;
    std::string bytes = encode(text, codec);
    if (unicode::regexSearch(alteredUtf8Re(), bytesAsText(bytes))) bytes = restoreByteA0(bytes);
    if (codec.sloppy) bytes = replaceLossySequences(bytes);
    const bool variants = bytes.find('\xED') != std::string::npos || bytes.find('\xC0') != std::string::npos;
    if (auto fixed = decodeUtf8Strict(bytes, variants)) return *fixed;
  }
  if (unicode::regexSearch(utf8DetectorRe(), text)) {
    auto fixed = decodeInconsistentUtf8(text);
    if (fixed != text) return fixed;
  }
  // ftfy returns early when "windows-1252" is among the possible encodings, but its list only
  // names "sloppy-windows-1252", so that branch never runs: latin-1 text goes straight here.
  if (latin1Possible) {
    if (auto fixed = decodeWindows1252Strict(encode(text, codecByName("latin-1"))); fixed && *fixed != text)
      return *fixed;
  }
  for (char32_t c : text)
    if (c >= 0x80 && c <= 0x9F) return fixC1Controls(text);
  return text;
}

}  // namespace

bool isBad(const std::u32string& text) { return unicode::regexSearch(badnessRe(), text); }

std::u32string fixEncoding(const std::u32string& text) {
  std::u32string current = text;
  while (true) {
    auto next = fixEncodingOneStep(current);
    if (next == current) return current;
    current = std::move(next);
  }
}

std::u32string fixC1Controls(const std::u32string& text) {
  const auto& cp1252 = codecByName("sloppy-windows-1252");
  std::u32string out = text;
  for (auto& c : out)
    if (c >= 0x80 && c <= 0x9F) c = cp1252.decode(static_cast<unsigned char>(c));
  return out;
}

}  // namespace latentshop::textfix
