#include "engine/io/png_text_codec.h"

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <cstring>
#include <fstream>
#include <iterator>

#include <png.h>
#include <zlib.h>

#include "engine/core/error.h"
#include "engine/io/decode_policy.h"
#include "engine/io/project_atomic_file.h"

namespace latentshop {

// libpng reports errors by longjmp. Every libpng call that can fail runs inside one of the small
// `guarded*` functions below, whose frames hold only trivially destructible objects, so the longjmp
// never skips a C++ destructor; callbacks into our code catch their exceptions before returning to
// libpng and report them through png_error.
namespace {

struct PngContext {
  std::string what;
  std::string message;  // the libpng (or callback) error message
  // Writing
  const std::function<void(const std::uint8_t*, size_t)>* write = nullptr;
  // Reading
  const std::uint8_t* data = nullptr;
  size_t size = 0;
  size_t pos = 0;
};

PngContext& contextOf(png_structp png) { return *static_cast<PngContext*>(png_get_error_ptr(png)); }

void onError(png_structp png, png_const_charp message) {
  contextOf(png).message = message ? message : "unknown libpng error";
  png_longjmp(png, 1);
}

void onWarning(png_structp, png_const_charp) {}

void onWrite(png_structp png, png_bytep data, png_size_t length) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  bool failed = false;
  try {
    (*ctx->write)(data, length);
  } catch (const std::exception& e) {
    ctx->message = e.what();
    failed = true;
  }
  if (failed) png_error(png, "write failed");
}

void onFlush(png_structp) {}

void onRead(png_structp png, png_bytep out, png_size_t length) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  if (length > ctx->size - ctx->pos) png_error(png, "the data ends early (truncated file)");
  std::memcpy(out, ctx->data + ctx->pos, length);
  ctx->pos += length;
}

// ---- guarded libpng calls (return false after a libpng error; message in the context) ----

bool guardedWriteHeader(png_structp png, png_infop info, int width, int height, int colorType,
                        int level, png_textp text, int numText) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_compression_level(png, level);
  if (level == 0) {
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  } else if (level <= 5) {
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_compression_strategy(png, Z_RLE);
  }
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               colorType, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (numText > 0) png_set_text(png, info, text, numText);
  png_write_info(png, info);
  return true;
}

bool guardedWriteRow(png_structp png, const std::uint8_t* row) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_write_row(png, row);
  return true;
}

bool guardedWriteEnd(png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_write_end(png, info);
  return true;
}

struct ReadInfo {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int passes = 1;
  size_t rowBytes = 0;
};

bool guardedReadHeader(png_structp png, png_infop info, PngPixels want, int maxSide, png_alloc_size_t chunkLimit,
                       ReadInfo* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_user_limits(png, static_cast<png_uint_32>(maxSide), static_cast<png_uint_32>(maxSide));
  // libpng inflates zTXt/iTXt (and accepts chunk lengths) without a bound: cap them at libpng's own
  // "safe limits" value, or the input size when larger (see also checkChunkLengths).
  png_set_chunk_malloc_max(png, chunkLimit);
  png_read_info(png, info);
  int bitDepth = 0, colorType = 0;
  png_get_IHDR(png, info, &out->width, &out->height, &bitDepth, &colorType, nullptr, nullptr, nullptr);
  if (bitDepth == 16) png_set_scale_16(png);
  if (colorType == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (colorType == PNG_COLOR_TYPE_GRAY && bitDepth < 8) png_set_expand_gray_1_2_4_to_8(png);
  const bool hasTrns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  const bool isGray = colorType == PNG_COLOR_TYPE_GRAY || colorType == PNG_COLOR_TYPE_GRAY_ALPHA;
  const bool hasAlpha = (colorType & PNG_COLOR_MASK_ALPHA) != 0 || hasTrns;
  if (want == PngPixels::Gray) {
    if (hasTrns) png_set_tRNS_to_alpha(png);
    if (!isGray) png_set_rgb_to_gray_fixed(png, PNG_ERROR_ACTION_NONE, -1, -1);
    if (hasAlpha) png_set_strip_alpha(png);
  } else {
    if (hasTrns) png_set_tRNS_to_alpha(png);
    if (isGray) png_set_gray_to_rgb(png);
    if (!hasAlpha) png_set_filler(png, 0xff, PNG_FILLER_AFTER);
  }
  out->passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  out->rowBytes = png_get_rowbytes(png, info);
  return true;
}

bool guardedReadRow(png_structp png, std::uint8_t* row) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_row(png, row, nullptr);
  return true;
}

bool guardedReadImage(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  return true;
}

bool guardedReadEnd(png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_end(png, info);
  return true;
}

// ---- text ----

bool isAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

