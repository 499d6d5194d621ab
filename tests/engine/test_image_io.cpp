// Image files for the engine and the CLI: photos read as RGB, masks from grey or alpha, writes that
// round-trip, and errors that name the file and the problem.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/error_text.h"
#include "support/testing.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/io/image_io.h"
#include "engine/io/file_bytes.h"
#include "engine/io/image_probe.h"

using namespace latentshop;
using lstest::errorOf;
using lstest::contains;
namespace fs = std::filesystem;

namespace {

std::string scratch(const std::string& name) { return lstest::scratchDir() + "/" + name; }

bool sameMat(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return false;
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  return cv::countNonZero(diff.reshape(1)) == 0;
}

using Bytes = std::vector<std::uint8_t>;

// One encoded 37x23 sample for the probe tests; `flagsCut` when every proper prefix of it must be
// reported incomplete (formats whose structure the probe checks, and no bytes after the end), except
// for the last `optionalTail` bytes (a BMP's last row may lack its padding).
struct ProbeSample {
  std::string name;
  Bytes bytes;
  ImageFormat format;
  bool flagsCut;
  std::size_t optionalTail = 0;
};

Bytes encoded(const cv::Mat& img, const std::string& ext, const std::vector<int>& params = {}) {
  std::vector<uchar> buf;
  if (!cv::imencode(ext, img, buf, params)) return {};
  return Bytes(buf.begin(), buf.end());
}

void appendBe32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(std::uint8_t(v >> s));
}

// A PNG of signature + IHDR (+ IEND): the header of a w x h image with no pixel data at all.
Bytes pngHeaderOnly(std::uint32_t w, std::uint32_t h, bool withIend) {
  Bytes b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  appendBe32(b, 13);
  b.insert(b.end(), {'I', 'H', 'D', 'R'});
  appendBe32(b, w);
  appendBe32(b, h);
  b.insert(b.end(), {8, 6, 0, 0, 0});
  appendBe32(b, 0);  // CRC: not checked by the probe
  if (withIend) {
    appendBe32(b, 0);
    b.insert(b.end(), {'I', 'E', 'N', 'D'});
    appendBe32(b, 0xAE426082);
  }
  return b;
}

