// One decode policy for the GUI and the CLI: before any pixel buffer is allocated, learn an image
// file's format and pixel size from its header (so a 30000x30000 PNG can be refused by its declared
// size, not by running out of memory) and whether its structure is complete (a half-downloaded
// JPEG decodes "successfully" with a grey lower half). Pure byte parsing: no OpenCV, no Qt, and
// nothing is ever allocated in proportion to a size the file declares.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace latentshop {

enum class ImageFormat { Unknown, Png, Jpeg, WebP, Bmp, Tiff, Pnm, Gif };

// "PNG", "JPEG", "WebP", "BMP", "TIFF", "PNM", "GIF", "unknown".
const char* formatName(ImageFormat f);

struct ImageProbe {
  ImageFormat format = ImageFormat::Unknown;
  std::int64_t width = 0, height = 0;  // 0 when the header does not say (or format Unknown)
  bool sizeKnown() const { return width > 0 && height > 0; }
  // "" when the file's structure is complete; else what is missing, in words, e.g. "truncated: the
  // JPEG data ends before its end-of-image marker (the lower part of the picture is missing)".
  std::string incomplete;
};

// Reads the header (and, for the completeness check, the structure) of the encoded bytes `data`.
// Never reads outside [data, data + size) and never allocates in proportion to the declared size.
// A file cut short anywhere (even inside the header) gives a probe with `incomplete` set and the
// size 0 when the header did not get that far; it does not throw. Throws Error("<what>: ...") only
// for a header that is recognisably of a format but broken (a PNG signature followed by something
// other than IHDR, a declared width of 0, ...). An unknown signature gives format Unknown.
// Completeness is checked for PNG, JPEG, WebP, BMP, PNM (binary P4/P5/P6) and TIFF (its first
// image directory must be inside the data); not for GIF or the ASCII PNM kinds.
ImageProbe probeImage(const std::uint8_t* data, std::size_t size, const std::string& what);

}  // namespace latentshop
