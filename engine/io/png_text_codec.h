// PNG encoding and decoding with libpng, carrying text chunks (tEXt / zTXt / iTXt) both ways.
// OpenCV's imwrite/imread neither write nor return text chunks, and Latentshop's exports carry
// their edit parameters in them (see png_parameters.h); ORA layers and masks use this codec too.
// Pixels are RGB order (not OpenCV's BGR): CV_8UC1 gray, CV_8UC3 RGB, CV_8UC4 RGBA straight alpha.
// Reference: the PNG specification (ISO/IEC 15948, W3C PNG 2nd edition), §11.3.4 textual chunks.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace latentshop {

// One textual chunk. `text` is UTF-8. Written as tEXt when both key and text are ASCII, else iTXt.
// Keys are 1..79 Latin-1 characters (the PNG rule); `parameters` is the key SD tools read.
struct PngText {
  std::string key;
  std::string text;
};

struct PngEncodeOptions {
  // 0: no compression. 1..5 ("fast"): the Sub row filter and zlib's run-length strategy at that
  // level, as OpenCV's PNG writer does — on photos ~5x faster than 6..9 for ~3 % more bytes.
  // 6..9 ("small"): adaptive row filters and zlib's default strategy at that level.
  int compressionLevel = 3;
  std::vector<PngText> text;       // written before the image data
};

// Encodes an 8-bit CV_8UC1 / CV_8UC3 / CV_8UC4 image. Throws Error("<what>: ...") on bad input.
std::vector<std::uint8_t> encodePng(const cv::Mat& image, const PngEncodeOptions& options = {},
                                    const std::string& what = "PNG");

// Encodes a width × height image whose rows a callback supplies in bands, so the whole image never
// has to exist at once: rows(y0, band) must return a CV_8UC<channels> Mat of ≥ 1 rows starting at
// row y0 (the encoder asks again from y0 + band.rows). Bytes go to `write` as they are produced.
void encodePngRows(int width, int height, int channels,
                   const std::function<cv::Mat(int y0)>& rows,
                   const std::function<void(const std::uint8_t*, size_t)>& write,
                   const PngEncodeOptions& options = {}, const std::string& what = "PNG");

// Writes `image` as a PNG file (through a temporary file renamed into place).
void writePngFile(const std::string& path, const cv::Mat& image, const PngEncodeOptions& options = {});

enum class PngPixels {
  Rgba,      // any PNG → CV_8UC4 RGBA (palette/gray expanded, 16-bit reduced, opaque alpha added)
  Gray,      // any PNG → CV_8UC1 (colour converted to luma; alpha dropped)
  TextOnly,  // pixels decoded row by row and discarded: only text and size are returned
};

struct DecodedPng {
  cv::Mat image;               // empty for TextOnly
  int width = 0;
  int height = 0;
  std::vector<PngText> text;   // every textual chunk, in file order; text as UTF-8
};

// Decodes PNG bytes; `what` names the source in errors ("data/layer-001.png: corrupt PNG: ...").
// Images whose width or height exceed `maxSide` are refused before any pixel memory is allocated.
DecodedPng decodePng(const std::uint8_t* data, size_t size, PngPixels want, const std::string& what,
                     int maxSide = 65535);
DecodedPng readPngFile(const std::string& path, PngPixels want, int maxSide = 65535);

// The text chunks of a PNG file, by key ("" when absent). Throws Error for a non-PNG / corrupt file.
std::vector<PngText> readPngText(const std::string& path);
std::string findPngText(const std::vector<PngText>& text, const std::string& key);

}  // namespace latentshop
