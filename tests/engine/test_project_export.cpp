// LATENTSHOP_TEST_LABELS: io
// Exports chosen by output path: flattened PNG (pixels equal the flatten, parameters attached),
// JPEG (over white) and WebP (with alpha; Debian's OpenCV must write it), a folder with one
// canvas-sized PNG per layer (order-prefixed, sanitised names, parameters per layer), and the
// errors for unsupported extensions and impossible destinations.
#include <filesystem>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_project_fixtures.h"
#include "engine/core/error.h"
#include "engine/io/flatten.h"
#include "engine/io/layer_export.h"
#include "engine/io/ora_reader.h"
#include "engine/io/png_parameters.h"
#include "engine/io/png_text_codec.h"

using namespace latentshop;
namespace fs = std::filesystem;

namespace {

std::string scratch(const std::string& name) { return lstest::scratchDir() + "/" + name; }

std::string exportError(const Project& p, const std::string& out) {
  try {
    exportProject(p, out);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Flattened sample over an opaque background, so JPEG/WebP comparisons are about the codec only.
Project opaqueSample() {
  Project p = lstest::sampleProject();
  p.layers[0].rgba = cv::Mat(p.height, p.width, CV_8UC4, cv::Scalar(90, 140, 200, 255));
  cv::GaussianBlur(lstest::randomImage(p.height, p.width, CV_8UC4, 5), p.layers[1].rgba, cv::Size(0, 0), 1.0);
  p.layers[1].rgba = p.layers[1].rgba(cv::Rect(0, 0, 30, 20)).clone();
  return p;
}

}  // namespace

class TestProjectExport : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void formatFollowsThePath() {
    QVERIFY(exportFormatFor("a/b.png") == ExportFormat::Png);
    QVERIFY(exportFormatFor("b.PNG") == ExportFormat::Png);
    QVERIFY(exportFormatFor("b.jpg") == ExportFormat::Jpeg);
    QVERIFY(exportFormatFor("b.JPEG") == ExportFormat::Jpeg);
    QVERIFY(exportFormatFor("b.webp") == ExportFormat::Webp);
    QVERIFY(exportFormatFor("b.psd") == ExportFormat::Psd);
    QVERIFY(exportFormatFor("b.ora") == ExportFormat::Ora);
    QVERIFY(exportFormatFor("layers/") == ExportFormat::LayerFolder);
    QVERIFY(exportFormatFor("new-folder") == ExportFormat::LayerFolder);
    fs::create_directories(scratch("existing.png"));  // an existing folder wins over its extension
    QVERIFY(exportFormatFor(scratch("existing.png")) == ExportFormat::LayerFolder);
    bool threw = false;
    try {
      exportFormatFor("out.gif");
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "out.gif: unsupported export format '.gif'");
    }
    QVERIFY(threw);
  }

  void flattenedPngEqualsTheFlatten() {
    const Project p = lstest::sampleProject();
    const std::string path = scratch("flat.png");
    QCOMPARE(exportProject(p, path), std::vector<std::string>{path});
    const DecodedPng png = readPngFile(path, PngPixels::Rgba);
    QCOMPARE(lstest::maxAbsDiff(png.image, flatten(p)), 0);
    QCOMPARE(readPngParameters(path).params, p.layers[1].params);
  }

  void jpegIsFlattenedOverWhite() {
    const Project p = opaqueSample();
    const std::string path = scratch("flat.jpg");
    exportProject(p, path);
    cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    QCOMPARE(bgr.size(), cv::Size(p.width, p.height));
    cv::Mat rgb, want;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    FlattenOptions white;
    white.background = cv::Vec4b(255, 255, 255, 255);
    cv::cvtColor(flatten(p, white), want, cv::COLOR_RGBA2RGB);
    QVERIFY2(cv::PSNR(rgb, want) > 30, std::to_string(cv::PSNR(rgb, want)).c_str());
  }

