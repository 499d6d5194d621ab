// Mask operations shared by the inpainting pipelines and the UI: grow/shrink are exact Euclidean
// discs, feathering is 1 on the mask and exactly 0 beyond its width, compositing is bit-exact where
// the alpha is 0 (the guarantee "outside the mask, pixels are unchanged" rests on it).
#include <cmath>
#include <string>

#include <opencv2/imgproc.hpp>

#include "support/error_text.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/pipelines/mask_ops.h"

using namespace latentshop;
using lstest::errorOf;

namespace {

cv::Mat pointMask(int size, int x, int y) {
  cv::Mat m(size, size, CV_8UC1, cv::Scalar(0));
  m.at<uchar>(y, x) = 255;
  return m;
}

// Pixels (dx, dy) with dx^2 + dy^2 <= r^2.
int discCount(int r) {
  int n = 0;
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx)
      if (dx * dx + dy * dy <= r * r) ++n;
  return n;
}

bool sameMat(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return false;
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  return cv::countNonZero(diff.reshape(1)) == 0;
}

// A blob with holes and thin parts, to exercise grow/shrink on a non-convex shape.
cv::Mat blobMask() {
  cv::Mat m(120, 140, CV_8UC1, cv::Scalar(0));
  cv::circle(m, cv::Point(50, 60), 30, cv::Scalar(255), cv::FILLED);
  cv::rectangle(m, cv::Rect(70, 20, 50, 14), cv::Scalar(255), cv::FILLED);
  cv::line(m, cv::Point(10, 110), cv::Point(130, 100), cv::Scalar(255), 2);
  cv::circle(m, cv::Point(50, 60), 6, cv::Scalar(0), cv::FILLED);
  return m;
}

}  // namespace

