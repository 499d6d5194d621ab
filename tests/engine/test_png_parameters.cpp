// LATENTSHOP_TEST_LABELS: io
// PNG text chunks: the A1111 "parameters" text other SD tools read, Latentshop's JSON chunk, their
// chunk types (tEXt for ASCII, iTXt for UTF-8), and reading both back; the libpng codec's pixel
// round trips (also through OpenCV's independent decoder) and its errors.
#include <algorithm>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_project_fixtures.h"
#include "engine/core/error.h"
#include "engine/io/layer_export.h"
#include "engine/io/png_parameters.h"
#include "engine/io/png_text_codec.h"

using namespace latentshop;

namespace {

std::string scratch(const std::string& name) { return lstest::scratchDir() + "/" + name; }

// The chunk types in a PNG byte stream, in order.
std::vector<std::string> chunkTypes(const std::vector<std::uint8_t>& b) {
  std::vector<std::string> out;
  for (size_t at = 8; at + 8 <= b.size();) {
    const size_t len = (size_t(b[at]) << 24) | (size_t(b[at + 1]) << 16) | (size_t(b[at + 2]) << 8) | b[at + 3];
    out.emplace_back(b.begin() + static_cast<std::ptrdiff_t>(at + 4), b.begin() + static_cast<std::ptrdiff_t>(at + 8));
    at += 12 + len;
  }
  return out;
}

int count(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<int>(std::count(v.begin(), v.end(), s));
}

}  // namespace