void checkKey(const std::string& key, const std::string& what) {
  const bool printable = std::all_of(key.begin(), key.end(), [](char c) { return c >= 32 && c <= 126; });
  if (key.empty() || key.size() > 79 || !printable || key.front() == ' ' || key.back() == ' ' ||
      key.find("  ") != std::string::npos)
    throw Error(what + ": invalid PNG text key '" + key + "' (1-79 printable ASCII characters)");
}

std::string latin1ToUtf8(const char* s, size_t n) {
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::vector<PngText> collectText(png_structp png, png_infop info) {
  std::vector<PngText> out;
  png_textp text = nullptr;
  int n = 0;
  png_get_text(png, info, &text, &n);
  for (int i = 0; i < n; ++i) {
    const png_text& t = text[i];
    PngText entry;
    entry.key = latin1ToUtf8(t.key, std::strlen(t.key));
    const bool international = t.compression == PNG_ITXT_COMPRESSION_NONE || t.compression == PNG_ITXT_COMPRESSION_zTXt;
    if (international)
      entry.text.assign(t.text ? t.text : "", t.text ? t.itxt_length : 0);
    else
      entry.text = latin1ToUtf8(t.text ? t.text : "", t.text ? t.text_length : 0);
    out.push_back(std::move(entry));
  }
  return out;
}

// libpng allocates a chunk's declared length (up to 2 GiB) before it reads the chunk's data, so a
// 200-byte file whose iTXt claims 2 GB would get that allocation. Every chunk up to IEND must lie
// inside the data; what libpng checks itself (CRC, length over 2^31, chunk order) is left to it.
void checkChunkLengths(const std::uint8_t* data, size_t size, const std::string& what) {
  size_t pos = 8;
  while (size - pos >= 8) {
    const std::uint32_t length = (static_cast<std::uint32_t>(data[pos]) << 24) |
                                 (static_cast<std::uint32_t>(data[pos + 1]) << 16) |
                                 (static_cast<std::uint32_t>(data[pos + 2]) << 8) | data[pos + 3];
    if (length > 0x7fffffffu) return;
    std::string type;
    for (int i = 4; i < 8; ++i) {
      const auto c = static_cast<unsigned char>(data[pos + i]);
      type.push_back(std::isalpha(c) ? static_cast<char>(c) : '?');
    }
    if (std::uint64_t{length} + 12 > size - pos)
      throw Error(what + ": corrupt PNG: the " + type + " chunk of " + std::to_string(length) +
                  " bytes runs past the end of the data (truncated file)");
    if (type == "IEND") return;
    pos += 12 + static_cast<size_t>(length);
  }
}

struct WriteStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~WriteStructs() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

struct ReadStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadStructs() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

}  // namespace

void encodePngRows(int width, int height, int channels, const std::function<cv::Mat(int y0)>& rows,
                   const std::function<void(const std::uint8_t*, size_t)>& write,
                   const PngEncodeOptions& options, const std::string& what) {
  if (width <= 0 || height <= 0) throw Error(what + ": cannot encode an empty image");
  int colorType = 0;
  switch (channels) {
    case 1: colorType = PNG_COLOR_TYPE_GRAY; break;
    case 3: colorType = PNG_COLOR_TYPE_RGB; break;
    case 4: colorType = PNG_COLOR_TYPE_RGB_ALPHA; break;
    default: throw Error(what + ": PNG needs 1, 3 or 4 channels, got " + std::to_string(channels));
  }
  // Text entries: key/text/lang strings must outlive png_set_text (it copies them).
  std::vector<png_text> text(options.text.size());
  for (size_t i = 0; i < options.text.size(); ++i) {
    const PngText& t = options.text[i];
    checkKey(t.key, what);
    std::memset(&text[i], 0, sizeof(png_text));
    const bool ascii = isAscii(t.text);
    text[i].compression = ascii ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
    text[i].key = const_cast<char*>(t.key.c_str());
    text[i].text = const_cast<char*>(t.text.c_str());
    text[i].text_length = ascii ? t.text.size() : 0;
    text[i].itxt_length = ascii ? 0 : t.text.size();
    text[i].lang = const_cast<char*>("");
    text[i].lang_key = const_cast<char*>("");
  }

  PngContext ctx;
  ctx.what = what;
  ctx.write = &write;
  WriteStructs s;
  s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, onError, onWarning);
  if (!s.png) throw Error(what + ": out of memory");
  s.info = png_create_info_struct(s.png);
  if (!s.info) throw Error(what + ": out of memory");
  png_set_write_fn(s.png, &ctx, onWrite, onFlush);
  const int level = std::clamp(options.compressionLevel, 0, 9);
  auto fail = [&] { throw Error(what + ": PNG encoding failed: " + ctx.message); };
  if (!guardedWriteHeader(s.png, s.info, width, height, colorType, level, text.data(),
                          static_cast<int>(text.size())))
    fail();
  for (int y = 0; y < height;) {
    const cv::Mat band = rows(y);
    if (band.empty() || band.cols != width || band.type() != CV_MAKETYPE(CV_8U, channels) ||
        band.rows > height - y)
      throw Error(what + ": internal error: the row source returned a wrong band at row " + std::to_string(y));
    for (int r = 0; r < band.rows; ++r)
      if (!guardedWriteRow(s.png, band.ptr<std::uint8_t>(r))) fail();
    y += band.rows;
  }
  if (!guardedWriteEnd(s.png, s.info)) fail();
}