  void webpKeepsAlpha() {
    QVERIFY2(cv::haveImageWriter(".webp"), "Debian's OpenCV should write WebP");
    Project p = opaqueSample();
    p.layers[0].visible = false;  // transparent areas remain
    const std::string path = scratch("flat.webp");
    ExportOptions o;
    o.webpQuality = 101;  // lossless
    exportProject(p, path, o);
    cv::Mat bgra = cv::imread(path, cv::IMREAD_UNCHANGED);
    QCOMPARE(bgra.channels(), 4);
    cv::Mat rgba;
    cv::cvtColor(bgra, rgba, cv::COLOR_BGRA2RGBA);
    const cv::Mat want = flatten(p);
    // Lossless WebP keeps visible pixels exactly (it may change the colour under alpha 0).
    for (int y = 0; y < p.height; ++y)
      for (int x = 0; x < p.width; ++x) {
        const cv::Vec4b g = rgba.at<cv::Vec4b>(y, x), w = want.at<cv::Vec4b>(y, x);
        QCOMPARE(int(g[3]), int(w[3]));
        if (w[3]) QVERIFY(g == w);
      }
  }

  void layerFolderHoldsEveryLayer() {
    const Project p = lstest::sampleProject();
    const std::string dir = scratch("layers/");
    const auto files = exportProject(p, dir);
    QCOMPARE(files.size(), p.layers.size());
    const std::vector<std::string> names = {"01-Original photo.png", "02-R_sultat_1_quotes.png", "03-Mask.png",
                                            "04-Notes.png", "05-Empty.png"};
    for (size_t i = 0; i < names.size(); ++i) {
      QCOMPARE(fs::path(files[i]).filename().string(), names[i]);
      const ProjectLayer& l = p.layers[i];
      const DecodedPng png = readPngFile(files[i], PngPixels::Rgba);
      QCOMPARE(png.image.size(), cv::Size(p.width, p.height));  // canvas-sized, layer at its offset
      cv::Mat expect(p.height, p.width, CV_8UC4, cv::Scalar::all(0));
      const cv::Rect area = l.bounds() & cv::Rect(0, 0, p.width, p.height);
      if (!area.empty()) l.rgba(area - l.bounds().tl()).copyTo(expect(area));
      QCOMPARE(lstest::maxAbsDiff(png.image, expect), 0);
      QCOMPARE(parametersFromText(png.text, files[i]).params, l.params);
    }
    // Re-exporting into the same folder overwrites; masks on request.
    ExportOptions o;
    o.layerMasks = true;
    const auto withMasks = exportLayerFolder(p, scratch("layers"), o);
    QCOMPARE(withMasks.size(), p.layers.size() + 2);  // result and mask layers carry masks
    QVERIFY(fs::exists(scratch("layers/02-R_sultat_1_quotes-mask.png")));
    const DecodedPng mask = readPngFile(scratch("layers/02-R_sultat_1_quotes-mask.png"), PngPixels::Gray);
    QCOMPARE(lstest::maxAbsDiff(mask.image, p.layers[1].mask), 0);
  }

  void sanitisedNames() {
    QCOMPARE(sanitizeFileName("Résultat <1> & \"quotes\""), std::string("R_sultat_1_quotes"));
    QCOMPARE(sanitizeFileName("../../etc/passwd"), std::string("etc_passwd"));
    QCOMPARE(sanitizeFileName("  a   b  "), std::string("a b"));
    QCOMPARE(sanitizeFileName(""), std::string("layer"));
    QCOMPARE(sanitizeFileName("///"), std::string("layer"));
    QCOMPARE(sanitizeFileName(std::string(100, 'x')).size(), size_t(64));
  }

  void psdAndOraThroughTheSameEntryPoint() {
    const Project p = lstest::sampleProject();
    QCOMPARE(exportProject(p, scratch("copy.ora")).size(), size_t(1));
    QVERIFY(describeProjectDifference(p, loadOra(scratch("copy.ora"))).empty());
    QCOMPARE(exportProject(p, scratch("copy.psd")).size(), size_t(1));
    QVERIFY(fs::file_size(scratch("copy.psd")) > 1000);
  }

  void impossibleDestinations() {
    const Project p = lstest::sampleProject();
    QVERIFY(lstest::contains(exportError(p, scratch("nowhere/sub/out.png")), "does not exist"));
    QVERIFY(lstest::contains(exportError(p, scratch("nowhere/sub/out.psd")), "does not exist"));
    QVERIFY(lstest::contains(exportError(p, scratch("out.tiff")), "unsupported export format '.tiff'"));
    lstest::writeBytes(scratch("plainfile"), {'x'});
    QVERIFY(lstest::contains(exportError(p, scratch("plainfile") + "/"), "not a folder"));
  }
};

QTEST_GUILESS_MAIN(TestProjectExport)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_project_export.moc"
#endif