// Every format OpenCV here can write (WebP/TIFF only where the build has them), plus hand-made ones.
std::vector<ProbeSample> probeSamples() {
  cv::Mat img(23, 37, CV_8UC3), grey(23, 37, CV_8UC1), grey16(23, 37, CV_16UC1), bw(23, 37, CV_8UC1);
  cv::RNG(7).fill(img, cv::RNG::UNIFORM, 0, 256);
  cv::RNG(8).fill(grey, cv::RNG::UNIFORM, 0, 256);
  cv::RNG(9).fill(grey16, cv::RNG::UNIFORM, 0, 65536);
  cv::RNG(10).fill(bw, cv::RNG::UNIFORM, 0, 2);
  bw *= 255;
  std::vector<ProbeSample> s = {
      {"png", encoded(img, ".png"), ImageFormat::Png, true},
      {"png16", encoded(grey16, ".png"), ImageFormat::Png, true},
      {"jpeg", encoded(img, ".jpg"), ImageFormat::Jpeg, true},
      {"jpeg-progressive", encoded(img, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}), ImageFormat::Jpeg, true},
      {"jpeg-grey", encoded(grey, ".jpg"), ImageFormat::Jpeg, true},
      {"bmp", encoded(img, ".bmp"), ImageFormat::Bmp, true, 1},      // rows of 111 bytes padded to 112
      {"bmp-grey", encoded(grey, ".bmp"), ImageFormat::Bmp, true, 3},  // rows of 37 bytes padded to 40
      {"ppm", encoded(img, ".ppm"), ImageFormat::Pnm, true},
      {"pgm", encoded(grey, ".pgm"), ImageFormat::Pnm, true},
      {"pgm16", encoded(grey16, ".pgm"), ImageFormat::Pnm, true},
      {"pbm", encoded(bw, ".pbm"), ImageFormat::Pnm, true},
      {"ppm-ascii", encoded(img, ".ppm", {cv::IMWRITE_PXM_BINARY, 0}), ImageFormat::Pnm, false},
  };
  if (cv::haveImageWriter(".webp")) {
    s.push_back({"webp-lossy", encoded(img, ".webp", {cv::IMWRITE_WEBP_QUALITY, 80}), ImageFormat::WebP, true});
    s.push_back({"webp-lossless", encoded(img, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}), ImageFormat::WebP, true});
  }
  if (cv::haveImageWriter(".tiff")) {
    s.push_back({"tiff", encoded(img, ".tiff"), ImageFormat::Tiff, false});
    s.push_back({"tiff16", encoded(grey16, ".tiff"), ImageFormat::Tiff, false});
  }
  // GIF (OpenCV cannot write it): screen 37x23, one 37x23 frame, trailer.
  s.push_back({"gif",
               {'G', 'I', 'F', '8', '9', 'a', 37, 0, 23, 0, 0, 0, 0, 0x2C, 0, 0, 0, 0, 37, 0, 23, 0, 0, 0x02, 0x02,
                0x44, 0x01, 0x00, 0x3B},
               ImageFormat::Gif, false});
  // The BMP stored top-down (negative height).
  Bytes topDown = s[5].bytes;
  const std::uint8_t minus23[4] = {0xE9, 0xFF, 0xFF, 0xFF};  // int32 little endian
  if (topDown.size() > 26) std::memcpy(&topDown[22], minus23, 4);
  s.push_back({"bmp-top-down", topDown, ImageFormat::Bmp, true, 1});
  // The JPEG behind an Exif APP1 segment holding a thumbnail JPEG (with its own end-of-image marker).
  const Bytes thumb = encoded(cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), ".jpg");
  const std::size_t app1 = 2 + 6 + thumb.size();
  Bytes exif = {0xFF, 0xD8, 0xFF, 0xE1, std::uint8_t(app1 >> 8), std::uint8_t(app1), 'E', 'x', 'i', 'f', 0, 0};
  exif.insert(exif.end(), thumb.begin(), thumb.end());
  exif.insert(exif.end(), s[2].bytes.begin() + 2, s[2].bytes.end());
  s.push_back({"jpeg-exif-thumbnail", exif, ImageFormat::Jpeg, true});
  // Bytes after the JPEG's end-of-image marker do not make it incomplete.
  Bytes trailing = s[2].bytes;
  trailing.insert(trailing.end(), {0, 1, 2, 3, 0xFF, 0x00});
  s.push_back({"jpeg-trailing-bytes", trailing, ImageFormat::Jpeg, false});
  return s;
}

// Probes a copy of exactly the first n bytes (so a sanitizer build sees any read past the end);
// a thrown Error's text goes to *error.
ImageProbe probePrefix(const Bytes& b, std::size_t n, std::string* error) {
  const Bytes copy(b.begin(), b.begin() + std::ptrdiff_t(n));
  try {
    return probeImage(copy.data(), copy.size(), "sample.img");
  } catch (const Error& e) {
    if (!error) throw;
    *error = e.what();
  }
  return {};
}

std::string sizeOf(const ImageProbe& p) { return std::to_string(p.width) + "x" + std::to_string(p.height); }

}  // namespace