std::vector<std::uint8_t> encodePng(const cv::Mat& image, const PngEncodeOptions& options,
                                    const std::string& what) {
  if (image.empty()) throw Error(what + ": cannot encode an empty image");
  if (image.depth() != CV_8U) throw Error(what + ": PNG export needs 8-bit pixels");
  std::vector<std::uint8_t> out;
  out.reserve(static_cast<size_t>(image.total() * image.elemSize() / 2 + 1024));
  encodePngRows(
      image.cols, image.rows, image.channels(), [&](int y0) { return image.rowRange(y0, image.rows); },
      [&](const std::uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }, options, what);
  return out;
}

void writePngFile(const std::string& path, const cv::Mat& image, const PngEncodeOptions& options) {
  if (image.empty()) throw Error(path + ": cannot write an empty image");
  if (image.depth() != CV_8U) throw Error(path + ": PNG export needs 8-bit pixels");
  AtomicFile file(path);
  encodePngRows(
      image.cols, image.rows, image.channels(), [&](int y0) { return image.rowRange(y0, image.rows); },
      [&](const std::uint8_t* p, size_t n) { file.write(p, n); }, options, path);
  file.commit();
}

DecodedPng decodePng(const std::uint8_t* data, size_t size, PngPixels want, const std::string& what,
                     int maxSide) {
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) throw Error(what + ": not a PNG file");
  checkChunkLengths(data, size, what);
  PngContext ctx;
  ctx.what = what;
  ctx.data = data;
  ctx.size = size;
  ReadStructs s;
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, onError, onWarning);
  if (!s.png) throw Error(what + ": out of memory");
  s.info = png_create_info_struct(s.png);
  if (!s.info) throw Error(what + ": out of memory");
  png_set_read_fn(s.png, &ctx, onRead);
  auto fail = [&] { throw Error(what + ": corrupt PNG: " + ctx.message); };

  ReadInfo ri;
  const png_alloc_size_t chunkLimit = std::max<png_alloc_size_t>(8000000, size);
  if (!guardedReadHeader(s.png, s.info, want, maxSide, chunkLimit, &ri)) fail();
  const int channels = want == PngPixels::Gray ? 1 : 4;
  if (ri.rowBytes != static_cast<size_t>(ri.width) * static_cast<size_t>(channels))
    throw Error(what + ": unsupported PNG pixel layout");

  if (want != PngPixels::TextOnly) checkPixelBudget(what, ri.width, ri.height);

  DecodedPng out;
  out.width = static_cast<int>(ri.width);
  out.height = static_cast<int>(ri.height);
  if (want == PngPixels::TextOnly) {
    std::vector<std::uint8_t> row(ri.rowBytes);
    for (int pass = 0; pass < ri.passes; ++pass)
      for (png_uint_32 y = 0; y < ri.height; ++y)
        if (!guardedReadRow(s.png, row.data())) fail();
  } else {
    out.image.create(out.height, out.width, CV_MAKETYPE(CV_8U, channels));
    std::vector<png_bytep> rows(ri.height);
    for (png_uint_32 y = 0; y < ri.height; ++y) rows[y] = out.image.ptr<png_byte>(static_cast<int>(y));
    if (!guardedReadImage(s.png, rows.data())) fail();
  }
  if (!guardedReadEnd(s.png, s.info)) fail();
  out.text = collectText(s.png, s.info);
  return out;
}

DecodedPng readPngFile(const std::string& path, PngPixels want, int maxSide) {
  const auto bytes = readFileBytes(path, decodePolicy().maxFileBytes());
  return decodePng(bytes.data(), bytes.size(), want, path, maxSide);
}

std::vector<PngText> readPngText(const std::string& path) {
  return readPngFile(path, PngPixels::TextOnly).text;
}

std::string findPngText(const std::vector<PngText>& text, const std::string& key) {
  for (const auto& t : text)
    if (t.key == key) return t.text;
  return "";
}

}  // namespace latentshop