class TestMaskOps : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void binarizeUsesThreshold() {
    cv::Mat m(1, 4, CV_8UC1);
    m.at<uchar>(0, 0) = 0;
    m.at<uchar>(0, 1) = 127;
    m.at<uchar>(0, 2) = 128;
    m.at<uchar>(0, 3) = 255;
    cv::Mat b = binarizeMask(m);
    QCOMPARE(int(b.at<uchar>(0, 0)), 0);
    QCOMPARE(int(b.at<uchar>(0, 1)), 0);
    QCOMPARE(int(b.at<uchar>(0, 2)), 255);
    QCOMPARE(int(b.at<uchar>(0, 3)), 255);
  }

  void growIsEuclideanDisc() {
    for (int r : {1, 2, 3, 5, 8}) {
      cv::Mat grown = growShrinkMask(pointMask(41, 20, 20), r);
      QCOMPARE(cv::countNonZero(grown), discCount(r));
      QCOMPARE(int(grown.at<uchar>(20, 20 + r)), 255);
      QCOMPARE(int(grown.at<uchar>(20, 20 + r + 1)), 0);
    }
  }

  void growZeroIsBinaryCopy() {
    cv::Mat m = blobMask();
    QVERIFY(sameMat(growShrinkMask(m, 0), binarizeMask(m)));
  }

  void shrinkRemovesBorderBand() {
    cv::Mat disc(61, 61, CV_8UC1, cv::Scalar(0));
    cv::circle(disc, cv::Point(30, 30), 20, cv::Scalar(255), cv::FILLED);
    cv::Mat shrunk = growShrinkMask(disc, -5);
    // Every kept pixel is more than 5 px from every unselected pixel; every removed one is not.
    for (int y = 0; y < disc.rows; ++y) {
      for (int x = 0; x < disc.cols; ++x) {
        if (!disc.at<uchar>(y, x)) {
          QCOMPARE(int(shrunk.at<uchar>(y, x)), 0);
          continue;
        }
        double nearest = 1e9;
        for (int v = 0; v < disc.rows; ++v)
          for (int u = 0; u < disc.cols; ++u)
            if (!disc.at<uchar>(v, u)) nearest = std::min(nearest, std::hypot(u - x, v - y));
        QCOMPARE(shrunk.at<uchar>(y, x) != 0, nearest > 5.0);
      }
    }
  }

  void closingContainsAndOpeningIsContained() {
    // With exact distances, shrink(grow(m)) ⊇ m and grow(shrink(m)) ⊆ m, pixel for pixel.
    cv::Mat m = blobMask();
    for (int r : {2, 4, 7}) {
      cv::Mat closed = growShrinkMask(growShrinkMask(m, r), -r);
      cv::Mat opened = growShrinkMask(growShrinkMask(m, -r), r);
      cv::Mat outside;
      cv::bitwise_and(m, ~closed, outside);
      QCOMPARE(cv::countNonZero(outside), 0);
      cv::bitwise_and(opened, ~m, outside);
      QCOMPARE(cv::countNonZero(outside), 0);
    }
  }

  void shrinkToNothingIsEmpty() {
    QCOMPARE(cv::countNonZero(growShrinkMask(pointMask(9, 4, 4), -1)), 0);
    QCOMPARE(cv::countNonZero(growShrinkMask(cv::Mat(8, 8, CV_8UC1, cv::Scalar(0)), 3)), 0);
  }

  void featherIsOneInsideZeroBeyondWidth() {
    cv::Mat m = blobMask();
    const int px = 6;
    cv::Mat alpha = featherOutward(m, px);
    cv::Mat support = featherSupport(m, px);
    QCOMPARE(alpha.type(), CV_32FC1);
    for (int y = 0; y < m.rows; ++y) {
      for (int x = 0; x < m.cols; ++x) {
        const float a = alpha.at<float>(y, x);
        if (m.at<uchar>(y, x)) {
          QCOMPARE(a, 1.0f);
        } else if (!support.at<uchar>(y, x)) {
          QCOMPARE(a, 0.0f);
        } else {
          QVERIFY2(a > 0.0f && a < 1.0f, "the feather band is strictly between 0 and 1");
        }
      }
    }
  }

  void featherFallsWithDistance() {
    cv::Mat m(1, 40, CV_8UC1, cv::Scalar(0));
    m.colRange(0, 10).setTo(255);
    cv::Mat alpha = featherOutward(m, 8);
    for (int x = 10; x < 19; ++x) QVERIFY(alpha.at<float>(0, x) < alpha.at<float>(0, x - 1));
    QCOMPARE(alpha.at<float>(0, 19), 0.0f);
    cv::Mat hard = featherOutward(m, 0);
    QCOMPARE(cv::countNonZero(hard), 10);
  }

  void alphaMaskRoundTrip() {
    cv::Mat m(1, 256, CV_8UC1);
    for (int i = 0; i < 256; ++i) m.at<uchar>(0, i) = static_cast<uchar>(i);
    QVERIFY(sameMat(alphaToMask(maskToAlpha(m)), m));
    QVERIFY(sameMat(invertMask(invertMask(m)), m));
    QCOMPARE(int(invertMask(m).at<uchar>(0, 10)), 245);
  }

  void boundingBoxAndPadding() {
    cv::Mat m(50, 60, CV_8UC1, cv::Scalar(0));
    QVERIFY(maskBoundingBox(m).empty());
    m.at<uchar>(5, 7) = 1;
    m.at<uchar>(30, 40) = 200;
    const cv::Rect box = maskBoundingBox(m);
    QCOMPARE(box.x, 7);
    QCOMPARE(box.y, 5);
    QCOMPARE(box.width, 34);
    QCOMPARE(box.height, 26);
    const cv::Rect padded = padRect(box, 10, m.size());
    QCOMPARE(padded.x, 0);
    QCOMPARE(padded.y, 0);
    QCOMPARE(padded.x + padded.width, 51);
    QCOMPARE(padded.y + padded.height, 41);
    QCOMPARE(maskArea(m), 2);
  }

  void compositeIsExactAtZeroAndFullAlpha() {
    cv::RNG rng(7);
    cv::Mat original(32, 48, CV_8UC3), edited(16, 20, CV_8UC3), alpha(16, 20, CV_8UC1);
    rng.fill(original, cv::RNG::UNIFORM, 0, 256);
    rng.fill(edited, cv::RNG::UNIFORM, 0, 256);
    rng.fill(alpha, cv::RNG::UNIFORM, 0, 256);
    alpha.colRange(0, 5).setTo(0);
    alpha.colRange(15, 20).setTo(255);
    const cv::Rect at(10, 8, 20, 16);
    cv::Mat out = compositeOver(original, edited, alpha, at);
    // Outside the placement: untouched.
    cv::Mat outsideMask(original.size(), CV_8UC1, cv::Scalar(255));
    outsideMask(at).setTo(0);
    cv::Mat diff;
    cv::absdiff(out, original, diff);
    cv::Mat diffGrey;
    cv::cvtColor(diff, diffGrey, cv::COLOR_RGB2GRAY);
    cv::Mat changedOutside;
    cv::bitwise_and(diffGrey > 0, outsideMask, changedOutside);
    QCOMPARE(cv::countNonZero(changedOutside), 0);
    for (int y = 0; y < 16; ++y) {
      for (int x = 0; x < 20; ++x) {
        const int a = alpha.at<uchar>(y, x);
        for (int c = 0; c < 3; ++c) {
          const int o = original.at<cv::Vec3b>(y + 8, x + 10)[c];
          const int e = edited.at<cv::Vec3b>(y, x)[c];
          const int r = out.at<cv::Vec3b>(y + 8, x + 10)[c];
          if (a == 0) QCOMPARE(r, o);
          if (a == 255) QCOMPARE(r, e);
          QVERIFY(std::abs(r * 255 - (o * (255 - a) + e * a)) <= 128);
        }
      }
    }
  }

  void compositeFloatAlphaZeroCopies() {
    cv::Mat original(4, 4, CV_8UC4, cv::Scalar(10, 20, 30, 40));
    cv::Mat edited(4, 4, CV_8UC4, cv::Scalar(200, 200, 200, 255));
    cv::Mat alpha(4, 4, CV_32FC1, cv::Scalar(0.0f));
    alpha.at<float>(1, 1) = 1.0f;
    alpha.at<float>(2, 2) = 0.5f;
    cv::Mat out = compositeOver(original, edited, alpha);
    QVERIFY(out.at<cv::Vec4b>(0, 0) == cv::Vec4b(10, 20, 30, 40));
    QVERIFY(out.at<cv::Vec4b>(1, 1) == cv::Vec4b(200, 200, 200, 255));
    QVERIFY(out.at<cv::Vec4b>(2, 2) == cv::Vec4b(105, 110, 115, 148));
  }

  void compositeRejectsMismatches() {
    cv::Mat a(4, 4, CV_8UC3), b(4, 5, CV_8UC3), m(4, 4, CV_8UC1);
    QVERIFY(!errorOf([&] { compositeOver(a, b, m); }).empty());
    QVERIFY(!errorOf([&] { compositeOver(a, a, m, cv::Rect(2, 2, 4, 4)); }).empty());
    cv::Mat c(4, 4, CV_8UC1);
    QVERIFY(!errorOf([&] { compositeOver(a, c, m); }).empty());
  }
};

QTEST_GUILESS_MAIN(TestMaskOps)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_mask_ops.moc"
#endif
