// LATENTSHOP_TEST_LABELS: io
// Flatten (normal blend, straight alpha, opacity) on small hand-made cases with known answers, and
// against a direct double-precision implementation of source-over on random layers; the band size
// never changes the result.
#include <cmath>
#include <string>

#include "support/testing.h"
#include "test_project_fixtures.h"
#include "engine/core/error.h"
#include "engine/io/flatten.h"

using namespace latentshop;

namespace {

ProjectLayer solid(int w, int h, cv::Vec4b rgba, int x = 0, int y = 0, double opacity = 1.0) {
  ProjectLayer l;
  l.rgba = cv::Mat(h, w, CV_8UC4, cv::Scalar(rgba[0], rgba[1], rgba[2], rgba[3]));
  l.x = x;
  l.y = y;
  l.opacity = opacity;
  return l;
}

Project canvas(int w, int h) {
  Project p;
  p.width = w;
  p.height = h;
  return p;
}

// Source-over in double precision, pixel by pixel: the reference the float bands must match ±1.
cv::Mat referenceFlatten(const Project& p) {
  cv::Mat out(p.height, p.width, CV_8UC4);
  for (int y = 0; y < p.height; ++y)
    for (int x = 0; x < p.width; ++x) {
      double c[3] = {0, 0, 0}, a = 0;  // premultiplied
      for (const ProjectLayer& l : p.layers) {
        if (!l.visible || l.rgba.empty() || !l.bounds().contains({x, y})) continue;
        const cv::Vec4b s = l.rgba.at<cv::Vec4b>(y - l.y, x - l.x);
        const double sa = s[3] / 255.0 * l.opacity;
        for (int k = 0; k < 3; ++k) c[k] = s[k] / 255.0 * sa + c[k] * (1 - sa);
        a = sa + a * (1 - sa);
      }
      cv::Vec4b& o = out.at<cv::Vec4b>(y, x);
      for (int k = 0; k < 3; ++k) o[k] = a > 0 ? static_cast<uchar>(std::lround(c[k] / a * 255)) : 0;
      o[3] = static_cast<uchar>(std::lround(a * 255));
      if (o[3] == 0) o = cv::Vec4b(0, 0, 0, 0);
    }
  return out;
}

}  // namespace

