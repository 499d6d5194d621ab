// LATENTSHOP_TEST_LABELS: io
// Layered PSD export, read back by an independent reader: ImageMagick (`identify` reports the
// composite plus one frame per layer with the right names, sizes, offsets and visibility;
// `convert` extracts their pixels, which match the layers — with opacity applied to alpha, as
// ImageMagick does — and the flatten). Also PackBits against Apple's TN1023 example and random data,
// and the PSD header/section layout parsed by hand.
#include <string>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_project_fixtures.h"
#include "engine/core/error.h"
#include "engine/io/flatten.h"
#include "engine/io/png_text_codec.h"
#include "engine/io/psd_packbits.h"
#include "engine/io/psd_writer.h"

using namespace latentshop;

namespace {

std::string scratch(const std::string& name) { return lstest::scratchDir() + "/" + name; }

std::uint32_t be32(const std::vector<std::uint8_t>& b, size_t o) {
  return (std::uint32_t(b[o]) << 24) | (std::uint32_t(b[o + 1]) << 16) | (std::uint32_t(b[o + 2]) << 8) | b[o + 3];
}
std::uint16_t be16(const std::vector<std::uint8_t>& b, size_t o) {
  return static_cast<std::uint16_t>((b[o] << 8) | b[o + 1]);
}

struct Frame {
  std::string label;
  int w = 0, h = 0, x = 0, y = 0;
  std::string compose;
};

// identify's view of a PSD: frame 0 is the composite, then one frame per layer.
std::vector<Frame> identifyFrames(const std::string& path, std::string& raw) {
  int status = 0;
  raw = lstest::runCommand("identify -format '%[label]|%w|%h|%X|%Y|%[compose]\\n' '" + path + "' 2>/dev/null", status);
  std::vector<Frame> out;
  if (status != 0) return out;
  size_t start = 0;
  while (start < raw.size()) {
    const size_t end = raw.find('\n', start);
    const std::string line = raw.substr(start, end - start);
    start = end == std::string::npos ? raw.size() : end + 1;
    // Five numeric/keyword fields from the right; the label (which may contain '|') is the rest.
    std::vector<std::string> f(6);
    size_t end2 = line.size();
    bool ok = true;
    for (int k = 5; k >= 1 && ok; --k) {
      const size_t bar = end2 == 0 ? std::string::npos : line.rfind('|', end2 - 1);
      if (bar == std::string::npos) {
        ok = false;
      } else {
        f[static_cast<size_t>(k)] = line.substr(bar + 1, end2 - bar - 1);
        end2 = bar;
      }
    }
    if (!ok) continue;
    f[0] = line.substr(0, end2);
    out.push_back({f[0], std::stoi(f[1]), std::stoi(f[2]), std::stoi(f[3]), std::stoi(f[4]), f[5]});
  }
  return out;
}

// Frame `index` of the PSD as RGBA pixels, through ImageMagick's convert.
cv::Mat convertFrame(const std::string& psd, int index) {
  const std::string png = psd + "-" + std::to_string(index) + ".png";
  int status = 0;
  lstest::runCommand("convert '" + psd + "[" + std::to_string(index) + "]' PNG32:'" + png + "' 2>&1", status);
  if (status != 0) return cv::Mat();
  return readPngFile(png, PngPixels::Rgba).image;
}

bool haveImageMagick() {
  int status = 0;
  lstest::runCommand("identify -version >/dev/null 2>&1", status);
  return status == 0;
}

cv::Mat withOpacity(const cv::Mat& rgba, double opacity) {
  cv::Mat out = rgba.clone();
  for (int y = 0; y < out.rows; ++y)
    for (int x = 0; x < out.cols; ++x) {
      auto& p = out.at<cv::Vec4b>(y, x);
      p[3] = cv::saturate_cast<uchar>(p[3] * opacity);
    }
  return out;
}

}  // namespace

