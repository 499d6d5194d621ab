// Classical inpainting (OpenCV Telea / Navier–Stokes) as an engine job, on a real photo with a
// known hole: the fill must resemble what was there, every pixel outside the grown + feathered mask
// must be bit-identical to the input, and the job must report progress, honour cancel and fail
// cleanly on bad requests.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "support/error_text.h"
#include "support/testing.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/image_io.h"
#include "engine/pipelines/classical_inpaint.h"
#include "engine/pipelines/exemplar/xphoto_inpaint.h"
#include "engine/pipelines/mask_ops.h"
#include "engine/runtime/job_queue.h"

using namespace latentshop;
using lstest::errorOf;
using namespace std::chrono_literals;

namespace {

// PSNR (dB) of `a` against `b` over the pixels where `region` is non-zero.
double psnrOver(const cv::Mat& a, const cv::Mat& b, const cv::Mat& region) {
  double se = 0;
  long n = 0;
  for (int y = 0; y < a.rows; ++y) {
    for (int x = 0; x < a.cols; ++x) {
      if (!region.at<uchar>(y, x)) continue;
      const cv::Vec3b p = a.at<cv::Vec3b>(y, x), q = b.at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) se += (p[c] - q[c]) * double(p[c] - q[c]);
      n += 3;
    }
  }
  const double mse = se / std::max(n, 1L);
  return mse <= 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

// The naive fill: each connected part of the hole set to the mean colour of the one-pixel ring
// around that part.
cv::Mat meanRingFill(const cv::Mat& image, const cv::Mat& hole) {
  cv::Mat labels;
  const int n = cv::connectedComponents(hole, labels, 8, CV_32S);
  cv::Mat out = image.clone();
  for (int i = 1; i < n; ++i) {
    const cv::Mat part = labels == i;
    const cv::Mat ring = growShrinkMask(part, 1) & ~part;
    out.setTo(cv::mean(image, ring), part);
  }
  return out;
}

int countDifferent(const cv::Mat& a, const cv::Mat& b, const cv::Mat& where) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  cv::Mat grey;
  cv::cvtColor(diff, grey, cv::COLOR_RGB2GRAY);
  cv::Mat changed = (grey > 0) & where;
  // Channels whose difference rounds to grey 0 are counted through the max over channels instead.
  cv::Mat maxc = diff.reshape(1, diff.rows * diff.cols);
  cv::reduce(maxc, maxc, 1, cv::REDUCE_MAX);
  maxc = maxc.reshape(1, diff.rows);
  return cv::countNonZero((maxc > 0) & where);
}

// A known hole on fruits.jpg (a real photo): a blemish-sized disc on the lime, a scratch across the
// banana and one across the lemon's rind edge, the kind of defect classical inpainting is for. The hole pixels are painted magenta so that a
// fill that read them would be caught.
struct Case {
  cv::Mat truth;   // the photo
  cv::Mat input;   // the photo with the hole painted over
  cv::Mat mask;    // 255 on the hole
};

Case knownHole() {
  Case c;
  c.truth = readImageRgb(lstest::photoPath("fruits.jpg"));
  c.mask = cv::Mat(c.truth.size(), CV_8UC1, cv::Scalar(0));
  cv::circle(c.mask, cv::Point(420, 190), 8, cv::Scalar(255), cv::FILLED);
  cv::line(c.mask, cv::Point(8, 150), cv::Point(100, 175), cv::Scalar(255), 3);
  cv::line(c.mask, cv::Point(300, 350), cv::Point(350, 368), cv::Scalar(255), 3);
  c.input = c.truth.clone();
  c.input.setTo(cv::Scalar(255, 0, 255), c.mask);
  return c;
}

}  // namespace

