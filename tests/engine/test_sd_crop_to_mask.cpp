// LATENTSHOP_TEST_LABELS: pipelines
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp
// Where SD edits run (engine/pipelines/sd_edit_geometry.h): diffusers' get_crop_region worked by
// hand (padding, growth to the processing aspect, shifts at the image's edges), the working size
// within the pixel budget, crop-to-mask geometry, and a real photo enlarged to 4000x3000 inpainted
// with crop to mask by a tiny model: every pixel outside the padded box is bit-identical.
#include <chrono>
#include <string>

#include <opencv2/imgproc.hpp>

#include "sd_tiny_model.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/image_io.h"
#include "engine/pipelines/mask_ops.h"
#include "engine/pipelines/sd_edit_geometry.h"
#include "engine/pipelines/sd_inpaint.h"

using namespace latentshop;

namespace {

cv::Mat maskWithBox(cv::Size size, cv::Rect box) {
  cv::Mat m(size, CV_8UC1, cv::Scalar(0));
  m(box).setTo(255);
  return m;
}

}  // namespace

class TestSdCropToMask : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void diffusersCropRegionByHand();
  void workingSizes();
  void cropGeometry();
  void pasteAlphaStaysInTheBox();
  void largePhotoOutsideTheBoxIsBitIdentical();
};

void TestSdCropToMask::initTestCase() { configureTorchThreads(); }

void TestSdCropToMask::diffusersCropRegionByHand() {
  // 100x80 image, mask cols 40..59, rows 30..39, 512x512 processing, pad 5:
  // padded (35,25)-(65,45): 30x20, ratio 1.5 > 1 -> height 30, diff 10 -> y 20..50.
  QCOMPARE(diffusersCropRegion(maskWithBox({100, 80}, {40, 30, 20, 10}), 512, 512, 5), cv::Rect(35, 20, 30, 30));
  // Near the bottom: rows 70..79 -> padded y 65..80; height 30 wanted: 58..88, shifted up to 50..80.
  QCOMPARE(diffusersCropRegion(maskWithBox({100, 80}, {40, 70, 20, 10}), 512, 512, 5), cv::Rect(35, 50, 30, 30));
  // Tall box, wide processing (768x512, ratio 1.5): padded (45,5)-(56,45) 11x40 -> width 60,
  // diff int(60 - 11) = 49: x 45 - 24 .. 56 + 25.
  QCOMPARE(diffusersCropRegion(maskWithBox({100, 80}, {50, 10, 1, 30}), 768, 512, 5), cv::Rect(21, 5, 60, 40));
  // An empty mask gives the whole image.
  QCOMPARE(diffusersCropRegion(cv::Mat(80, 100, CV_8UC1, cv::Scalar(0)), 512, 512, 5), cv::Rect(0, 0, 100, 80));
  // Left edge: cols 0..9 -> padded x 0..15, rows 30..39 -> y 25..45; ratio 0.75 < 1 -> width 20,
  // diff 5: x -2..18, shifted to 0..20.
  QCOMPARE(diffusersCropRegion(maskWithBox({100, 80}, {0, 30, 10, 10}), 512, 512, 5), cv::Rect(0, 25, 20, 20));
}

void TestSdCropToMask::workingSizes() {
  QCOMPARE(workingSize({4000, 3000}, 512, 8), cv::Size(584, 440));
  QCOMPARE(workingSize({500, 333}, 512, 8), cv::Size(496, 328));  // small: own size, floored to 8
  QCOMPARE(workingSize({512, 512}, 512, 8), cv::Size(512, 512));
  QCOMPARE(workingSize({5, 3}, 512, 8), cv::Size(8, 8));
  QCOMPARE(workingSize({96, 72}, 32, 2), cv::Size(36, 26));
  const auto g = wholeImageGeometry({500, 333}, 512, 8);
  QVERIFY(g.resized());
  QVERIFY(!g.crop);
  QCOMPARE(g.region, cv::Rect(0, 0, 500, 333));
  // The rounding to the VAE's multiple is recorded and described (the models take any size).
  QVERIFY(g.rounded());
  QCOMPARE(g.unroundedSize, cv::Size(500, 333));
  QCOMPARE(g.multiple, 8);
  QCOMPARE(g.describe(), std::string("500x333 image edited at 496x328 (the nearest size the model takes), scaled back"));
  const auto exact = wholeImageGeometry({512, 384}, 512, 8);
  QVERIFY(!exact.rounded() && !exact.resized());
  const auto big = wholeImageGeometry({4000, 3000}, 512, 8);  // scaled to 591x443 first, then rounded
  QCOMPARE(big.unroundedSize, cv::Size(591, 443));
  QVERIFY(big.rounded());
}

