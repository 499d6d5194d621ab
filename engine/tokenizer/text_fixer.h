// ftfy.fix_text (ftfy 6.1.1, default TextFixerConfig) in C++: what transformers' slow
// CLIPTokenizer runs on every prompt before whitespace clean-up and lower-casing.
// Reference: rspeer/python-ftfy ftfy/__init__.py (fix_text, fix_and_explain), ftfy/fixes.py,
// ftfy/chardata.py.
//
// Implemented, in ftfy's order, repeated per segment until the text stops changing:
//   unescape_html ("auto": off once a segment contains '<'), fix_encoding (mojibake.h: badness
//   heuristic, the nine single-byte encodings, restore_byte_a0, replace_lossy_sequences,
//   utf-8-variants, decode_inconsistent_utf8, latin-1 → windows-1252, fix_c1_controls),
//   fix_c1_controls, fix_latin_ligatures, fix_character_width (fullwidth/halfwidth forms and
//   U+3000 → standard width via NFKC), uncurl_quotes, fix_line_breaks, remove_terminal_escapes,
//   remove_control_chars, NFC normalisation.
// Segments are split after each '\n' (max_decode_length 1e6 code points), as fix_text does.
// Differences from ftfy: fix_surrogates has nothing to do (our input is UTF-8; invalid bytes and
// encoded surrogates are already U+FFFD after decoding); the Unicode database is ICU's (72) rather
// than CPython's, which matters only for characters assigned in between.
#pragma once
#include <string>

namespace latentshop::textfix {

std::u32string fixText(const std::u32string& text);
std::string fixText(const std::string& utf8);

// The individual fixers, exposed for tests.
std::u32string fixLatinLigatures(const std::u32string& text);
std::u32string fixCharacterWidth(const std::u32string& text);
std::u32string uncurlQuotes(const std::u32string& text);
std::u32string fixLineBreaks(const std::u32string& text);
std::u32string removeTerminalEscapes(const std::u32string& text);
std::u32string removeControlChars(const std::u32string& text);

}  // namespace latentshop::textfix