class TestPngParameters : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void formatsA1111Infotext() {
    const nlohmann::json params = {{"method", "inpaint"},  {"prompt", "a red barn"}, {"negative_prompt", "blurry, dark"},
                                   {"steps", 30},          {"scheduler", "ddim"},    {"guidance_scale", 7.5},
                                   {"seed", 42},           {"width", 512},           {"height", 768},
                                   {"model", "sd-1.5-inpainting"}, {"strength", 0.8}, {"crop_padding", 32}};
    QCOMPARE(formatA1111Parameters(params),
             std::string("a red barn\nNegative prompt: blurry, dark\n"
                         "Steps: 30, Sampler: DDIM, CFG scale: 7.5, Seed: 42, Size: 512x768, "
                         "Model: sd-1.5-inpainting, Denoising strength: 0.8, Method: inpaint, crop_padding: 32"));
    const nlohmann::json instruct = {{"method", "instruct"}, {"instruction", "make it snowy"},
                                     {"num_inference_steps", 20}, {"guidance", 7}, {"image_guidance", 1.5},
                                     {"scheduler", "euler_ancestral"}, {"size", {256, 256}}};
    QCOMPARE(formatA1111Parameters(instruct),
             std::string("make it snowy\nSteps: 20, Sampler: Euler a, CFG scale: 7, Image CFG scale: 1.5, "
                         "Size: 256x256, Method: instruct"));
    QCOMPARE(formatA1111Parameters(nlohmann::json::object()), std::string());
  }

  void quotesValuesWithCommasOrColons() {
    const std::string text = formatA1111Parameters({{"prompt", "x"}, {"steps", 1}, {"model", "a, b: c"}, {"seed", 3}});
    QCOMPARE(text, std::string("x\nSteps: 1, Seed: 3, Model: \"a, b: c\""));
    const nlohmann::json back = parseA1111Parameters(text);
    QCOMPARE(back["Model"].get<std::string>(), std::string("a, b: c"));
  }

  void parsesInfotextBack() {
    const nlohmann::json back = parseA1111Parameters(
        "line one\nline two\nNegative prompt: ugly\nmore negative\n"
        "Steps: 25, Sampler: DPM++ 2M, CFG scale: 6.5, Seed: 7, Size: 512x512");
    QCOMPARE(back["prompt"].get<std::string>(), std::string("line one\nline two"));
    QCOMPARE(back["negative_prompt"].get<std::string>(), std::string("ugly\nmore negative"));
    QCOMPARE(back["Steps"].get<std::string>(), std::string("25"));
    QCOMPARE(back["Sampler"].get<std::string>(), std::string("DPM++ 2M"));
    QCOMPARE(back["CFG scale"].get<std::string>(), std::string("6.5"));
    QCOMPARE(back["Size"].get<std::string>(), std::string("512x512"));
    // A prompt alone stays a prompt, even with a colon.
    const nlohmann::json plain = parseA1111Parameters("portrait: soft light");
    QCOMPARE(plain["prompt"].get<std::string>(), std::string("portrait: soft light"));
    QVERIFY(!plain.contains("portrait"));
  }

  void chunksAreWrittenAndReadBack() {
    const nlohmann::json params = {{"prompt", "a cat"}, {"seed", 5}, {"steps", 10}, {"guidance_scale", 7.0}};
    PngEncodeOptions o;
    o.text = parameterTextChunks(params);
    const auto bytes = encodePng(lstest::randomImage(5, 6, CV_8UC4, 1), o);
    const auto types = chunkTypes(bytes);
    QCOMPARE(count(types, "tEXt"), 2);  // ASCII: tEXt, which every reader handles
    QCOMPARE(types.front(), std::string("IHDR"));
    QCOMPARE(types.back(), std::string("IEND"));
    const std::string path = scratch("params.png");
    lstest::writeBytes(path, bytes);
    const PngParameters back = readPngParameters(path);
    QCOMPARE(back.a1111, std::string("a cat\nSteps: 10, CFG scale: 7.0, Seed: 5"));
    QCOMPARE(back.params, params);
    QCOMPARE(back.latentshop["latentshop"].get<std::string>(), std::string(LATENTSHOP_VERSION));
  }

  void unicodeTextUsesITXt() {
    const nlohmann::json params = {{"prompt", "café à l'aube — 夜明け"}, {"seed", 1}, {"steps", 2}, {"model", "m"}};
    PngEncodeOptions o;
    o.text = parameterTextChunks(params);
    const auto bytes = encodePng(lstest::randomImage(3, 3, CV_8UC3, 2), o);
    QCOMPARE(count(chunkTypes(bytes), "iTXt"), 2);
    const auto decoded = decodePng(bytes.data(), bytes.size(), PngPixels::TextOnly, "mem");
    QCOMPARE(parametersFromText(decoded.text, "mem").params, params);
    QVERIFY(lstest::contains(findPngText(decoded.text, "parameters"), "夜明け"));
  }

  void latin1TextChunksFromOtherToolsAreConverted() {
    // A tEXt chunk is Latin-1: byte 0xE9 is 'é'.
    PngEncodeOptions o;
    o.text = {{"parameters", "plain"}};
    auto bytes = encodePng(cv::Mat(2, 2, CV_8UC1, cv::Scalar(9)), o);
    std::string s(bytes.begin(), bytes.end());
    // Rewrite "plain" as "pl\xE9in" in place (same length) and recompute the chunk's CRC-32.
    const size_t at = s.find("tEXtparameters");
    QVERIFY(at != std::string::npos);
    s[at + 4 + 11 + 2] = static_cast<char>(0xE9);  // "pl?in"
    // Recompute the CRC over type + data.
    const size_t len = (size_t(std::uint8_t(s[at - 4])) << 24) | (size_t(std::uint8_t(s[at - 3])) << 16) |
                       (size_t(std::uint8_t(s[at - 2])) << 8) | std::uint8_t(s[at - 1]);
    std::uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = at; i < at + 4 + len; ++i) {
      crc ^= std::uint8_t(s[i]);
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    crc ^= 0xFFFFFFFFu;
    for (int k = 0; k < 4; ++k) s[at + 4 + len + static_cast<size_t>(k)] = static_cast<char>(crc >> (24 - 8 * k));
    const std::vector<std::uint8_t> edited(s.begin(), s.end());
    const auto decoded = decodePng(edited.data(), edited.size(), PngPixels::TextOnly, "latin1");
    QCOMPARE(findPngText(decoded.text, "parameters"), std::string("pl\xC3\xA9in"));
  }

  void flattenedExportCarriesTheTopEditsParameters() {
    const Project p = lstest::sampleProject();
    const std::string path = scratch("flat.png");
    exportFlattened(p, path);
    const PngParameters back = readPngParameters(path);
    QCOMPARE(back.params, p.layers[1].params);  // the only visible layer with parameters
    QVERIFY(lstest::contains(back.a1111, "a red barn, at dusk: 35mm\nNegative prompt: blurry\nSteps: 30"));
    QVERIFY(lstest::contains(back.a1111, "Seed: 1234567890123"));
    QCOMPARE(back.latentshop["layers"].size(), p.layers.size());
    QCOMPARE(back.latentshop["layers"][1]["name"].get<std::string>(), p.layers[1].name);
  }

  void pixelsRoundTripExactly() {
    for (int type : {CV_8UC1, CV_8UC3, CV_8UC4}) {
      const cv::Mat img = lstest::randomImage(17, 23, type, static_cast<unsigned>(type));
      for (int level : {0, 1, 6, 9}) {
        PngEncodeOptions o;
        o.compressionLevel = level;
        const auto bytes = encodePng(img, o);
        const int channels = img.channels();
        const DecodedPng d = decodePng(bytes.data(), bytes.size(), channels == 1 ? PngPixels::Gray : PngPixels::Rgba, "rt");
        cv::Mat expect = img;
        if (channels == 3) cv::cvtColor(img, expect, cv::COLOR_RGB2RGBA);
        QCOMPARE(lstest::maxAbsDiff(d.image, expect), 0);
        // OpenCV's own decoder agrees (BGR(A) order on its side).
        cv::Mat cvImg = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
        if (channels == 3) cv::cvtColor(cvImg, cvImg, cv::COLOR_BGR2RGB);
        if (channels == 4) cv::cvtColor(cvImg, cvImg, cv::COLOR_BGRA2RGBA);
        QCOMPARE(lstest::maxAbsDiff(cvImg, img), 0);
      }
    }
  }

  void decodesOtherPngFlavours() {
    // 16-bit and palette PNGs written by OpenCV decode to 8-bit RGBA.
    cv::Mat wide(4, 5, CV_16UC3, cv::Scalar(65535, 0, 32896));
    std::vector<std::uint8_t> bytes;
    QVERIFY(cv::imencode(".png", wide, bytes));
    const DecodedPng d = decodePng(bytes.data(), bytes.size(), PngPixels::Rgba, "16bit");
    QCOMPARE(d.image.type(), CV_8UC4);
    QCOMPARE(d.image.at<cv::Vec4b>(1, 1), cv::Vec4b(128, 0, 255, 255));  // OpenCV wrote BGR
    const DecodedPng g = decodePng(bytes.data(), bytes.size(), PngPixels::Gray, "16bit");
    QCOMPARE(g.image.type(), CV_8UC1);
  }

  void badPngsGiveClearErrors() {
    const std::vector<std::uint8_t> junk = {'n', 'o', 'p', 'e'};
    bool threw = false;
    try {
      decodePng(junk.data(), junk.size(), PngPixels::Rgba, "junk.png");
    } catch (const Error& e) {
      threw = std::string(e.what()) == "junk.png: not a PNG file";
    }
    QVERIFY(threw);
    auto bytes = encodePng(lstest::randomImage(40, 40, CV_8UC3, 3));
    bytes.resize(bytes.size() - 40);
    threw = false;
    try {
      decodePng(bytes.data(), bytes.size(), PngPixels::Rgba, "cut.png");
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "cut.png: corrupt PNG");
    }
    QVERIFY(threw);
    // Found by tests/fuzz/fuzz_png_text: a chunk claiming 2 GB in a tiny file made libpng allocate
    // the claimed length before noticing the data ends.
    auto huge = encodePng(lstest::randomImage(2, 2, CV_8UC3, 5));
    huge.resize(33);  // signature + IHDR
    const std::uint8_t claim[] = {0x7a, 0x65, 0x3a, 0x20, 'i', 'T', 'X', 't', 'k', 'e', 'y', 0};
    huge.insert(huge.end(), std::begin(claim), std::end(claim));
    threw = false;
    try {
      decodePng(huge.data(), huge.size(), PngPixels::TextOnly, "huge.png");
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "huge.png: corrupt PNG: the iTXt chunk of 2053454368 bytes runs past the end");
    }
    QVERIFY(threw);
    threw = false;
    try {
      readPngParameters(scratch("missing.png"));
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "missing.png: no such file");
    }
    QVERIFY(threw);
    threw = false;
    try {
      PngEncodeOptions o;
      o.text = {{"", "x"}};
      encodePng(lstest::randomImage(2, 2, CV_8UC3, 4), o);
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "invalid PNG text key");
    }
    QVERIFY(threw);
  }
};

QTEST_GUILESS_MAIN(TestPngParameters)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_png_parameters.moc"
#endif