void TestSdCropToMask::cropGeometry() {
  const cv::Mat mask = maskWithBox({4000, 3000}, {1900, 1400, 100, 50});
  const auto g = cropToMaskGeometry(mask, 32, 512, 8);
  QVERIFY(g.crop);
  QCOMPARE(g.paddedBox, cv::Rect(1868, 1368, 164, 114));
  QVERIFY((g.region & g.paddedBox) == g.paddedBox);
  QCOMPARE(g.workSize.width, 512);
  QCOMPARE(g.workSize.height % 8, 0);
  const double aspectRegion = double(g.region.width) / g.region.height;
  const double aspectWork = double(g.workSize.width) / g.workSize.height;
  QVERIFY(std::abs(aspectRegion - aspectWork) < 0.02);
  // A thin strip is limited to 4:1.
  const auto strip = cropToMaskGeometry(maskWithBox({4000, 3000}, {100, 1500, 3000, 4}), 8, 512, 8);
  QCOMPARE(strip.workSize, cv::Size(512, 128));
  QVERIFY((strip.region & strip.paddedBox) == strip.paddedBox);
  bool threw = false;
  try {
    cropToMaskGeometry(cv::Mat(10, 10, CV_8UC1, cv::Scalar(0)), 8, 512, 8);
  } catch (const Error&) {
    threw = true;
  }
  QVERIFY(threw);
}

void TestSdCropToMask::pasteAlphaStaysInTheBox() {
  cv::Mat mask = maskWithBox({200, 150}, {90, 60, 20, 20});
  const auto g = cropToMaskGeometry(mask, 4, 64, 8);
  const cv::Mat alpha = pasteAlpha(mask, g, 16);  // feather wider than the padding: cut at the box
  QCOMPARE(alpha.size(), g.region.size());
  cv::Mat support;
  cv::compare(alpha, 0.0f, support, cv::CMP_GT);
  const cv::Rect used = maskBoundingBox(support) + g.region.tl();
  QVERIFY((used & g.paddedBox) == used);
  QCOMPARE(alpha.at<float>(70 - g.region.y, 100 - g.region.x), 1.0f);
  // The work mask covers every hard pixel.
  const cv::Mat work = maskToWork(mask, g);
  QCOMPARE(work.size(), g.workSize);
  QVERIFY(cv::countNonZero(work) > 0);
}

void TestSdCropToMask::largePhotoOutsideTheBoxIsBitIdentical() {
  const std::string folder = lstest::makeRandomSdFolder("sd_crop_random", "inpainting", 21);
  SdInpaintRequest r;
  cv::Mat small = readImageRgb(lstest::photoPath("butterfly.jpg"));
  cv::resize(small, r.image, {4000, 3000}, 0, 0, cv::INTER_CUBIC);
  r.mask = cv::Mat(3000, 4000, CV_8UC1, cv::Scalar(0));
  cv::ellipse(r.mask, {2500, 1200}, {120, 70}, 30, 0, 360, cv::Scalar(255), cv::FILLED);
  cv::GaussianBlur(r.mask, r.mask, {0, 0}, 3);  // soft brush edge
  r.model.path = folder;
  r.model.device = "cpu";
  r.prompt = "a blue flower";
  r.steps = 3;
  r.cropToMask = true;
  r.padding = 48;
  r.featherPx = 12;
  lstest::TestJob job;
  const auto start = std::chrono::steady_clock::now();
  const auto out = runSdInpaint(r, *job.context);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto g = cropToMaskGeometry(r.mask, r.padding, 32, 2);
  std::printf("   4000x3000 crop to mask: %s in %.2f s\n", out.params["geometry"].get<std::string>().c_str(), seconds);
  QCOMPARE(out.composite.size(), cv::Size(4000, 3000));
  QVERIFY((out.placement & g.paddedBox) == out.placement);
  cv::Mat outside(3000, 4000, CV_8UC1, cv::Scalar(255));
  outside(g.paddedBox).setTo(0);
  cv::Mat diff;
  cv::absdiff(out.composite, r.image, diff);
  cv::Mat changed;
  cv::transform(diff, changed, cv::Matx13f(1, 1, 1));
  changed.setTo(0, outside == 0);
  QCOMPARE(cv::countNonZero(changed), 0);
  // Inside, the masked ellipse was repainted.
  cv::transform(diff(g.paddedBox), changed, cv::Matx13f(1, 1, 1));
  QVERIFY(cv::countNonZero(changed) > 1000);
  QCOMPARE(job.previews.front().placement, g.region);
  QVERIFY(out.params["crop_to_mask"].get<bool>());
}

QTEST_GUILESS_MAIN(TestSdCropToMask)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_sd_crop_to_mask.moc"
#endif
