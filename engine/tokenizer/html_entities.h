// HTML entity decoding as ftfy.fixes.unescape_html does it (ftfy 6.1.1): only entities that end in
// ';' (no "&amp" without a semicolon), HTML5 named references plus upper-cased variants of the
// lower-case names ("&EACUTE;" → "É") when the upper-case name is not itself an entity, and
// numeric references decoded like Python's html.unescape (cp1252 for &#128;–&#159;, U+FFFD for
// surrogates/out of range/NUL, nothing for noncharacters and most controls).
// Reference: rspeer/python-ftfy ftfy/chardata.py (HTML_ENTITIES), ftfy/fixes.py; CPython Lib/html/__init__.py.
#pragma once
#include <string>

namespace latentshop::textfix {

// Replaces every match of &#?[0-9A-Za-z]{1,24}; that is a known entity.
std::u32string unescapeHtml(const std::u32string& text);

}  // namespace latentshop::textfix
