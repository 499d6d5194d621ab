// LATENTSHOP_TEST_LABELS: drag
// The drag edit's bookkeeping: the point-list syntax of the CLI, request validation (points outside
// the image, masks of another size), the work region (whole small images, snapped crops around the
// points on large photos, sizes in multiples of 8), run_drag's point conversion (round half to
// even) and back, the paste-back alpha (exactly 0 outside the grown movable region and at inner crop
// edges), and the feature-patch helpers at the borders.
#include <string>

#include "support/error_text.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/pipelines/drag_geometry.h"
#include "engine/pipelines/drag_request.h"
#include "engine/pipelines/drag_tracking.h"

using namespace latentshop;
using lstest::errorOf;
using lstest::contains;

namespace {

DragRequest request(int w, int h) {
  DragRequest r;
  r.image = cv::Mat(h, w, CV_8UC3, cv::Scalar(10, 20, 30));
  r.points = {{{10.0f, 10.0f}, {20.0f, 15.0f}}};
  r.modelPath = "model";
  return r;
}

}  // namespace

class TestDragGeometry : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void parsesPointLists();
  void rejectsBadPointLists();
  void validatesRequests();
  void smallImagesUseTheWholeImage();
  void largeImagesUseASnappedCrop();
  void pointConversion();
  void pasteAlpha();
  void featurePatchBorders();
  void motionLossSkipsArrivedPoints();
};

void TestDragGeometry::parsesPointLists() {
  const auto p = parseDragPoints(" 101,80>131,91 ; 170.5, 178 > 149,150; ");
  QCOMPARE(p.size(), std::size_t{2});
  QCOMPARE(p[0].handle, cv::Point2f(101.0f, 80.0f));
  QCOMPARE(p[0].target, cv::Point2f(131.0f, 91.0f));
  QCOMPARE(p[1].handle, cv::Point2f(170.5f, 178.0f));
  QCOMPARE(p[1].target, cv::Point2f(149.0f, 150.0f));
  QCOMPARE(formatDragPoints(p), std::string("101,80>131,91;170.5,178>149,150"));
  QVERIFY(parseDragPoints(formatDragPoints(p)) == p);
}

void TestDragGeometry::rejectsBadPointLists() {
  QVERIFY(contains(errorOf([] { parseDragPoints(""); }), "empty"));
  QVERIFY(contains(errorOf([] { parseDragPoints(" ; ;"); }), "empty"));
  for (const char* bad : {"1,2>3", "1,2", "a,b>c,d", "1,2>3,4>5,6", "1;2>3,4", "1,2,3>4,5", "1,2>3,nan"}) {
    const auto msg = errorOf([bad] { parseDragPoints(bad); });
    QVERIFY2(contains(msg, "is not \"x,y>x,y\""), (std::string(bad) + " -> " + msg).c_str());
  }
  const auto msg = errorOf([] { parseDragPoints("1,2>3,4;5,6>x"); });
  QVERIFY2(contains(msg, "pair 2") && contains(msg, "5,6>x"), msg.c_str());
}

void TestDragGeometry::validatesRequests() {
  QVERIFY(errorOf([] { validateDragRequest(request(64, 48)); }).empty());
  auto r = request(64, 48);
  r.points.push_back({{63.5f, 47.9f}, {64.0f, 10.0f}});
  auto msg = errorOf([&] { validateDragRequest(r); });
  QVERIFY2(contains(msg, "target of pair 2 (64, 10) lies outside the 64x48 image"), msg.c_str());
  r = request(64, 48);
  r.points[0].handle = {-1.0f, 3.0f};
  QVERIFY(contains(errorOf([&] { validateDragRequest(r); }), "handle of pair 1"));
  r = request(64, 48);
  r.points.clear();
  QVERIFY(contains(errorOf([&] { validateDragRequest(r); }), "no drag points"));
  r = request(64, 48);
  r.mask = cv::Mat(48, 63, CV_8UC1, cv::Scalar(0));
  msg = errorOf([&] { validateDragRequest(r); });
  QVERIFY2(contains(msg, "mask is 63x48 but the image is 64x48"), msg.c_str());
  r = request(64, 48);
  r.params.inversionStrength = 1.5;
  QVERIFY(contains(errorOf([&] { validateDragRequest(r); }), "inversion strength"));
  r = request(64, 48);
  r.modelPath.clear();
  QVERIFY(contains(errorOf([&] { validateDragRequest(r); }), "no model"));
}