class TestPsdExport : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    QVERIFY2(haveImageMagick(), "ImageMagick's identify/convert are needed (apt-get install imagemagick)");
  }

  void packBitsMatchesTheTechNoteExample() {
    const std::vector<std::uint8_t> raw = {0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00,
                                           0x2A, 0x22, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA};
    const std::vector<std::uint8_t> packed = {0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA,
                                              0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7, 0xAA};
    std::vector<std::uint8_t> out;
    QCOMPARE(packBitsAppend(raw.data(), raw.size(), out), packed.size());
    QVERIFY(out == packed);
    std::vector<std::uint8_t> back;
    QVERIFY(unpackBits(out.data(), out.size(), raw.size(), back));
    QVERIFY(back == raw);
  }

  void packBitsRoundTripsAnyData() {
    cv::RNG rng(7);
    for (int trial = 0; trial < 300; ++trial) {
      const size_t n = static_cast<size_t>(rng.uniform(0, 700));
      std::vector<std::uint8_t> raw(n);
      const int alphabet = trial % 3 == 0 ? 2 : (trial % 3 == 1 ? 256 : 4);
      for (auto& v : raw) v = static_cast<std::uint8_t>(rng.uniform(0, alphabet));
      if (trial % 5 == 0)
        for (size_t i = 0; i < n / 2; ++i) raw[i] = 9;  // a long run (> 128)
      std::vector<std::uint8_t> packed, back;
      const size_t len = packBitsAppend(raw.data(), n, packed);
      QVERIFY(len <= n + (n + 127) / 128);
      QVERIFY(unpackBits(packed.data(), packed.size(), n, back));
      QVERIFY(back == raw);
    }
  }

  void imageMagickSeesEveryLayer() {
    const Project p = lstest::sampleProject();
    const std::string path = scratch("sample.psd");
    savePsd(p, path);
    std::string raw;
    const auto frames = identifyFrames(path, raw);
    QVERIFY2(frames.size() == p.layers.size() + 1, raw.c_str());
    QCOMPARE(frames[0].w, p.width);
    QCOMPARE(frames[0].h, p.height);
    for (size_t i = 0; i < p.layers.size(); ++i) {
      const ProjectLayer& l = p.layers[i];
      const Frame& f = frames[i + 1];
      QCOMPARE(f.label, l.name);
      if (l.rgba.empty()) {  // written as one transparent pixel
        QCOMPARE(f.w, 1);
        QCOMPARE(f.h, 1);
        continue;
      }
      QCOMPARE(f.w, l.rgba.cols);
      QCOMPARE(f.h, l.rgba.rows);
      QCOMPARE(f.x, l.x);
      QCOMPARE(f.y, l.y);
      QCOMPARE(f.compose, std::string(l.visible ? "Over" : "None"));  // hidden layers: no compositing
    }
  }

  void imageMagickReadsTheSamePixels() {
    const Project p = lstest::sampleProject();
    const std::string path = scratch("pixels.psd");
    savePsd(p, path);
    QCOMPARE(lstest::maxAbsDiff(convertFrame(path, 0), flatten(p)), 0);
    for (int i : {0, 1, 3}) {  // opaque, opacity 0.6 with random alpha, opacity 0.25 outside the canvas
      const ProjectLayer& l = p.layers[static_cast<size_t>(i)];
      const cv::Mat got = convertFrame(path, i + 1);
      QVERIFY2(lstest::maxAbsDiff(got, withOpacity(l.rgba, l.opacity)) <= 1, l.name.c_str());
    }
  }

  void transparentCompositeKeepsItsColour() {
    // No opaque background: the merged image is matted with white in the file and ImageMagick
    // removes the matte again.
    Project p;
    p.width = 32;
    p.height = 24;
    ProjectLayer l;
    l.rgba = lstest::randomImage(24, 32, CV_8UC4, 31);
    for (int y = 0; y < 24; ++y)
      for (int x = 0; x < 32; ++x) l.rgba.at<cv::Vec4b>(y, x)[3] = static_cast<uchar>(128 + (x * 4) % 128);
    p.addLayer(l);
    const std::string path = scratch("transparent.psd");
    savePsd(p, path);
    const cv::Mat got = convertFrame(path, 0);
    const cv::Mat want = flatten(p);
    QCOMPARE(got.size(), want.size());
    int worst = 0;
    for (int y = 0; y < 24; ++y)
      for (int x = 0; x < 32; ++x)
        for (int k = 0; k < 4; ++k)
          worst = std::max(worst, std::abs(got.at<cv::Vec4b>(y, x)[k] - want.at<cv::Vec4b>(y, x)[k]));
    QVERIFY2(worst <= 2, std::to_string(worst).c_str());  // the 8-bit matte costs ≤ 255/(2·128) ≈ 1 level
  }

  void headerAndSectionsAreConsistent() {
    const Project p = lstest::sampleProject();
    const std::string path = scratch("layout.psd");
    savePsd(p, path);
    const auto b = lstest::readBytes(path);
    QCOMPARE(std::string(b.begin(), b.begin() + 4), std::string("8BPS"));
    QCOMPARE(be16(b, 4), std::uint16_t(1));
    QCOMPARE(be16(b, 12), std::uint16_t(4));
    QCOMPARE(be32(b, 14), std::uint32_t(p.height));
    QCOMPARE(be32(b, 18), std::uint32_t(p.width));
    QCOMPARE(be16(b, 22), std::uint16_t(8));
    QCOMPARE(be16(b, 24), std::uint16_t(3));
    size_t at = 26;
    at += 4 + be32(b, at);  // colour mode data
    at += 4 + be32(b, at);  // image resources
    const size_t layerSection = be32(b, at);
    const size_t layerInfo = be32(b, at + 4);
    QCOMPARE(layerInfo % 2, size_t(0));
    QCOMPARE(static_cast<std::int16_t>(be16(b, at + 8)), static_cast<std::int16_t>(-static_cast<int>(p.layers.size())));
    QCOMPARE(layerSection, layerInfo + 4 + 4);  // + the (empty) global layer mask info
    at += 4 + layerSection;
    QCOMPARE(be16(b, at), std::uint16_t(1));  // merged image: PackBits
    // Row byte counts of 4 channels, then exactly that many bytes to the end of the file.
    size_t total = 0;
    for (size_t r = 0; r < 4 * static_cast<size_t>(p.height); ++r) total += be16(b, at + 2 + 2 * r);
    QCOMPARE(at + 2 + 8 * static_cast<size_t>(p.height) + total, b.size());
    // Layer names also as Unicode.
    QVERIFY(lstest::contains(std::string(b.begin(), b.end()), "8BIMluni"));
  }

  void tooLargeForPsdIsRefused() {
    Project p;
    p.width = 30001;
    p.height = 2;
    bool threw = false;
    try {
      savePsd(p, scratch("wide.psd"));
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "wide.psd: the canvas is 30001x2; PSD allows at most 30000");
    }
    QVERIFY(threw);
  }
};

QTEST_GUILESS_MAIN(TestPsdExport)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_psd_export.moc"
#endif