class TestFlatten : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void opaqueLayerIsCopiedExactly() {
    Project p = projectFromImage(lstest::randomImage(9, 7, CV_8UC3, 1));
    QCOMPARE(lstest::maxAbsDiff(flatten(p), p.layers[0].rgba), 0);
  }

  void noLayersIsTransparent() {
    const cv::Mat out = flatten(canvas(5, 4));
    QCOMPARE(out.size(), cv::Size(5, 4));
    QCOMPARE(cv::countNonZero(out.reshape(1)), 0);
  }

  void opacityBlendsOverTheLayerBelow() {
    Project p = canvas(4, 4);
    p.addLayer(solid(4, 4, {0, 0, 255, 255}));
    p.addLayer(solid(4, 4, {255, 0, 0, 255}, 0, 0, 0.5));
    const cv::Vec4b v = flatten(p).at<cv::Vec4b>(2, 2);
    QCOMPARE(int(v[0]), 128);  // 255·0.5 = 127.5 → rounds to 128
    QCOMPARE(int(v[1]), 0);
    QCOMPARE(int(v[2]), 128);
    QCOMPARE(int(v[3]), 255);
  }

  void hiddenAndTransparentLayersChangeNothing() {
    Project p = projectFromImage(lstest::randomImage(6, 6, CV_8UC3, 2));
    const cv::Mat before = flatten(p);
    ProjectLayer hidden = solid(6, 6, {255, 255, 255, 255});
    hidden.visible = false;
    p.addLayer(hidden);
    p.addLayer(solid(6, 6, {255, 255, 255, 255}, 0, 0, 0.0));
    p.addLayer(solid(6, 6, {255, 255, 255, 0}));
    QCOMPARE(lstest::maxAbsDiff(flatten(p), before), 0);
  }

  void offsetsAndClippingAtTheCanvasEdge() {
    Project p = canvas(10, 8);
    p.addLayer(solid(10, 8, {10, 20, 30, 255}));
    p.addLayer(solid(4, 4, {200, 100, 50, 255}, -2, 6));  // covers x 0..1, y 6..7 only
    p.addLayer(solid(3, 3, {1, 2, 3, 255}, 9, -1));       // covers x 9, y 0..1 only
    const cv::Mat out = flatten(p);
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 10; ++x) {
        cv::Vec4b expect(10, 20, 30, 255);
        if (x <= 1 && y >= 6) expect = cv::Vec4b(200, 100, 50, 255);
        if (x == 9 && y <= 1) expect = cv::Vec4b(1, 2, 3, 255);
        QVERIFY2(out.at<cv::Vec4b>(y, x) == expect, (std::to_string(x) + "," + std::to_string(y)).c_str());
      }
    // A layer entirely outside the canvas changes nothing.
    p.addLayer(solid(5, 5, {9, 9, 9, 255}, 20, 20));
    QCOMPARE(lstest::maxAbsDiff(flatten(p), out), 0);
  }

  void straightAlphaOverTransparency() {
    // A half-transparent layer over nothing keeps its colour and its alpha (times opacity).
    Project p = canvas(3, 3);
    p.addLayer(solid(3, 3, {200, 100, 50, 128}, 0, 0, 0.5));
    const cv::Vec4b v = flatten(p).at<cv::Vec4b>(1, 1);
    QCOMPARE(v, cv::Vec4b(200, 100, 50, 64));  // 128·0.5 = 64
    // Two half-transparent layers: alpha = a1 + a2(1 − a1), colour weighted by contribution.
    p.addLayer(solid(3, 3, {0, 0, 250, 128}));
    const cv::Vec4b w = flatten(p).at<cv::Vec4b>(1, 1);
    const double a1 = 64.0 / 255, a2 = 128.0 / 255, a = a2 + a1 * (1 - a2);
    QCOMPARE(int(w[3]), int(std::lround(a * 255)));
    QCOMPARE(int(w[0]), int(std::lround(200 * a1 * (1 - a2) / a)));
    QCOMPARE(int(w[2]), int(std::lround((250 * a2 + 50 * a1 * (1 - a2)) / a)));
  }

  void matchesTheReferenceOnRandomLayers() {
    Project p = canvas(37, 29);
    p.addLayer(solid(37, 29, {0, 0, 0, 0}));
    for (unsigned i = 0; i < 5; ++i) {
      ProjectLayer l;
      l.rgba = lstest::randomImage(11 + static_cast<int>(i) * 5, 13 + static_cast<int>(i) * 3, CV_8UC4, 40 + i);
      l.x = static_cast<int>(i) * 7 - 5;
      l.y = static_cast<int>(i) * 5 - 3;
      l.opacity = 0.2 + 0.15 * i;
      l.visible = i != 3;
      p.addLayer(l);
    }
    const cv::Mat got = flatten(p), want = referenceFlatten(p);
    QVERIFY(lstest::maxAbsDiff(got, want) <= 1);
  }

  void bandSizeDoesNotChangeTheResult() {
    const Project p = lstest::sampleProject();
    const cv::Mat whole = flatten(p, FlattenOptions{1000});
    for (int rows : {1, 3, 7, 47, 48, 64}) {
      FlattenOptions o;
      o.bandRows = rows;
      QCOMPARE(lstest::maxAbsDiff(flatten(p, o), whole), 0);
      int next = 0;
      flattenBands(
          p,
          [&](int y0, const cv::Mat& band) {
            QCOMPARE(y0, next);
            QVERIFY(band.rows <= rows && band.cols == p.width);
            next += band.rows;
          },
          o);
      QCOMPARE(next, p.height);
    }
  }

  void backgroundShowsThroughTransparency() {
    Project p = canvas(2, 2);
    p.addLayer(solid(1, 2, {0, 0, 0, 255}));
    FlattenOptions white;
    white.background = cv::Vec4b(255, 255, 255, 255);
    const cv::Mat out = flatten(p, white);
    QCOMPARE(out.at<cv::Vec4b>(0, 0), cv::Vec4b(0, 0, 0, 255));
    QCOMPARE(out.at<cv::Vec4b>(0, 1), cv::Vec4b(255, 255, 255, 255));
  }

  void invalidProjectsAreRefused() {
    Project p = canvas(0, 4);
    bool threw = false;
    try {
      flatten(p);
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "canvas size");
    }
    QVERIFY(threw);
  }
};

QTEST_GUILESS_MAIN(TestFlatten)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_flatten.moc"
#endif
