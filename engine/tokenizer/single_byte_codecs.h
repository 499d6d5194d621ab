// The single-byte encodings ftfy tries when it undoes mojibake (ftfy 6.1.1 chardata.CHARMAP_ENCODINGS,
// in its order), as byte → code point tables, plus strict UTF-8 and ftfy's "utf-8-variants".
// Reference: rspeer/python-ftfy ftfy/chardata.py, ftfy/bad_codecs/sloppy.py, utf8_variants.py.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace latentshop::textfix {

struct SingleByteCodec {
  const char* name;   // "latin-1", "sloppy-windows-1252", ...
  bool sloppy;        // sloppy-*: unassigned bytes map to the same code point; 0x1A ↔ U+FFFD
  char32_t high[128]; // code points of bytes 0x80..0xFF
  char32_t decode(unsigned char b) const;
  // The byte for `cp`, or -1 when the encoding has none.
  int encode(char32_t cp) const;
};

// latin-1, sloppy-windows-1252/1251/1250/1253/1254, iso-8859-2, macroman, cp437.
const std::vector<SingleByteCodec>& charmapEncodings();
const SingleByteCodec& codecByName(const std::string& name);

// chardata.possible_encoding(): every character is ASCII (except U+001A) or one of the encoding's
// characters for bytes 0x80..0xFF or 0x1A.
bool possibleEncoding(const std::u32string& text, const SingleByteCodec& codec);
bool isAscii(const std::u32string& text);
// text.encode(codec); only valid when possibleEncoding() is true.
std::string encode(const std::u32string& text, const SingleByteCodec& codec);
// bytes.decode("windows-1252") (strict): nullopt for the five unassigned bytes.
std::optional<std::u32string> decodeWindows1252Strict(const std::string& bytes);

// bytes.decode("utf-8") (strict) and bytes.decode("utf-8-variants") (also CESU-8 surrogate pairs
// and Java's C0 80 for U+0000); nullopt when the bytes do not decode.
std::optional<std::u32string> decodeUtf8Strict(const std::string& bytes, bool variants);

}  // namespace latentshop::textfix
