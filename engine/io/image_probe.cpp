// Image headers and structure without decoding (see image_probe.h).
//
// Every read goes through Bytes::has(offset, length), which compares without overflow, and every
// size computed from header fields uses saturating 64-bit arithmetic, so a hostile header can
// neither make us read outside the buffer nor make a product wrap around to a small number.
#include "engine/io/image_probe.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

#include "engine/core/error.h"

namespace latentshop {

namespace {

using u64 = std::uint64_t;
constexpr u64 kMax = std::numeric_limits<u64>::max();

u64 mulSat(u64 a, u64 b) {
  if (a == 0 || b == 0) return 0;
  return a > kMax / b ? kMax : a * b;
}
u64 addSat(u64 a, u64 b) { return a > kMax - b ? kMax : a + b; }

std::string num(u64 v) { return std::to_string(v); }

// A bounds-checked view of the encoded bytes. Callers test has() before each read.
class Bytes {
public:
  Bytes(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  u64 size() const { return n_; }
  bool has(u64 offset, u64 length) const { return offset <= n_ && length <= n_ - offset; }
  std::uint8_t at(u64 o) const { return d_[o]; }
  bool matches(u64 o, const char* text) const {
    const u64 len = std::strlen(text);
    return has(o, len) && std::memcmp(d_ + o, text, len) == 0;
  }
  std::uint32_t be16(u64 o) const { return std::uint32_t(d_[o]) << 8 | d_[o + 1]; }
  std::uint32_t le16(u64 o) const { return std::uint32_t(d_[o + 1]) << 8 | d_[o]; }
  std::uint32_t be32(u64 o) const { return be16(o) << 16 | be16(o + 2); }
  std::uint32_t le32(u64 o) const { return le16(o + 2) << 16 | le16(o); }
  std::uint32_t le24(u64 o) const { return std::uint32_t(d_[o + 2]) << 16 | le16(o); }
  u64 be64(u64 o) const { return u64(be32(o)) << 32 | be32(o + 4); }
  u64 le64(u64 o) const { return u64(le32(o + 4)) << 32 | le32(o); }
  // Position of the next `byte` at or after `from`, or size() when there is none.
  u64 find(u64 from, std::uint8_t byte) const {
    if (from >= n_) return n_;
    const void* hit = std::memchr(d_ + from, byte, n_ - from);
    return hit ? u64(static_cast<const std::uint8_t*>(hit) - d_) : n_;
  }
  // Four bytes as text for messages: printable ASCII kept, anything else as \xNN.
  std::string fourcc(u64 o) const {
    std::string s;
    for (u64 i = o; i < o + 4 && i < n_; ++i) {
      const std::uint8_t c = d_[i];
      if (c >= 0x20 && c < 0x7f) {
        s += char(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(c));
        s += buf;
      }
    }
    return s;
  }

private:
  const std::uint8_t* d_;
  std::size_t n_;
};

Error broken(const std::string& what, ImageFormat f, const std::string& problem) {
  return fileError(what, std::string("broken ") + formatName(f) + " header: " + problem);
}

// Width and height as declared; throws for zero (the header is broken, not cut short).
void setSize(ImageProbe& p, const std::string& what, u64 width, u64 height) {
  if (width == 0 || height == 0)
    throw broken(what, p.format, "it declares a size of " + num(width) + "x" + num(height) + " pixels");
  p.width = std::int64_t(width);
  p.height = std::int64_t(height);
}

// ---- PNG ------------------------------------------------------------------------------------

bool isChunkLetter(std::uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

ImageProbe probePng(const Bytes& b, const std::string& what) {
  ImageProbe p;
  p.format = ImageFormat::Png;
  // The first chunk must be IHDR: length 13, "IHDR", width, height (big endian), ...
  if (!b.has(12, 4)) {
    p.incomplete = "truncated: the PNG data ends before its IHDR chunk";
    return p;
  }
  if (!b.matches(12, "IHDR"))
    throw broken(what, p.format, "the signature is followed by a '" + b.fourcc(12) + "' chunk, not IHDR");
  if (b.be32(8) != 13)
    throw broken(what, p.format, "its IHDR chunk is " + num(b.be32(8)) + " bytes long, not 13");
  if (!b.has(16, 8)) {
    p.incomplete = "truncated: the PNG data ends inside its IHDR chunk";
    return p;
  }
  const u64 w = b.be32(16), h = b.be32(20);
  if (w > 0x7fffffffu || h > 0x7fffffffu)
    throw broken(what, p.format, "it declares a size of " + num(w) + "x" + num(h) +
                                     " pixels, more than PNG allows (2147483647)");
  setSize(p, what, w, h);

  // Chunks: 4-byte length, 4-byte type, data, 4-byte CRC; the last one is IEND.
  u64 pos = 8;
  for (;;) {
    if (!b.has(pos, 8)) {
      p.incomplete = "truncated: the PNG data ends before its IEND chunk";
      return p;
    }
    const u64 length = b.be32(pos);
    const bool typeOk = isChunkLetter(b.at(pos + 4)) && isChunkLetter(b.at(pos + 5)) &&
                        isChunkLetter(b.at(pos + 6)) && isChunkLetter(b.at(pos + 7));
    if (!typeOk || length > 0x7fffffffu) {
      p.incomplete = "damaged: the PNG chunk structure is broken at byte " + num(pos) +
                     " (no valid chunk there), so the rest of the file cannot be trusted";
      return p;
    }
    const std::string type = b.fourcc(pos + 4);
    if (!b.has(pos, 12 + length)) {
      p.incomplete = "truncated: the PNG data ends inside its " + type + " chunk";
      if (type == "IDAT") p.incomplete += " (part of the picture is missing)";
      return p;
    }
    if (type == "IEND") return p;
    pos += 12 + length;
  }
}

// ---- JPEG -----------------------------------------------------------------------------------

bool isSof(std::uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }
bool isProgressiveSof(std::uint8_t m) { return m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE; }
// Standalone markers: no length field follows.
bool isStandalone(std::uint8_t m) { return m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8); }
// Marker segments that legitimately appear between or after scans (multi-scan / progressive
// files): tables, restart interval, DNL, another SOS, APPn, COM.
bool isInterScanSegment(std::uint8_t m) {
  return m == 0xC4 || m == 0xCC || m == 0xDA || m == 0xDB || m == 0xDC || m == 0xDD ||
         (m >= 0xE0 && m <= 0xEF) || m == 0xFE;
}

ImageProbe probeJpeg(const Bytes& b, const std::string& what) {
  ImageProbe p;
  p.format = ImageFormat::Jpeg;
  const std::string headerCut = "truncated: the JPEG data ends inside its header, before the image data";
  bool haveSof = false, progressive = false;

  // Header segments up to and including the first SOS.
  u64 pos = 2;
  for (;;) {
    pos = b.find(pos, 0xFF);                             // bytes between segments are ignored, as libjpeg does
    while (pos < b.size() && b.at(pos) == 0xFF) ++pos;   // fill bytes
    if (pos >= b.size()) {
      p.incomplete = headerCut;
      return p;
    }
    const std::uint8_t m = b.at(pos++);
    if (isStandalone(m)) continue;
    if (m == 0xD9) {
      p.incomplete = "damaged: the JPEG data has an end-of-image marker before any image data";
      return p;
    }
    if (!b.has(pos, 2)) {
      p.incomplete = headerCut;
      return p;
    }
    const u64 length = b.be16(pos);
    char marker[8];
    std::snprintf(marker, sizeof marker, "FF%02X", unsigned(m));
    if (length < 2)
      throw broken(what, p.format,
                   std::string("the ") + marker + " segment at byte " + num(pos - 2) + " has length " + num(length));
    if (isSof(m) && !haveSof) {
      if (length < 8)
        throw broken(what, p.format,
                     std::string("its frame header (") + marker + ") is only " + num(length) + " bytes long");
      if (b.has(pos + 2, 5)) {  // precision, height, width
        setSize(p, what, b.be16(pos + 5), b.be16(pos + 3));
        haveSof = true;
        progressive = isProgressiveSof(m);
      }
    }
    if (!b.has(pos, length)) {
      p.incomplete = headerCut;
      return p;
    }
    pos += length;
    if (m == 0xDA) break;
  }
  if (!haveSof) throw broken(what, p.format, "its image data (SOS) comes before any frame header (SOF)");

  // Entropy-coded data and any later scans, up to EOI (FF D9). Inside coded data 0xFF is followed
  // by 00 (stuffing), D0-D7 (restart) or FF (fill); other markers are segments between scans and are
  // skipped by their length so that table bytes cannot pass for an EOI. A segment that would run
  // past the end is searched byte by byte instead (so corrupt data is not mistaken for a cut).
  for (;;) {
    pos = b.find(pos, 0xFF);
    while (pos < b.size() && b.at(pos) == 0xFF) ++pos;
    if (pos >= b.size()) break;
    const std::uint8_t m = b.at(pos++);
    if (m == 0xD9) return p;
    if (isStandalone(m) || !isInterScanSegment(m) || !b.has(pos, 2)) continue;
    const u64 length = b.be16(pos);
    if (length >= 2 && b.has(pos, length)) pos += length;
  }
  p.incomplete = progressive
                     ? "truncated: the JPEG data ends before its end-of-image marker (the progressive picture "
                       "lacks its later refinement passes, so it will look blurred or blocky)"
                     : "truncated: the JPEG data ends before its end-of-image marker (the lower part of the "
                       "picture is missing)";
  return p;
}

// ---- WebP -----------------------------------------------------------------------------------

ImageProbe probeWebP(const Bytes& b, const std::string& what) {
  ImageProbe p;
  p.format = ImageFormat::WebP;
  const u64 riff = b.le32(4);
  if (riff < 4) throw broken(what, p.format, "its RIFF size is " + num(riff) + " bytes");
  const u64 declared = riff + 8;
  if (declared > b.size())
    p.incomplete = "truncated: the WebP file declares " + num(declared) + " bytes but has " + num(b.size());

  const std::string headerCut = "truncated: the WebP data ends inside its header";
  if (!b.has(12, 8)) {
    if (p.incomplete.empty()) p.incomplete = headerCut;
    return p;
  }
  const u64 payload = 20;
  if (b.matches(12, "VP8 ")) {
    // Lossy: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height (little endian).
    if (!b.has(payload, 10)) {
      if (p.incomplete.empty()) p.incomplete = headerCut;
      return p;
    }
    if (b.at(payload + 3) != 0x9D || b.at(payload + 4) != 0x01 || b.at(payload + 5) != 0x2A)
      throw broken(what, p.format, "its VP8 frame has no start code (9D 01 2A)");
    setSize(p, what, b.le16(payload + 6) & 0x3FFF, b.le16(payload + 8) & 0x3FFF);
  } else if (b.matches(12, "VP8L")) {
    // Lossless: signature 0x2F, then 14 bits width-1 and 14 bits height-1.
    if (!b.has(payload, 5)) {
      if (p.incomplete.empty()) p.incomplete = headerCut;
      return p;
    }
    if (b.at(payload) != 0x2F) throw broken(what, p.format, "its VP8L chunk lacks the 0x2F signature");
    const std::uint32_t bits = b.le32(payload + 1);
    setSize(p, what, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  } else if (b.matches(12, "VP8X")) {
    // Extended: flags, 3 reserved bytes, 24-bit canvas width-1 and height-1.
    if (!b.has(payload, 10)) {
      if (p.incomplete.empty()) p.incomplete = headerCut;
      return p;
    }
    setSize(p, what, u64(b.le24(payload + 4)) + 1, u64(b.le24(payload + 7)) + 1);
  } else {
    throw broken(what, p.format, "its first chunk is '" + b.fourcc(12) + "', not VP8, VP8L or VP8X");
  }
  return p;
}

// ---- BMP ------------------------------------------------------------------------------------

ImageProbe probeBmp(const Bytes& b, const std::string& what) {
  ImageProbe p;
  p.format = ImageFormat::Bmp;
  const std::string headerCut = "truncated: the BMP data ends inside its header";
  if (!b.has(14, 4)) {
    p.incomplete = headerCut;
    return p;
  }
  const u64 infoSize = b.le32(14);
  u64 bpp = 0, compression = 0;
  bool topDown = false, haveFormat = false;
  if (infoSize == 12) {
    // BITMAPCOREHEADER: 16-bit unsigned width and height, planes, bit count.
    if (!b.has(18, 4)) {
      p.incomplete = headerCut;
      return p;
    }
    setSize(p, what, b.le16(18), b.le16(20));
    if (b.has(24, 2)) {
      bpp = b.le16(24);
      haveFormat = true;
    }
  } else if (infoSize == 16 || infoSize == 40 || infoSize == 52 || infoSize == 56 || infoSize == 64 ||
             infoSize == 108 || infoSize == 124) {
    // BITMAPINFOHEADER and its extensions (OS/2 2.x, V2..V5): signed 32-bit width and height;
    // a negative height means the rows are stored top-down.
    if (!b.has(18, 8)) {
      p.incomplete = headerCut;
      return p;
    }
    const std::int64_t w = std::int32_t(b.le32(18)), h = std::int32_t(b.le32(22));
    if (w <= 0 || h == 0)
      throw broken(what, p.format, "it declares a size of " + std::to_string(w) + "x" + std::to_string(h) + " pixels");
    topDown = h < 0;
    setSize(p, what, u64(w), u64(h < 0 ? -h : h));
    if (infoSize == 16 && b.has(28, 2)) {
      bpp = b.le16(28);
      haveFormat = true;
    } else if (b.has(28, 6)) {
      bpp = b.le16(28);
      compression = b.le32(30);
      haveFormat = true;
    }
  } else {
    throw broken(what, p.format, "its info header size is " + num(infoSize) + " bytes, not a known BMP header");
  }
  if (!haveFormat) {
    p.incomplete = headerCut;
    return p;
  }

  // Uncompressed rows (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS) are padded to 4 bytes; the padding
  // of the last row is not required (some writers omit it, and decoders do not need it).
  const bool uncompressed = compression == 0 || compression == 3 || compression == 6;
  const bool knownDepth = bpp == 1 || bpp == 2 || bpp == 4 || bpp == 8 || bpp == 16 || bpp == 24 || bpp == 32;
  if (uncompressed && knownDepth) {
    const u64 rowBytes = (u64(p.width) * bpp + 7) / 8;  // width < 2^31, bpp <= 32: no overflow
    const u64 stride = (rowBytes + 3) / 4 * 4;
    const u64 offset = b.le32(10);
    const u64 needed = addSat(addSat(offset, mulSat(stride, u64(p.height) - 1)), rowBytes);
    if (needed > b.size())
      p.incomplete = "truncated: the BMP pixel data needs " + num(needed) + " bytes but the file has " + num(b.size()) +
                     (topDown ? " (the lower part of the picture is missing)"
                              : " (the upper part of the picture is missing)");
  } else {
    const u64 declared = b.le32(2);
    if (declared != 0 && declared > b.size())
      p.incomplete = "truncated: the BMP file declares " + num(declared) + " bytes but has " + num(b.size());
  }
  return p;
}

// ---- TIFF -----------------------------------------------------------------------------------

ImageProbe probeTiff(const Bytes& b, const std::string& what) {
  ImageProbe p;
  p.format = ImageFormat::Tiff;
  const bool le = b.at(0) == 'I';
  const bool big = b.at(2) == 43 || b.at(3) == 43;  // BigTIFF: 8-byte offsets
  auto u16 = [&](u64 o) { return le ? b.le16(o) : b.be16(o); };
  auto u32 = [&](u64 o) { return le ? b.le32(o) : b.be32(o); };
  auto u64at = [&](u64 o) { return le ? b.le64(o) : b.be64(o); };

  const u64 headerSize = big ? 16 : 8;
  if (!b.has(0, headerSize)) {
    p.incomplete = "truncated: the TIFF data ends inside its header";
    return p;
  }
  if (big && (u16(4) != 8 || u16(6) != 0))
    throw broken(what, p.format, "its BigTIFF header declares " + num(u16(4)) + "-byte offsets, not 8");
  const u64 ifd = big ? u64at(8) : u32(4);
  if (ifd < headerSize)
    throw broken(what, p.format, "its first image directory offset is " + num(ifd) + ", inside the header");
  const u64 countSize = big ? 8 : 2, entrySize = big ? 20 : 12;
  if (!b.has(ifd, countSize)) {
    p.incomplete = "truncated: the TIFF data ends before its first image directory";
    return p;
  }
  const u64 count = big ? u64at(ifd) : u16(ifd);
  if (count == 0) throw broken(what, p.format, "its first image directory is empty");

  u64 width = 0, height = 0;
  bool haveWidth = false, haveHeight = false;
  for (u64 i = 0; i < count; ++i) {
    const u64 e = ifd + countSize + i * entrySize;  // i < count is bounded by has() below: no overflow
    if (!b.has(e, entrySize)) {
      p.incomplete = "truncated: the TIFF data ends inside its first image directory";
      break;
    }
    const std::uint32_t tag = u16(e), type = u16(e + 2);
    if (tag != 256 && tag != 257) continue;
    const u64 n = big ? u64at(e + 4) : u32(e + 4);
    const u64 valueAt = e + (big ? 12 : 8);
    u64 value = 0;
    bool ok = n >= 1;
    if (type == 3) value = u16(valueAt);           // SHORT
    else if (type == 4) value = u32(valueAt);      // LONG
    else if (type == 16 && big) value = u64at(valueAt);  // LONG8
    else ok = false;
    if (!ok) continue;
    if (tag == 256) width = value, haveWidth = true;
    else height = value, haveHeight = true;
    if (haveWidth && haveHeight) break;
  }
  if (haveWidth && haveHeight) {
    if (width > 0x7fffffffu || height > 0x7fffffffu)
      throw broken(what, p.format, "it declares a size of " + num(width) + "x" + num(height) + " pixels");
    setSize(p, what, width, height);
  } else if (p.incomplete.empty()) {
    throw broken(what, p.format,
                 std::string("its first image directory has no usable ") +
                     (haveWidth ? "ImageLength" : "ImageWidth") + " tag");
  }
  return p;
}

// ---- PNM ------------------------------------------------------------------------------------

std::string charText(std::uint8_t c) {
  char buf[16];
  if (c >= 0x20 && c < 0x7f) std::snprintf(buf, sizeof buf, "'%c'", char(c));
  else std::snprintf(buf, sizeof buf, "byte 0x%02X", unsigned(c));
  return buf;
}

bool isPnmSpace(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

ImageProbe probePnm(const Bytes& b, const std::string& what) {
  ImageProbe p;
  p.format = ImageFormat::Pnm;
  const int kind = b.at(1) - '0';
  const std::string headerCut = "truncated: the PNM data ends inside its header";
  u64 pos = 2;
  // Reads one decimal field followed by a whitespace or '#'; false when the data ends first.
  auto field = [&](const char* name, u64& out) -> bool {
    for (;;) {
      if (pos >= b.size()) return false;
      const std::uint8_t c = b.at(pos);
      if (isPnmSpace(c)) {
        ++pos;
      } else if (c == '#') {
        while (pos < b.size() && b.at(pos) != '\n' && b.at(pos) != '\r') ++pos;
      } else {
        break;
      }
    }
    const std::uint8_t first = b.at(pos);
    if (first < '0' || first > '9')
      throw broken(what, p.format,
                   std::string("expected the ") + name + " at byte " + num(pos) + ", found " + charText(first));
    u64 value = 0;
    while (pos < b.size() && b.at(pos) >= '0' && b.at(pos) <= '9') {
      value = value * 10 + (b.at(pos) - '0');
      if (value > 0xffffffffu) throw broken(what, p.format, std::string("its ") + name + " is too large");
      ++pos;
    }
    if (pos >= b.size()) return false;  // the number may go on
    const std::uint8_t next = b.at(pos);
    if (!isPnmSpace(next) && next != '#')
      throw broken(what, p.format,
                   std::string("unexpected ") + charText(next) + " after the " + name + " at byte " + num(pos));
    out = value;
    return true;
  };

  u64 w = 0, h = 0, maxval = 1;
  if (!field("width", w)) {
    p.incomplete = headerCut;
    return p;
  }
  if (!field("height", h)) {
    p.incomplete = headerCut;
    return p;
  }
  if (w > 0x7fffffffu || h > 0x7fffffffu)
    throw broken(what, p.format, "it declares a size of " + num(w) + "x" + num(h) + " pixels");
  setSize(p, what, w, h);
  const bool bitmap = kind == 1 || kind == 4;
  if (!bitmap) {
    if (!field("maximum value", maxval)) {
      p.incomplete = headerCut;
      return p;
    }
    if (maxval == 0 || maxval > 65535)
      throw broken(what, p.format, "its maximum value is " + num(maxval) + " (must be 1 to 65535)");
  }
  if (kind <= 3) return p;  // ASCII kinds: no fixed length to check

  // Binary kinds: exactly one whitespace byte ends the header, then the raster.
  if (b.at(pos) == '#') {  // a comment right after the last field: skip it and its line end
    while (pos < b.size() && b.at(pos) != '\n' && b.at(pos) != '\r') ++pos;
    if (pos >= b.size()) {
      p.incomplete = headerCut;
      return p;
    }
  }
  const u64 rasterStart = pos + 1;
  u64 raster = 0;
  if (kind == 4) {
    raster = mulSat((u64(p.width) + 7) / 8, u64(p.height));
  } else {
    const u64 channels = kind == 6 ? 3 : 1, sampleBytes = maxval > 255 ? 2 : 1;
    raster = mulSat(mulSat(mulSat(u64(p.width), u64(p.height)), channels), sampleBytes);
  }
  const u64 needed = addSat(rasterStart, raster);
  if (needed > b.size())
    p.incomplete = "truncated: the PNM pixel data needs " + num(needed) + " bytes but the file has " + num(b.size()) +
                   " (the lower part of the picture is missing)";
  return p;
}

// ---- GIF ------------------------------------------------------------------------------------

ImageProbe probeGif(const Bytes& b) {
  ImageProbe p;
  p.format = ImageFormat::Gif;
  if (!b.has(6, 4)) {
    p.incomplete = "truncated: the GIF data ends inside its header";
    return p;
  }
  // Logical screen size. 0 (seen in the wild) leaves the size unknown: the frames then say it.
  const u64 w = b.le16(6), h = b.le16(8);
  if (w > 0 && h > 0) {
    p.width = std::int64_t(w);
    p.height = std::int64_t(h);
  }
  return p;
}

}  // namespace

const char* formatName(ImageFormat f) {
  switch (f) {
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::WebP: return "WebP";
    case ImageFormat::Bmp: return "BMP";
    case ImageFormat::Tiff: return "TIFF";
    case ImageFormat::Pnm: return "PNM";
    case ImageFormat::Gif: return "GIF";
    case ImageFormat::Unknown: break;
  }
  return "unknown";
}

ImageProbe probeImage(const std::uint8_t* data, std::size_t size, const std::string& what) {
  if (data == nullptr) size = 0;
  const Bytes b(data, size);
  if (b.matches(0, "\x89PNG\r\n\x1a\n")) return probePng(b, what);
  if (b.has(0, 3) && b.at(0) == 0xFF && b.at(1) == 0xD8 && b.at(2) == 0xFF) return probeJpeg(b, what);
  if (b.matches(0, "RIFF") && b.matches(8, "WEBP")) return probeWebP(b, what);
  if (b.matches(0, "BM")) return probeBmp(b, what);
  if (b.has(0, 4) && ((b.matches(0, "II") && b.at(3) == 0 && (b.at(2) == 42 || b.at(2) == 43)) ||
                      (b.matches(0, "MM") && b.at(2) == 0 && (b.at(3) == 42 || b.at(3) == 43))))
    return probeTiff(b, what);
  if (b.has(0, 2) && b.at(0) == 'P' && b.at(1) >= '1' && b.at(1) <= '6' &&
      (!b.has(2, 1) || isPnmSpace(b.at(2)) || b.at(2) == '#'))
    return probePnm(b, what);
  if (b.matches(0, "GIF87a") || b.matches(0, "GIF89a")) return probeGif(b);
  return ImageProbe{};
}

}  // namespace latentshop