class TestClassicalInpaint : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void fillResemblesTheHiddenPixels() {
    const Case c = knownHole();
    for (auto method : {ClassicalInpaintMethod::Telea, ClassicalInpaintMethod::NavierStokes}) {
      ClassicalInpaintRequest r;
      r.image = c.input;
      r.mask = c.mask;
      r.method = method;
      r.growPx = 1;  // covers the anti-aliased rim of the painted hole
      r.featherPx = 3;
      r.radius = 5;
      const ClassicalInpaintOutput out = runClassicalInpaint(r);
      const cv::Mat hole = growShrinkMask(c.mask, 1);
      const double psnr = psnrOver(out.composite, c.truth, hole);
      const double naive = psnrOver(meanRingFill(c.truth, hole), c.truth, hole);
      const double untouched = psnrOver(c.input, c.truth, hole);
      std::printf("   %s: PSNR over the hole %.2f dB (mean-of-rim fill %.2f dB, unfilled %.2f dB)\n",
                  displayName(method), psnr, naive, untouched);
      // Floors. The unfilled (magenta) hole scores ~5 dB and the naive baseline printed above
      // (each part of the hole a flat mean of its rim) ~22 dB: flat colour cannot continue the
      // lemon's rind edge. Telea and NS carry the shading and the edge into the hole and score
      // ~29 dB here (OpenCV 4.6). The 26 dB floor leaves 3 dB for JPEG-decoder and OpenCV-version
      // differences while failing any flat or noisy fill; beating the baseline by 4 dB (it does by
      // ~6.5) shows the fill follows the surrounding structure.
      QVERIFY2(psnr >= 26.0, "the fill is too far from the hidden pixels");
      QVERIFY2(psnr >= naive + 4.0, "the fill is no better than a flat mean colour");
    }
  }

  void pixelsOutsideTheFeatheredMaskAreUnchanged() {
    const Case c = knownHole();
    ClassicalInpaintRequest r;
    r.image = c.input;
    r.mask = c.mask;
    r.growPx = 3;
    r.featherPx = 5;
    const ClassicalInpaintOutput out = runClassicalInpaint(r);
    const cv::Mat support = featherSupport(growShrinkMask(c.mask, 3), 5);
    QCOMPARE(countDifferent(out.composite, c.input, ~support), 0);
    // Inside the hole no magenta is left.
    const cv::Mat hole = growShrinkMask(c.mask, 3);
    cv::Mat magenta;
    cv::inRange(out.composite, cv::Scalar(250, 0, 250), cv::Scalar(255, 5, 255), magenta);
    QCOMPARE(cv::countNonZero(magenta & hole), 0);
    // The placement is the support's bounding box and the alpha is 255 on the hole.
    const cv::Rect box = maskBoundingBox(support);
    QVERIFY(out.placement == box);
    QCOMPARE(cv::countNonZero(out.alpha == 255), cv::countNonZero(hole(box)));
    // The composite over the placement equals filled where alpha is 255.
    cv::Mat full = out.alpha == 255;
    QCOMPARE(countDifferent(out.composite(box), out.filled, full), 0);
  }

  void shrinkAndZeroFeatherKeepMoreOriginal() {
    const Case c = knownHole();
    ClassicalInpaintRequest r;
    r.image = c.input;
    r.mask = growShrinkMask(c.mask, 4);
    r.growPx = -2;
    r.featherPx = 0;
    const ClassicalInpaintOutput out = runClassicalInpaint(r);
    const cv::Mat hole = growShrinkMask(r.mask, -2);
    QCOMPARE(out.holeArea, cv::countNonZero(hole));
    QCOMPARE(countDifferent(out.composite, c.input, ~hole), 0);
  }

  void rgbaImagesAreFilledPerChannel() {
    const Case c = knownHole();
    cv::Mat rgba;
    cv::cvtColor(c.input, rgba, cv::COLOR_RGB2RGBA);
    ClassicalInpaintRequest r;
    r.image = rgba;
    r.mask = c.mask;
    const ClassicalInpaintOutput out = runClassicalInpaint(r);
    QCOMPARE(out.composite.type(), CV_8UC4);
    std::vector<cv::Mat> planes;
    cv::split(out.composite, planes);
    QCOMPARE(cv::countNonZero(planes[3] != 255), 0);
  }

  void jobReportsStagesAndReturnsALayer() {
    const Case c = knownHole();
    ClassicalInpaintRequest r;
    r.image = c.input;
    r.mask = c.mask;
    r.method = ClassicalInpaintMethod::NavierStokes;
    std::mutex m;
    std::vector<int> steps;
    std::vector<int> totals;
    JobResult result;
    bool done = false;
    JobCallbacks cb;
    cb.onProgress = [&](JobId, const JobProgress& p) {
      std::lock_guard<std::mutex> l(m);
      steps.push_back(p.step);
      totals.push_back(p.total);
    };
    cb.onDone = [&](JobId, const JobResult& res) {
      std::lock_guard<std::mutex> l(m);
      result = res;
      done = true;
    };
    JobQueue q;
    q.submit(makeClassicalInpaintJob(r, cb));
    QVERIFY(q.waitIdle(60s));
    QVERIFY(done);
    QCOMPARE(steps.size(), std::size_t(4));
    for (int i = 0; i < 4; ++i) QCOMPARE(steps[i], i);
    for (int t : totals) QCOMPARE(t, 3);
    QCOMPARE(result.image.type(), CV_8UC4);
    QVERIFY(result.image.size() == result.placement.size());
    QCOMPARE(result.params["method"].get<std::string>(), std::string("classical.ns"));
    QCOMPARE(result.params["grow_px"].get<int>(), 4);
    QCOMPARE(result.params["feather_px"].get<int>(), 6);
    QVERIFY(!result.message.empty());
    // The RGBA layer composited over the input gives the synchronous result.
    const ClassicalInpaintOutput sync = runClassicalInpaint(r);
    std::vector<cv::Mat> planes;
    cv::split(result.image, planes);
    cv::Mat rgb;
    cv::merge(std::vector<cv::Mat>{planes[0], planes[1], planes[2]}, rgb);
    const cv::Mat layered = compositeOver(c.input, rgb, planes[3], result.placement);
    cv::Mat everywhere(c.input.size(), CV_8UC1, cv::Scalar(255));
    QCOMPARE(countDifferent(layered, sync.composite, everywhere), 0);
  }

  void cancelBetweenStagesEndsCancelled() {
    const Case c = knownHole();
    ClassicalInpaintRequest r;
    r.image = c.input;
    r.mask = c.mask;
    JobQueue q;
    std::mutex m;
    std::vector<JobState> states;
    bool done = false;
    JobId id = 0;
    JobCallbacks cb;
    cb.onProgress = [&](JobId jid, const JobProgress& p) {
      if (p.step == 1) q.cancel(jid);  // from the worker: the next stage boundary must stop it
    };
    cb.onState = [&](JobId, JobState s) { std::lock_guard<std::mutex> l(m); states.push_back(s); };
    cb.onDone = [&](JobId, const JobResult&) { done = true; };
    id = q.submit(makeClassicalInpaintJob(r, cb));
    QVERIFY(id != 0);
    QVERIFY(q.waitIdle(60s));
    QVERIFY(!done);
    QVERIFY(!states.empty());
    QVERIFY(states.back() == JobState::Cancelled);
  }

  void badRequestsFailWithAMessage() {
    const Case c = knownHole();
    ClassicalInpaintRequest r;
    r.image = c.input;
    r.mask = cv::Mat(10, 20, CV_8UC1, cv::Scalar(255));
    std::string e = errorOf([&] { validate(r); });
    QVERIFY2(e.find("20x10") != std::string::npos, e.c_str());
    QVERIFY2(e.find(std::to_string(c.input.cols) + "x" + std::to_string(c.input.rows)) != std::string::npos, e.c_str());
    r.mask = cv::Mat(c.input.size(), CV_8UC1, cv::Scalar(0));
    e = errorOf([&] { validate(r); });
    QVERIFY2(e.find("nothing is masked") != std::string::npos, e.c_str());
    r.mask = c.mask;
    r.radius = 0;
    e = errorOf([&] { validate(r); });
    QVERIFY2(e.find("radius") != std::string::npos, e.c_str());
    r.radius = 5;
    r.growPx = -20;
    e = errorOf([&] { runClassicalInpaint(r); });
    QVERIFY2(e.find("leaves nothing to fill") != std::string::npos, e.c_str());

    // Through the queue the job ends Failed with the message; nothing escapes.
    std::string failure;
    JobCallbacks cb;
    cb.onFailed = [&](JobId, const std::string& err) { failure = err; };
    JobQueue q;
    q.submit(makeClassicalInpaintJob(r, cb));
    QVERIFY(q.waitIdle(30s));
    QVERIFY2(failure.find("leaves nothing to fill") != std::string::npos, failure.c_str());
  }

  // OpenCV contrib's shift-map and FSR (offered to measure against PatchMatch): each fills the hole
  // from the photo and leaves every pixel outside the grown + feathered mask as it was.
  void xphotoMethodsFillAndKeepTheOutside() {
    if (!haveXphoto()) QSKIP("this OpenCV has no xphoto module");
    const cv::Mat truth = readImageRgb(lstest::photoPath("fruits.jpg"));
    cv::Mat mask(truth.size(), CV_8UC1, cv::Scalar(0));
    cv::circle(mask, cv::Point(420, 190), 10, cv::Scalar(255), cv::FILLED);
    cv::Mat input = truth.clone();
    input.setTo(cv::Scalar(255, 0, 255), mask);
    for (auto method : {ClassicalInpaintMethod::ShiftMap, ClassicalInpaintMethod::Fsr}) {
      ClassicalInpaintRequest r;
      r.image = input;
      r.mask = mask;
      r.method = method;
      r.growPx = 1;
      r.featherPx = 2;
      const ClassicalInpaintOutput out = runClassicalInpaint(r);
      const cv::Mat hole = growShrinkMask(mask, 1);
      const cv::Mat support = featherSupport(hole, 2);
      QCOMPARE(countDifferent(out.composite, input, ~support), 0);
      cv::Mat magenta;
      cv::inRange(out.composite, cv::Scalar(250, 0, 250), cv::Scalar(255, 5, 255), magenta);
      QCOMPARE(cv::countNonZero(magenta & hole), 0);
      const double psnr = psnrOver(out.composite, truth, hole);
      const double unfilled = psnrOver(input, truth, hole);
      std::printf("   %s: PSNR over the hole %.2f dB (unfilled %.2f dB)\n", displayName(method), psnr, unfilled);
      // The disc lies on the lime's flat skin: any fill from the photo scores > 20 dB, magenta ~5.
      QVERIFY2(psnr >= unfilled + 12.0, displayName(method));
    }
  }

  // PatchMatch's source margin: with it the fill reads nothing farther than the margin from the
  // hole's box. Repainting everything beyond that leaves the fill bit-identical; without the margin
  // the same repaint changes it.
  void sourceMarginBoundsWhatTheFillReads() {
    const Case c = knownHole();
    cv::Mat mask(c.truth.size(), CV_8UC1, cv::Scalar(0));
    const cv::Rect hole(200, 150, 40, 30);
    mask(hole).setTo(255);
    ClassicalInpaintRequest r;
    r.image = c.truth;
    r.mask = mask;
    r.method = ClassicalInpaintMethod::PatchMatch;
    r.growPx = 0;
    r.featherPx = 0;
    r.seed = 3;
    r.sourceMarginPx = 60;
    cv::Mat repainted = c.truth.clone();
    cv::Mat outside(c.truth.size(), CV_8UC1, cv::Scalar(255));
    outside(padRect(hole, 60, c.truth.size())).setTo(0);
    repainted.setTo(cv::Scalar(255, 0, 255), outside);
    const ClassicalInpaintOutput a = runClassicalInpaint(r);
    ClassicalInpaintRequest rb = r;
    rb.image = repainted;
    const ClassicalInpaintOutput b = runClassicalInpaint(rb);
    QCOMPARE(countDifferent(a.composite, b.composite, mask), 0);
    // Without the margin the fill searches the whole photo, so the repaint shows.
    r.sourceMarginPx = 0;
    rb.sourceMarginPx = 0;
    const ClassicalInpaintOutput wa = runClassicalInpaint(r), wb = runClassicalInpaint(rb);
    QVERIFY(countDifferent(wa.composite, wb.composite, mask) > 0);
    // Out of range is named.
    r.sourceMarginPx = -1;
    QVERIFY(errorOf([&] { runClassicalInpaint(r); }).find("source margin") != std::string::npos);
  }

  void methodNamesRoundTrip() {
    QVERIFY(parseClassicalInpaintMethod("telea") == ClassicalInpaintMethod::Telea);
    QVERIFY(parseClassicalInpaintMethod("ns") == ClassicalInpaintMethod::NavierStokes);
    QVERIFY(parseClassicalInpaintMethod("patchmatch") == ClassicalInpaintMethod::PatchMatch);
    QVERIFY(parseClassicalInpaintMethod("remove") == ClassicalInpaintMethod::PatchMatch);
    QVERIFY(parseClassicalInpaintMethod("shiftmap") == ClassicalInpaintMethod::ShiftMap);
    QVERIFY(parseClassicalInpaintMethod("fsr") == ClassicalInpaintMethod::Fsr);
    QVERIFY(!parseClassicalInpaintMethod("lama").has_value());
    QCOMPARE(std::string(toString(ClassicalInpaintMethod::NavierStokes)), std::string("ns"));
  }
};

QTEST_GUILESS_MAIN(TestClassicalInpaint)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_classical_inpaint.moc"
#endif
