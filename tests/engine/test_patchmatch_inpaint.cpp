// Content-aware removal (engine/pipelines/exemplar: PatchMatch completion after Wexler et al. 2007
// and Barnes et al. 2009): a hole in a periodic texture is filled with the period continued; every
// pixel outside the hole is bit-identical; a keep-out region is never copied from; the same seed
// gives the same fill on any thread count; the fill keeps the photo's detail where Telea smears;
// bad requests are named; cancel stops the fill, through the job queue too.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/error_text.h"
#include "support/process_memory.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/pipelines/classical_inpaint.h"
#include "engine/pipelines/exemplar/inpaint_evaluation.h"
#include "engine/pipelines/exemplar/patchmatch_inpaint.h"
#include "engine/runtime/job_queue.h"

using namespace latentshop;
using namespace std::chrono_literals;
using lstest::errorOf;

namespace {

// Stripes of period 8 (kind 0) or a checkerboard of 6-px squares (kind 1), tinted, with noise.
cv::Mat texture(int kind, cv::Size size, unsigned seed) {
  cv::Mat rgb(size, CV_8UC3);
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 6.0f);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      const float v = (kind == 0 ? (x % 8) < 4 : ((x / 6) + (y / 6)) % 2 == 1) ? 70.0f : 190.0f;
      const float g = v + noise(rng);
      rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(g * 0.9f + 20), cv::saturate_cast<uchar>(g),
                                          cv::saturate_cast<uchar>(g * 0.8f));
    }
  return rgb;
}

cv::Mat grey(const cv::Mat& rgb) {
  cv::Mat g, f;
  cv::cvtColor(rgb, g, cv::COLOR_RGB2GRAY);
  g.convertTo(f, CV_32F);
  return f;
}

// Pearson correlation of the grey values of a and b inside `mask`.
double correlationIn(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  const cv::Mat ga = grey(a), gb = grey(b);
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  int n = 0;
  for (int y = 0; y < mask.rows; ++y)
    for (int x = 0; x < mask.cols; ++x)
      if (mask.at<uchar>(y, x)) {
        const double u = ga.at<float>(y, x), v = gb.at<float>(y, x);
        sa += u, sb += v, saa += u * u, sbb += v * v, sab += u * v, ++n;
      }
  return (sab - sa * sb / n) / std::sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
}

// Pixels outside the hole (> 127) where any channel of a and b differs.
int changedOutside(const cv::Mat& a, const cv::Mat& b, const cv::Mat& hole) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  std::vector<cv::Mat> channels;
  cv::split(d, channels);
  cv::Mat any = channels[0].clone();
  for (size_t i = 1; i < channels.size(); ++i) any = cv::max(any, channels[i]);
  return cv::countNonZero((any > 0) & ~(hole > 127));
}

cv::Mat photo(const std::string& name, int longSide) {
  cv::Mat bgr = cv::imread(lstest::photoPath(name)), rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  const double s = double(longSide) / std::max(rgb.cols, rgb.rows);
  cv::resize(rgb, rgb, cv::Size(), s, s, cv::INTER_AREA);
  return rgb;
}

int reddish(const cv::Mat& rgb, const cv::Mat& where) {
  int n = 0;
  for (int y = 0; y < rgb.rows; ++y)
    for (int x = 0; x < rgb.cols; ++x)
      if (where.at<uchar>(y, x)) {
        const cv::Vec3b p = rgb.at<cv::Vec3b>(y, x);
        n += p[0] > p[1] + 20 && p[0] > p[2] + 20;
      }
  return n;
}

}  // namespace