void TestDragGeometry::smallImagesUseTheWholeImage() {
  const auto r = chooseDragRegion({600, 400}, cv::Mat(), {{{10, 10}, {30, 30}}}, 512);
  QVERIFY(r.wholeImage());
  QCOMPARE(r.work, cv::Size(512, 344));  // 400 · 512 / 600 = 341.3 → nearest multiple of 8
  const auto up = chooseDragRegion({256, 200}, cv::Mat(), {{{10, 10}, {30, 30}}}, 512);
  QCOMPARE(up.work, cv::Size(512, 400));
  const auto tiny = chooseDragRegion({256, 256}, cv::Mat(), {{{10, 10}, {30, 30}}}, 32);
  QVERIFY(!tiny.wholeImage());  // 256 > 1.5 · 32: a crop at the tiny model's resolution
  QCOMPARE(tiny.work, cv::Size(32, 32));
  // Round trip of the coordinates.
  const cv::Point2f p(123.25f, 77.5f);
  const auto back = r.toDocument(r.toWork(p));
  QVERIFY(std::abs(back.x - p.x) < 1e-3f && std::abs(back.y - p.y) < 1e-3f);
}

void TestDragGeometry::largeImagesUseASnappedCrop() {
  const cv::Size image(3000, 2000);
  const std::vector<DragPoint> pts = {{{1500, 1000}, {1560, 1020}}};
  const auto a = chooseDragRegion(image, cv::Mat(), pts, 512);
  QVERIFY(!a.wholeImage());
  QCOMPARE(a.crop.width, 512);
  QCOMPARE(a.crop.height, 512);
  QCOMPARE(a.work, cv::Size(512, 512));
  QVERIFY(a.crop.contains(cv::Point(1500, 1000)) && a.crop.contains(cv::Point(1560, 1020)));
  QCOMPARE(a.crop.x % 128, 0);  // on the quarter-side grid
  // Moving the points a little keeps the crop (and so the cached LoRA).
  const auto b = chooseDragRegion(image, cv::Mat(), {{{1510, 995}, {1570, 1030}}}, 512);
  QCOMPARE(b.crop, a.crop);
  // A larger movable region gives the next size on the √2 ladder, containing all of it.
  cv::Mat mask(image, CV_8UC1, cv::Scalar(0));
  mask(cv::Rect(1300, 800, 400, 300)).setTo(255);
  const auto c = chooseDragRegion(image, mask, pts, 512);
  QCOMPARE(c.crop.width, 724);
  QVERIFY((c.crop & cv::Rect(1300, 800, 400, 300)) == cv::Rect(1300, 800, 400, 300));
  QCOMPARE(c.work, cv::Size(512, 512));
  // At the image border the crop stays inside the image.
  const auto d = chooseDragRegion(image, cv::Mat(), {{{5, 5}, {40, 60}}}, 512);
  QCOMPARE(d.crop.x, 0);
  QCOMPARE(d.crop.y, 0);
  // A region larger than the image's short side: the crop is clipped to the image.
  cv::Mat tall(cv::Size(1000, 800), CV_8UC1, cv::Scalar(0));
  tall(cv::Rect(100, 0, 700, 800)).setTo(255);
  const auto e = chooseDragRegion({1000, 800}, tall, {{{300, 300}, {350, 320}}}, 512);
  QCOMPARE(e.crop, cv::Rect(0, 0, 1000, 800));
  QVERIFY((e.crop & cv::Rect(0, 0, 1000, 800)) == e.crop);
  QCOMPARE(e.work.width % 8, 0);
  QCOMPARE(e.work.height % 8, 0);
}

void TestDragGeometry::pointConversion() {
  const cv::Size work(256, 256), grid = dragSupervisionSize(work);
  QCOMPARE(grid, cv::Size(128, 128));
  // run_drag: round([y / 256 · 128, x / 256 · 128]), half to even.
  auto g = workPointToGrid({101, 80}, work, grid);
  QCOMPARE(g[0], 40.0f);
  QCOMPARE(g[1], 50.0f);  // 50.5 → 50
  g = workPointToGrid({131, 91}, work, grid);
  QCOMPARE(g[0], 46.0f);  // 45.5 → 46
  QCOMPARE(g[1], 66.0f);
  g = workPointToGrid({103, 80}, work, grid);
  QCOMPARE(g[1], 52.0f);  // 51.5 → 52
  g = workPointToGrid({255, 255}, work, grid);  // 127.5 → 128: clamped into the grid
  QCOMPARE(g[0], 127.0f);
  QCOMPARE(g[1], 127.0f);
  const auto back = gridToWorkPoint(46.0f, 66.0f, work, grid);
  QCOMPARE(back, cv::Point2f(132.0f, 92.0f));
  // Odd work sizes: int(0.5 · size).
  QCOMPARE(dragSupervisionSize({344, 512}), cv::Size(172, 256));
}