class TestImageIo : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void readsPhotoAsRgb() {
    const std::string path = lstest::photoPath("butterfly.jpg");
    cv::Mat rgb = readImageRgb(path);
    QCOMPARE(rgb.type(), CV_8UC3);
    QCOMPARE(rgb.cols, 493);
    QCOMPARE(rgb.rows, 356);
    cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR), expected;
    cv::cvtColor(bgr, expected, cv::COLOR_BGR2RGB);
    QVERIFY(sameMat(rgb, expected));
  }

  void pngRoundTripIsExact() {
    cv::Mat img(37, 53, CV_8UC3);
    cv::RNG(3).fill(img, cv::RNG::UNIFORM, 0, 256);
    writeImage(scratch("round.png"), img);
    QVERIFY(sameMat(readImageRgb(scratch("round.png")), img));
    cv::Mat rgba(10, 12, CV_8UC4, cv::Scalar(1, 2, 3, 4));
    writeImage(scratch("rgba.png"), rgba);
    cv::Mat back = cv::imread(scratch("rgba.png"), cv::IMREAD_UNCHANGED);
    QCOMPARE(back.channels(), 4);
    QVERIFY(back.at<cv::Vec4b>(0, 0) == cv::Vec4b(3, 2, 1, 4));  // stored as BGRA by OpenCV
  }

  void jpegIsWrittenAndReadable() {
    cv::Mat img(64, 64, CV_8UC3, cv::Scalar(200, 100, 50));
    writeImage(scratch("flat.JPG"), img);
    cv::Mat back = readImageRgb(scratch("flat.JPG"));
    QCOMPARE(back.cols, 64);
    QVERIFY(std::abs(back.at<cv::Vec3b>(32, 32)[0] - 200) <= 2);
    QVERIFY(std::abs(back.at<cv::Vec3b>(32, 32)[2] - 50) <= 2);
  }

  void maskFromGreyColourOrAlpha() {
    cv::Mat grey(20, 30, CV_8UC1, cv::Scalar(0));
    grey(cv::Rect(5, 5, 10, 10)).setTo(255);
    cv::imwrite(scratch("grey.png"), grey);
    QVERIFY(sameMat(readMask(scratch("grey.png")), grey));

    cv::Mat colour;
    cv::cvtColor(grey, colour, cv::COLOR_GRAY2BGR);
    cv::imwrite(scratch("colour.png"), colour);
    QVERIFY(sameMat(readMask(scratch("colour.png")), grey));

    // A transparent PNG painted where to edit: the alpha is the mask, whatever the colour.
    cv::Mat bgra(20, 30, CV_8UC4, cv::Scalar(0, 0, 255, 0));
    bgra(cv::Rect(5, 5, 10, 10)).setTo(cv::Scalar(0, 0, 255, 255));
    cv::imwrite(scratch("alpha.png"), bgra);
    QVERIFY(sameMat(readMask(scratch("alpha.png")), grey));
  }

  void missingFileNamesThePath() {
    const std::string e = errorOf([] { readImageRgb("/nonexistent/photo.jpg"); });
    QVERIFY2(contains(e, "/nonexistent/photo.jpg") && contains(e, "no such file"), e.c_str());
  }

  void nonImageFileIsRejected() {
    {
      std::ofstream f(scratch("notes.png"));
      f << "this is text, not a PNG\n";
    }
    std::string e = errorOf([] { readImageRgb(scratch("notes.png")); });
    QVERIFY2(contains(e, "notes.png") && contains(e, "not an image"), e.c_str());
    { std::ofstream f(scratch("empty.jpg")); }
    e = errorOf([] { readMask(scratch("empty.jpg")); });
    QVERIFY2(contains(e, "empty.jpg") && contains(e, "empty"), e.c_str());
    e = errorOf([] { readImageRgb(lstest::scratchDir()); });
    QVERIFY2(contains(e, "folder"), e.c_str());
  }

  void maskSizeMismatchNamesBothFilesAndSizes() {
    cv::imwrite(scratch("small.png"), cv::Mat(10, 20, CV_8UC1, cv::Scalar(255)));
    const std::string e = errorOf([] { readMaskFor(scratch("small.png"), cv::Size(493, 356), "butterfly.jpg"); });
    QVERIFY2(contains(e, "small.png") && contains(e, "butterfly.jpg"), e.c_str());
    QVERIFY2(contains(e, "20x10") && contains(e, "493x356"), e.c_str());
  }

  void writeErrorsNameThePath() {
    cv::Mat img(4, 4, CV_8UC3, cv::Scalar(0));
    std::string e = errorOf([&] { writeImage(scratch("out.xyz"), img); });
    QVERIFY2(contains(e, "out.xyz") && contains(e, "extension"), e.c_str());
    e = errorOf([&] { writeImage(scratch("no/such/folder/out.png"), img); });
    QVERIFY2(contains(e, "does not exist"), e.c_str());
    QVERIFY(isWritableImagePath("a/b.JPEG"));
    QVERIFY(!isWritableImagePath("a/b.ora"));
  }

  void probeReadsHeadersOfEveryFormat() {
    for (const ProbeSample& s : probeSamples()) {
      QVERIFY2(!s.bytes.empty(), s.name.c_str());
      std::string error;
      const ImageProbe p = probePrefix(s.bytes, s.bytes.size(), &error);
      QVERIFY2(error.empty(), (s.name + ": " + error).c_str());
      QVERIFY2(p.format == s.format, (s.name + ": " + formatName(p.format)).c_str());
      QVERIFY2(p.width == 37 && p.height == 23 && p.sizeKnown(), (s.name + ": " + sizeOf(p)).c_str());
      QVERIFY2(p.incomplete.empty(), (s.name + ": " + p.incomplete).c_str());
      // The decoder agrees (GIF: OpenCV 4.6 has no GIF reader).
      const cv::Mat encodedView(1, int(s.bytes.size()), CV_8UC1, const_cast<std::uint8_t*>(s.bytes.data()));
      const cv::Mat decoded = cv::imdecode(encodedView, cv::IMREAD_UNCHANGED);
      if (!decoded.empty()) QVERIFY2(decoded.cols == p.width && decoded.rows == p.height, s.name.c_str());
    }

    // A 30000x30000 PNG is measured from its header alone: nothing of that size is allocated.
    const Bytes header = pngHeaderOnly(30000, 30000, true);
    ImageProbe big = probeImage(header.data(), header.size(), "big.png");
    QVERIFY2(big.format == ImageFormat::Png && big.width == 30000 && big.height == 30000, sizeOf(big).c_str());
    QVERIFY2(big.incomplete.empty(), big.incomplete.c_str());
    const Bytes noIend = pngHeaderOnly(30000, 30000, false);
    big = probeImage(noIend.data(), noIend.size(), "big.png");
    QVERIFY(big.width == 30000 && big.height == 30000);
    QVERIFY2(contains(big.incomplete, "IEND"), big.incomplete.c_str());

    // Broken headers of a recognisable format throw, naming the file; unknown bytes do not.
    std::string e;
    const Bytes zeroWidth = pngHeaderOnly(0, 5, true);
    e = errorOf([&] { probeImage(zeroWidth.data(), zeroWidth.size(), "zero.png"); });
    QVERIFY2(e.rfind("zero.png: ", 0) == 0 && contains(e, "0x5"), e.c_str());
    Bytes noIhdr = pngHeaderOnly(5, 5, true);
    std::memcpy(&noIhdr[12], "ABCD", 4);
    e = errorOf([&] { probeImage(noIhdr.data(), noIhdr.size(), "odd.png"); });
    QVERIFY2(e.rfind("odd.png: ", 0) == 0 && contains(e, "IHDR"), e.c_str());
    const std::string pnm = "P6\n12x5\n255\n";
    e = errorOf([&] { probeImage(reinterpret_cast<const std::uint8_t*>(pnm.data()), pnm.size(), "odd.ppm"); });
    QVERIFY2(e.rfind("odd.ppm: ", 0) == 0, e.c_str());
    const std::string text = "this is text, not an image\n";
    const ImageProbe unknown = probeImage(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), "notes.png");
    QVERIFY(unknown.format == ImageFormat::Unknown && !unknown.sizeKnown() && unknown.incomplete.empty());
    QVERIFY(probeImage(nullptr, 0, "empty.png").format == ImageFormat::Unknown);
    QCOMPARE(std::string(formatName(ImageFormat::WebP)), std::string("WebP"));
    QCOMPARE(std::string(formatName(ImageFormat::Unknown)), std::string("unknown"));
  }

  void probeFlagsTruncatedFiles() {
    for (const ProbeSample& s : probeSamples()) {
      if (!s.flagsCut) continue;
      std::string error;
      const ImageProbe half = probePrefix(s.bytes, s.bytes.size() / 2, &error);
      QVERIFY2(error.empty(), (s.name + ": " + error).c_str());
      QVERIFY2(half.format == s.format, s.name.c_str());
      QVERIFY2(contains(half.incomplete, "truncated"), (s.name + ": '" + half.incomplete + "'").c_str());
    }
    const std::vector<ProbeSample> samples = probeSamples();
    const Bytes& jpeg = samples[2].bytes;
    const ImageProbe cut = probePrefix(jpeg, jpeg.size() / 2, nullptr);
    QVERIFY2(contains(cut.incomplete, "end-of-image") && contains(cut.incomplete, "lower part"),
             cut.incomplete.c_str());
    QVERIFY(cut.width == 37 && cut.height == 23);  // the header survived the cut
    const Bytes& png = samples[0].bytes;
    const ImageProbe cutPng = probePrefix(png, png.size() / 2, nullptr);
    QVERIFY2(contains(cutPng.incomplete, "inside its IDAT chunk"), cutPng.incomplete.c_str());
  }

  void probeSurvivesEveryPrefix() {
    for (const ProbeSample& s : probeSamples()) {
      for (std::size_t n = 0; n <= s.bytes.size(); ++n) {
        std::string error;
        const ImageProbe p = probePrefix(s.bytes, n, &error);
        const std::string where = s.name + " cut to " + std::to_string(n) + " bytes";
        QVERIFY2(error.empty(), (where + ": " + error).c_str());
        if (p.format == ImageFormat::Unknown) continue;  // too short to recognise
        QVERIFY2(p.format == s.format, where.c_str());
        if (p.sizeKnown()) QVERIFY2(p.width == 37 && p.height == 23, (where + ": " + sizeOf(p)).c_str());
        if (s.flagsCut && n + s.optionalTail < s.bytes.size())
          QVERIFY2(!p.incomplete.empty(), (where + " is not flagged").c_str());
      }
    }
  }

  void readFileBytesNamesTheProblem() {
    const Bytes png = encoded(cv::Mat(23, 37, CV_8UC3, cv::Scalar(1, 2, 3)), ".png");
    {
      std::ofstream f(scratch("bytes.png"), std::ios::binary);
      f.write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
    }
    QVERIFY(readFileBytes(scratch("bytes.png"), png.size()) == png);
    std::string e = errorOf([&] { readFileBytes(scratch("bytes.png"), 100); });
    QVERIFY2(contains(e, "bytes.png: is ") && contains(e, "more than the 100 bytes an image may have"), e.c_str());
    e = errorOf([] { readFileBytes(scratch("absent.png"), 1000); });
    QVERIFY2(contains(e, "absent.png: no such file"), e.c_str());
    e = errorOf([] { readFileBytes(lstest::scratchDir(), 1000); });
    QVERIFY2(contains(e, "folder"), e.c_str());
    { std::ofstream f(scratch("nothing.png")); }
    e = errorOf([] { readFileBytes(scratch("nothing.png"), 1000); });
    QVERIFY2(contains(e, "nothing.png: is empty"), e.c_str());
  }
};

QTEST_GUILESS_MAIN(TestImageIo)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_image_io.moc"
#endif
