// libFuzzer harness: the PNG codec's decoder on arbitrary bytes (text-only, RGBA and gray), then the
// parameters read from its text chunks (readPngParameters' path) and written back as JSON.
#include "engine/io/png_parameters.h"
#include "engine/io/png_text_codec.h"
#include "tests/fuzz/fuzz_common.h"

using namespace latentshop;

namespace {
// Keeps the pixel decodes cheap: a 60-byte PNG may claim 65535 x 65535 pixels.
constexpr int kMaxSide = 1024;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string what = "fuzz.png";
  LATENTSHOP_FUZZ_EXPECT_ERROR(what, {
    const DecodedPng text = decodePng(data, size, PngPixels::TextOnly, what, kMaxSide);
    const PngParameters p = parametersFromText(text.text, what);
    (void)p.params.dump();
    (void)p.latentshop.dump();
    (void)formatA1111Parameters(p.params);
  });
  LATENTSHOP_FUZZ_EXPECT_ERROR(what, {
    const DecodedPng rgba = decodePng(data, size, PngPixels::Rgba, what, kMaxSide);
    if (rgba.image.type() != CV_8UC4 || rgba.image.cols != rgba.width || rgba.image.rows != rgba.height) std::abort();
  });
  LATENTSHOP_FUZZ_EXPECT_ERROR(what, {
    const DecodedPng gray = decodePng(data, size, PngPixels::Gray, what, kMaxSide);
    if (gray.image.type() != CV_8UC1) std::abort();
  });
  return 0;
}
