// One decode policy for every reader of untrusted images, in the GUI and the CLI alike: a pixel
// budget checked from the file's header before any pixel memory is allocated (default 250
// megapixels, the GUI's limit since the start; `latentshop-cli --max-megapixels`, the editor's
// Settings), a byte cap on what is read into memory, and truncated files recognised from their
// structure (engine/io/image_probe.h) so they are refused, or opened with a warning, never silently.
// ORA layers are held to the same budget (engine/io/ora_reader.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/io/file_bytes.h"
#include "engine/io/image_probe.h"

namespace latentshop {

struct DecodePolicy {
  // The largest image, layer or canvas, in pixels.
  std::int64_t maxPixels = 250'000'000;
  // All layers of one project together (a project may hold several full-size layers).
  std::int64_t maxProjectPixels() const { return maxPixels * 8; }
  // The most bytes an image file may have: 8 bytes a pixel (16-bit RGBA, uncompressed) plus room
  // for metadata.
  std::uint64_t maxFileBytes() const { return static_cast<std::uint64_t>(maxPixels) * 8 + (64u << 20); }
};

// The process-wide policy. setDecodePolicy() validates (1 .. 4000 megapixels) and also sets
// OpenCV's own allocation backstop (OPENCV_IO_MAX_IMAGE_PIXELS) for formats whose header this
// module does not read; call it before the first decode.
const DecodePolicy& decodePolicy();
void setDecodePolicy(const DecodePolicy& policy);
inline constexpr std::int64_t kMinBudgetMegapixels = 1;
inline constexpr std::int64_t kMaxBudgetMegapixels = 4000;

// "" when a `width` x `height` image fits the budget, else the reason, naming `what`:
// "photo.png: 30000 x 30000 pixels (900 MP) is larger than the 250 MP an image may have".
std::string pixelBudgetProblem(const std::string& what, std::int64_t width, std::int64_t height);
// Throws Error(pixelBudgetProblem(...)) when it is not "".
void checkPixelBudget(const std::string& what, std::int64_t width, std::int64_t height);

// An image file read into memory and inspected: its bytes (at most maxFileBytes()), its header,
// and whether it is complete. Throws Error naming the file when it is missing, a folder, empty,
// too large, over the pixel budget by its header, or has a broken header. A truncated file is not
// an error here: probe.incomplete says what is missing, and each reader decides (the CLI refuses,
// the editor asks).
struct InspectedImage {
  std::vector<std::uint8_t> bytes;
  ImageProbe probe;
};
InspectedImage inspectImageFile(const std::string& path);

}  // namespace latentshop
