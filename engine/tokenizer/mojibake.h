// Mojibake detection and repair: ftfy's fix_encoding (ftfy 6.1.1), ported step for step.
// Text that looks like UTF-8 decoded in a single-byte encoding ("cafÃ©", "â€œquotesâ€\x9d") is
// re-encoded in that encoding and decoded as UTF-8 again, when ftfy's badness heuristic says so.
// Reference: rspeer/python-ftfy ftfy/__init__.py (fix_encoding_and_explain,
// _fix_encoding_one_step_and_explain), ftfy/badness.py (BADNESS_RE), ftfy/chardata.py
// (ALTERED_UTF8_RE, LOSSY_UTF8_RE, UTF8_DETECTOR_RE), ftfy/fixes.py (restore_byte_a0,
// replace_lossy_sequences, decode_inconsistent_utf8, fix_c1_controls).
//
// Differences: the regular expressions run on ICU's engine with its Unicode data (ICU 72) instead
// of Python's `re` with CPython's; Python's \s and \w are spelled out as the classes CPython uses
// (str.isspace(), and letters/numbers/underscore).
#pragma once
#include <string>

namespace latentshop::textfix {

// ftfy.badness.is_bad: the text contains a sequence that is far more likely mojibake than intended.
bool isBad(const std::u32string& text);
// ftfy.fix_encoding with the default configuration (restore_byte_a0, replace_lossy_sequences,
// decode_inconsistent_utf8 and fix_c1_controls on): one-step fixes repeated until nothing changes.
std::u32string fixEncoding(const std::u32string& text);
// ftfy.fixes.fix_c1_controls: U+0080..U+009F → their windows-1252 characters.
std::u32string fixC1Controls(const std::u32string& text);

}  // namespace latentshop::textfix
