// libFuzzer harness: the parameters text codec on arbitrary text — the A1111 "parameters" chunk
// parser and the "latentshop" JSON chunk reader (parametersFromText), then the result formatted and
// dumped as the exporters and --json do.
#include "engine/io/png_parameters.h"
#include "tests/fuzz/fuzz_common.h"

using namespace latentshop;

namespace {
// Text chunks reach the codec as UTF-8 (png_text_codec converts tEXt from Latin-1 and checks iTXt;
// fuzz_png_text covers that path), so ill-formed UTF-8 in the fuzz input is replaced first.
std::string asUtf8(const std::uint8_t* data, size_t size) {
  const std::string raw(reinterpret_cast<const char*>(data), size);
  return nlohmann::json::parse(nlohmann::json(raw).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .get<std::string>();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text = asUtf8(data, size);
  const std::string what = "fuzz.png";
  LATENTSHOP_FUZZ_EXPECT_ERROR(what, {
    const nlohmann::json parsed = parseA1111Parameters(text);
    if (!parsed.is_object() || !parsed.contains("prompt")) std::abort();
    (void)parsed.dump();
    const std::string again = formatA1111Parameters(parsed);
    (void)parseA1111Parameters(again).dump();
    (void)parameterTextChunks(parsed);
  });
  LATENTSHOP_FUZZ_EXPECT_ERROR(what, {
    const PngParameters p = parametersFromText({{kPngParametersKey, text}}, what);
    (void)p.params.dump();
  });
  LATENTSHOP_FUZZ_EXPECT_ERROR(what, {
    const PngParameters p = parametersFromText({{kPngLatentshopKey, text}, {kPngParametersKey, text}}, what);
    (void)p.params.dump();
    (void)formatA1111Parameters(p.params);
    (void)parameterTextChunks(p.params, p.latentshop.is_object() ? p.latentshop.value("layers", nlohmann::json()) : nullptr);
  });
  return 0;
}
