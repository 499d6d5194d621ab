// Image files for the engine and the CLI: photos read as RGB, masks from grey or alpha, writes that
// round-trip, and errors that name the file and the problem.
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
};

QTEST_GUILESS_MAIN(TestImageIo)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_image_io.moc"
#endif