void TestDragGeometry::pasteAlpha() {
  DragRegion whole;
  whole.image = {200, 100};
  whole.crop = {0, 0, 200, 100};
  whole.work = {512, 256};
  cv::Mat a = dragPasteAlpha(whole, cv::Mat(), 8, 16);
  QCOMPARE(cv::countNonZero(a != 1.0f), 0);
  cv::Mat mask(100, 200, CV_8UC1, cv::Scalar(0));
  mask(cv::Rect(80, 30, 40, 40)).setTo(1);  // any non-zero value is movable
  a = dragPasteAlpha(whole, mask, 4, 6);
  QCOMPARE(a.at<float>(50, 100), 1.0f);
  QCOMPARE(a.at<float>(50, 80 - 4), 1.0f);       // grown
  QVERIFY(a.at<float>(50, 80 - 6) < 1.0f && a.at<float>(50, 80 - 6) > 0.0f);  // feathered
  QCOMPARE(a.at<float>(50, 80 - 4 - 7), 0.0f);   // beyond grow + feather: exactly 0
  QCOMPARE(a.at<float>(5, 5), 0.0f);
  // A crop inside the image fades to 0 at its inner edges, not at the image border.
  DragRegion crop;
  crop.image = {1000, 1000};
  crop.crop = {0, 300, 400, 400};
  crop.work = {512, 512};
  a = dragPasteAlpha(crop, cv::Mat(), 4, 10);
  QCOMPARE(a.at<float>(200, 0), 1.0f);     // left edge = image border
  QCOMPARE(a.at<float>(0, 200), 0.0f);     // top edge inside the image
  QCOMPARE(a.at<float>(200, 399), 0.0f);   // right edge inside the image
  QCOMPARE(a.at<float>(200, 200), 1.0f);
}

void TestDragGeometry::featurePatchBorders() {
  const auto feat = torch::arange(2 * 6 * 6, torch::kFloat).reshape({1, 2, 6, 6});
  // Integral offsets are plain slices.
  auto p = interpolateFeaturePatch(feat, torch::tensor(1.0f), torch::tensor(4.0f), torch::tensor(2.0f), torch::tensor(5.0f));
  QVERIFY(torch::allclose(p, feat.slice(2, 1, 4).slice(3, 2, 5)));
  // Half a cell right: the mean of neighbouring columns.
  p = interpolateFeaturePatch(feat, torch::tensor(1.0f), torch::tensor(4.0f), torch::tensor(2.5f), torch::tensor(5.5f));
  QVERIFY(torch::allclose(p, 0.5 * (feat.slice(2, 1, 4).slice(3, 2, 5) + feat.slice(2, 1, 4).slice(3, 3, 6))));
  // Past the border: the border value repeats (the reference's slicing would fail here).
  p = interpolateFeaturePatch(feat, torch::tensor(-0.5f), torch::tensor(2.5f), torch::tensor(3.5f), torch::tensor(6.5f));
  QCOMPARE(p.sizes().vec(), (std::vector<int64_t>{1, 2, 3, 3}));
  QVERIFY(torch::allclose(p[0][0][0][2], 0.5 * (feat[0][0][0][5] + feat[0][0][0][5])));
}

void TestDragGeometry::motionLossSkipsArrivedPoints() {
  auto feat = torch::randn({1, 4, 16, 16}).requires_grad_(true);
  const auto handles = torch::tensor({{5.0f, 5.0f}, {10.0f, 10.0f}});
  const auto targets = torch::tensor({{5.0f, 9.0f}, {11.0f, 11.0f}});  // the second has arrived (√2 < 2)
  const auto loss = motionSupervisionLoss(feat, handles, targets, 1);
  QCOMPARE(loss.terms.size(), std::size_t{2});
  QVERIFY(loss.terms[0].item<double>() > 0.0);
  QCOMPARE(loss.terms[1].item<double>(), 0.0);
  loss.total.backward();
  // Only the shifted patch receives gradient (the reference patch is detached).
  QVERIFY(feat.grad().abs().sum().item<double>() > 0.0);
  QCOMPARE(feat.grad().slice(2, 9, 12).slice(3, 9, 12).abs().sum().item<double>(), 0.0);
  QVERIFY(!motionSupervisionLoss(feat, targets, targets, 1).total.defined());
}

QTEST_GUILESS_MAIN(TestDragGeometry)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_drag_geometry.moc"
#endif