class TestPatchMatchInpaint : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void periodicTextureIsContinued() {
    for (int kind = 0; kind < 2; ++kind)
      for (unsigned seed = 0; seed < 2; ++seed) {
        const cv::Mat truth = texture(kind, {200, 160}, 7 + seed);
        cv::Mat hole(truth.size(), CV_8UC1, cv::Scalar(0));
        hole(cv::Rect(80 + int(seed) * 7, 60, 40, 40)).setTo(255);
        cv::Mat damaged = truth.clone();
        damaged.setTo(cv::Scalar(255, 0, 255), hole);
        PatchMatchInpaintRequest r;
        r.image = damaged;
        r.mask = hole;
        r.seed = seed;
        const cv::Mat out = patchMatchInpaint(r);
        const double c = correlationIn(out, truth, hole);
        QVERIFY2(c >= 0.8, (std::string(kind ? "checkerboard" : "stripes") + ": correlation " + std::to_string(c)).c_str());
        QCOMPARE(changedOutside(out, damaged, hole), 0);
      }
  }

  void outsideTheHoleIsBitIdentical() {
    const cv::Mat rgb = photo("fruits.jpg", 400);
    cv::Mat hole(rgb.size(), CV_8UC1, cv::Scalar(0));
    cv::circle(hole, {150, 120}, 40, cv::Scalar(200), cv::FILLED);
    hole.at<uchar>(3, 3) = 127;  // not a hole pixel (> 127 is)
    PatchMatchInpaintRequest r;
    r.image = rgb;
    r.mask = hole;
    const cv::Mat out = patchMatchInpaint(r);
    QCOMPARE(out.type(), CV_8UC3);
    QCOMPARE(changedOutside(out, rgb, hole), 0);
    cv::Mat rgba;
    cv::cvtColor(rgb, rgba, cv::COLOR_RGB2RGBA);
    r.image = rgba;
    const cv::Mat out4 = patchMatchInpaint(r);
    QCOMPARE(out4.type(), CV_8UC4);
    QCOMPARE(changedOutside(out4, rgba, hole), 0);
    // Through the classical request (grow + feather): bit-identical outside the feathered support.
    ClassicalInpaintRequest c;
    c.image = rgb;
    c.mask = hole;
    c.method = ClassicalInpaintMethod::PatchMatch;
    const ClassicalInpaintOutput o = runClassicalInpaint(c);
    cv::Mat support(rgb.size(), CV_8UC1, cv::Scalar(0));
    support(o.placement).setTo(255);
    QCOMPARE(changedOutside(o.composite, rgb, support), 0);
  }

  void keepOutIsNeverASource() {
    cv::Mat g(200, 260, CV_8UC1);
    cv::randn(g, cv::Scalar(128), cv::Scalar(25));
    cv::Mat img;
    cv::cvtColor(g, img, cv::COLOR_GRAY2RGB);
    const cv::Rect red(40, 40, 60, 60);
    img(red).setTo(cv::Scalar(230, 20, 20));
    cv::Mat keep(img.size(), CV_8UC1, cv::Scalar(0));
    keep(red).setTo(255);
    cv::Mat hole(img.size(), CV_8UC1, cv::Scalar(0));
    hole(cv::Rect(100, 50, 30, 40)).setTo(255);  // touching the red square
    PatchMatchInpaintRequest r;
    r.image = img;
    r.mask = hole;
    r.keepOut = keep;
    QCOMPARE(reddish(patchMatchInpaint(r), hole), 0);
    r.keepOut = cv::Mat();
    r.sourceRegion = cv::Rect(110, 0, 150, 200);  // a source rectangle that leaves the red square out
    QCOMPARE(reddish(patchMatchInpaint(r), hole), 0);
  }

  void sameSeedSameFillOnAnyThreadCount() {
    const cv::Mat rgb = photo("baboon.jpg", 320);
    cv::Mat hole(rgb.size(), CV_8UC1, cv::Scalar(0));
    hole(cv::Rect(100, 110, 80, 70)).setTo(255);
    PatchMatchInpaintRequest r;
    r.image = rgb;
    r.mask = hole;
    r.seed = 42;
    const int threads = cv::getNumThreads();
    cv::setNumThreads(2);
    const cv::Mat a = patchMatchInpaint(r), b = patchMatchInpaint(r);
    cv::setNumThreads(1);
    const cv::Mat c = patchMatchInpaint(r);
    cv::setNumThreads(threads);
    r.seed = 43;
    const cv::Mat d = patchMatchInpaint(r);
    QCOMPARE(cv::norm(a, b, cv::NORM_INF), 0.0);
    QCOMPARE(cv::norm(a, c, cv::NORM_INF), 0.0);
    QVERIFY(cv::norm(a, d, cv::NORM_INF) > 0.0);
  }

  void keepsDetailWhereTeleaSmears() {
    const cv::Mat rgb = photo("starry_night.jpg", 480);
    cv::Mat hole(rgb.size(), CV_8UC1, cv::Scalar(0));
    hole(cv::Rect(rgb.cols / 3, rgb.rows / 3, rgb.cols / 4, rgb.rows / 4)).setTo(255);
    ClassicalInpaintRequest r;
    r.image = rgb;
    r.mask = hole;
    r.growPx = 0;
    r.featherPx = 0;
    r.method = ClassicalInpaintMethod::PatchMatch;
    const double pm = scoreFill(rgb, runClassicalInpaint(r).composite, hole).detail;
    r.method = ClassicalInpaintMethod::Telea;
    const double telea = scoreFill(rgb, runClassicalInpaint(r).composite, hole).detail;
    std::printf("detail ratio in a %dx%d hole: PatchMatch %.2f, Telea %.2f\n", rgb.cols / 4, rgb.rows / 4, pm, telea);
    QVERIFY2(pm >= 0.7 && pm > 4.0 * telea, (std::to_string(pm) + " vs " + std::to_string(telea)).c_str());
  }

  void badRequestsAreNamed() {
    cv::Mat img(100, 100, CV_8UC3, cv::Scalar(1, 2, 3)), m(100, 100, CV_8UC1, cv::Scalar(0));
    m(cv::Rect(40, 40, 10, 10)).setTo(255);
    PatchMatchInpaintRequest r;
    r.image = img;
    r.mask = m;
    auto error = [](PatchMatchInpaintRequest q) { return errorOf([&] { patchMatchInpaint(q); }); };
    PatchMatchInpaintRequest q = r;
    q.patchSize = 4;
    QVERIFY2(error(q).find("patch size 4") != std::string::npos, error(q).c_str());
    q = r;
    q.mask = cv::Mat(50, 50, CV_8UC1, cv::Scalar(255));
    QVERIFY2(error(q).find("50x50") != std::string::npos, error(q).c_str());
    q = r;
    q.mask = cv::Mat(100, 100, CV_8UC1, cv::Scalar(0));
    QVERIFY2(error(q).find("nothing is masked") != std::string::npos, error(q).c_str());
    q = r;
    q.keepOut = cv::Mat(100, 100, CV_8UC1, cv::Scalar(255));
    QVERIFY2(error(q).find("source") != std::string::npos, error(q).c_str());
    ClassicalInpaintRequest c;
    c.image = img;
    c.mask = m;
    c.method = ClassicalInpaintMethod::PatchMatch;
    c.keepOut = cv::Mat(10, 10, CV_8UC1, cv::Scalar(0));
    const std::string e = errorOf([&] { validate(c); });
    QVERIFY2(e.find("keep-out") != std::string::npos && e.find("100x100") != std::string::npos, e.c_str());
  }

  void cancelStopsTheFill() {
    const cv::Mat rgb = photo("building.jpg", 640);
    cv::Mat hole(rgb.size(), CV_8UC1, cv::Scalar(0));
    hole(cv::Rect(200, 150, 160, 120)).setTo(255);
    PatchMatchInpaintRequest r;
    r.image = rgb;
    r.mask = hole;
    int calls = 0;
    bool cancelled = false;
    try {
      patchMatchInpaint(r, {}, [&] {
        if (++calls == 3) throw JobCancelled();
      });
    } catch (const JobCancelled&) {
      cancelled = true;
    }
    QVERIFY(cancelled);
    QCOMPARE(calls, 3);
    // Through the job queue: a preview per pyramid level, then cancel ends the job Cancelled.
    ClassicalInpaintRequest c;
    c.image = rgb;
    c.mask = hole;
    c.method = ClassicalInpaintMethod::PatchMatch;
    JobQueue q;
    std::mutex m;
    int previews = 0;
    bool done = false;
    std::vector<JobState> states;
    JobCallbacks cb;
    cb.onPreview = [&](JobId id, const PreviewImage& p) {
      std::lock_guard<std::mutex> l(m);
      ++previews;
      if (p.rgb.empty() || p.rgb.size() != p.placement.size()) previews = -1000;
      q.cancel(id);
    };
    cb.onState = [&](JobId, JobState s) {
      std::lock_guard<std::mutex> l(m);
      states.push_back(s);
    };
    cb.onDone = [&](JobId, const JobResult&) { done = true; };
    q.submit(makeClassicalInpaintJob(c, cb));
    QVERIFY(q.waitIdle(120s));
    QVERIFY(!done);
    QVERIFY(previews >= 1);
    QVERIFY(!states.empty() && states.back() == JobState::Cancelled);
  }

  // An 8000x6000 photo with a 10 % hole, through the job path the editor runs: it completes and
  // its peak memory stays a few times the image's own size. For scale, the editor holding this photo
  // needs its RGBA document (183 MiB), the display copy and one undo copy: some 4-5 image sizes. The
  // fill measured +6.0x the RGB image (822 MiB, 11 s on 2 cores); 8x leaves room for allocator
  // differences and fails a fill that keeps full-size float copies per level (>= 12x).
  void largePhotoFillsWithinAFewImageSizes() {
    cv::Mat rgb = photo("baboon.jpg", 512);
    cv::resize(rgb, rgb, cv::Size(8000, 6000), 0, 0, cv::INTER_CUBIC);
    const cv::Mat hole = makeHole(rgb.size(), HoleShape::Blob, 0.10, 7);
    ClassicalInpaintRequest r;
    r.image = rgb;
    r.mask = hole;
    r.method = ClassicalInpaintMethod::PatchMatch;
    r.growPx = 0;
    r.featherPx = 0;
    const double imageMiB = double(rgb.total() * rgb.elemSize()) / (1024.0 * 1024.0);
    const double before = lstest::rssMiB();
    if (!lstest::resetPeakRss()) QSKIP("this kernel cannot reset the peak RSS (/proc/self/clear_refs)");
    const auto t0 = std::chrono::steady_clock::now();
    const ClassicalInpaintOutput out = runClassicalInpaint(r);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double grown = lstest::peakRssMiB() - before;
    std::printf("   8000x6000, 10 %% hole: %.1f s, peak RSS +%.0f MiB = %.1f x the RGB image (%.0f MiB)\n", seconds,
                grown, grown / imageMiB, imageMiB);
    QCOMPARE(out.composite.size(), rgb.size());
    QCOMPARE(changedOutside(out.composite, rgb, hole), 0);
    QVERIFY2(grown <= 8.0 * imageMiB, "the fill needs more than 8 image sizes of memory");
  }
};

QTEST_GUILESS_MAIN(TestPatchMatchInpaint)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_patchmatch_inpaint.moc"
#endif
