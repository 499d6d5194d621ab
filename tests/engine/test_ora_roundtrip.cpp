// LATENTSHOP_TEST_LABELS: io
// OpenRaster round trips: a Latentshop project (layers, offsets, opacity, visibility, kinds, ids,
// parameters, masks, drag points, document metadata) reopens exactly as saved; plain ORA files as
// other editors write them (no Latentshop metadata, nested stacks, RGB/gray PNGs) open as layers;
// saving replaces files atomically.
#include <filesystem>
#include <string>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_project_fixtures.h"
#include "engine/core/error.h"
#include "engine/io/ora_reader.h"
#include "engine/io/ora_writer.h"
#include "engine/io/ora_zip.h"
#include "engine/io/png_text_codec.h"
#include "engine/io/project_edit.h"

using namespace latentshop;
namespace fs = std::filesystem;

namespace {

std::string scratch(const std::string& name) { return lstest::scratchDir() + "/" + name; }

std::vector<std::uint8_t> png(const cv::Mat& m) { return encodePng(m); }

int tempFilesIn(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  return n;
}

}  // namespace

class TestOraRoundtrip : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void roundTripKeepsEverything() {
    const Project p = lstest::sampleProject();
    const std::string path = scratch("sample.ora");
    saveOra(p, path);
    const Project back = loadOra(path);
    const std::string diff = describeProjectDifference(p, back);
    QVERIFY2(diff.empty(), diff.c_str());
    QCOMPARE(back.meta.appVersion, std::string(LATENTSHOP_VERSION));
    // Spot checks on top of the whole-project comparison.
    QCOMPARE(back.layers.size(), size_t(5));
    QCOMPARE(back.layers[1].name, std::string("Résultat <1> & \"quotes\""));
    QCOMPARE(back.layers[1].opacity, 0.6);
    QVERIFY(!back.layers[2].visible);
    QCOMPARE(back.layers[3].x, -5);
    QVERIFY(back.layers[4].rgba.empty());
    QVERIFY(back.layers[1].kind == LayerKind::Result);
    QVERIFY(back.layers[2].kind == LayerKind::Mask);
    QVERIFY(back.layers[3].kind == LayerKind::Annotation);
    QCOMPARE(back.layers[1].params["seed"].get<long long>(), 1234567890123LL);
    QCOMPARE(back.layers[1].params["note"].get<std::string>(), std::string("naïve ✓"));
    QCOMPARE(back.meta.selection, cv::Rect(2, 3, 40, 30));
  }

  void resavingAReopenedProjectKeepsIt() {
    const Project p = lstest::sampleProject();
    saveOra(p, scratch("a.ora"));
    saveOra(loadOra(scratch("a.ora")), scratch("b.ora"), OraWriteOptions{1});
    const std::string diff = describeProjectDifference(p, loadOra(scratch("b.ora")));
    QVERIFY2(diff.empty(), diff.c_str());
  }

  void opacityValuesSurviveExactly() {
    Project p = projectFromImage(lstest::randomImage(8, 8, CV_8UC3, 9));
    const double values[] = {0.0, 1.0, 0.1, 1.0 / 3.0, 0.123456789012345, 0.5, 254.0 / 255.0};
    for (double v : values) {
      ProjectLayer l;
      l.rgba = lstest::randomImage(4, 4, CV_8UC4, 10);
      l.opacity = v;
      p.addLayer(l);
    }
    saveOra(p, scratch("opacity.ora"));
    const Project back = loadOra(scratch("opacity.ora"));
    for (size_t i = 0; i < std::size(values); ++i) QCOMPARE(back.layers[i + 1].opacity, values[i]);
  }

  void plainOraFromOtherEditorsOpens() {
    const std::string path = scratch("krita.ora");
    {
      OraZipWriter zip(path);
      zip.add("mimetype", std::string("image/openraster"), false);
      zip.add("stack.xml", std::string(R"(<?xml version="1.0" encoding="UTF-8"?>
<image w="40" h="30" version="0.0.5" xres="72" yres="72">
 <stack>
  <layer name="top" src="data/a.png" x="3" y="4" opacity="0.5" visibility="hidden" selected="true"/>
  <stack name="group" x="2" y="1" opacity="0.5">
   <layer name="inner" src="data/b.png" x="1" y="1" opacity="0.5" composite-op="svg:multiply"/>
  </stack>
  <text>ignored</text>
  <layer name="bg" src="data/c.png"/>
 </stack>
</image>)"),
              true);
      zip.add("data/a.png", png(lstest::randomImage(5, 6, CV_8UC4, 1)), false);
      zip.add("data/b.png", png(lstest::randomImage(7, 8, CV_8UC1, 2)), false);  // gray
      zip.add("data/c.png", png(lstest::randomImage(30, 40, CV_8UC3, 3)), false);  // RGB, no alpha
      zip.close();
    }
    const Project p = loadOra(path);
    QCOMPARE(p.width, 40);
    QCOMPARE(p.height, 30);
    QCOMPARE(p.layers.size(), size_t(3));
    QCOMPARE(p.layers[0].name, std::string("bg"));
    QCOMPARE(p.layers[1].name, std::string("inner"));
    QCOMPARE(p.layers[2].name, std::string("top"));
    QCOMPARE(p.layers[1].x, 3);
    QCOMPARE(p.layers[1].y, 2);
    QCOMPARE(p.layers[1].opacity, 0.25);
    QCOMPARE(p.layers[1].compositeOp, std::string("svg:multiply"));
    QVERIFY(!p.layers[2].visible);
    QVERIFY(p.layers[0].visible);
    QCOMPARE(p.layers[0].opacity, 1.0);
    for (const auto& l : p.layers) {
      QVERIFY(l.kind == LayerKind::Image);
      QVERIFY(!l.id.empty());
      QVERIFY(l.params.empty());
      QCOMPARE(l.rgba.type(), CV_8UC4);
    }
    QVERIFY(p.layers[0].id != p.layers[1].id && p.layers[1].id != p.layers[2].id);
    QCOMPARE(p.meta.originalLayerId, p.layers[0].id);
    QCOMPARE(p.meta.activeLayerId, p.layers[2].id);
    // Gray and RGB PNGs expand to RGBA exactly.
    const cv::Mat gray = lstest::randomImage(7, 8, CV_8UC1, 2);
    cv::Mat channels[4];
    cv::split(p.layers[1].rgba, channels);
    QCOMPARE(lstest::maxAbsDiff(channels[0], gray), 0);
    QCOMPARE(lstest::maxAbsDiff(channels[2], gray), 0);
    QCOMPARE(cv::countNonZero(channels[3] != 255), 0);
    cv::split(p.layers[0].rgba, channels);
    QCOMPARE(cv::countNonZero(channels[3] != 255), 0);
  }

  void summaryReadsWithoutDecodingLayers() {
    const Project p = lstest::sampleProject();
    saveOra(p, scratch("summary.ora"));
    const OraSummary s = readOraSummary(scratch("summary.ora"));
    QCOMPARE(s.width, 64);
    QCOMPARE(s.height, 48);
    QCOMPARE(s.layerNames.size(), size_t(5));
    QCOMPARE(s.layerNames[0], std::string("Original photo"));
    QCOMPARE(s.layerNames[4], std::string("Empty"));
    QVERIFY(s.latentshopProject);
    QCOMPARE(s.model, p.meta.model);
    QCOMPARE(s.sourcePath, p.meta.sourcePath);
    QCOMPARE(s.appVersion, std::string(LATENTSHOP_VERSION));
    QCOMPARE(s.thumbnail.size(), cv::Size(64, 48));
  }

  void saveReplacesFilesAtomically() {
    const std::string dir = scratch("atomic");
    fs::create_directories(dir);
    const std::string path = dir + "/doc.ora";
    const Project first = lstest::sampleProject();
    saveOra(first, path);
    Project second = projectFromImage(lstest::randomImage(10, 12, CV_8UC3, 77));
    saveOra(second, path);
    QVERIFY(describeProjectDifference(second, loadOra(path)).empty());
    QCOMPARE(tempFilesIn(dir), 0);

    // A save that fails leaves the previous file untouched and no temporary file behind.
    const auto before = lstest::readBytes(path);
    Project invalid = second;
    invalid.layers[0].opacity = 2.0;
    bool threw = false;
    try {
      saveOra(invalid, path);
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), path) && lstest::contains(e.what(), "opacity");
    }
    QVERIFY(threw);
    QVERIFY(lstest::readBytes(path) == before);
    QCOMPARE(tempFilesIn(dir), 0);

    threw = false;
    try {
      saveOra(second, dir + "/no/such/folder/doc.ora");
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "does not exist");
    }
    QVERIFY(threw);
  }

  void editProjectKeepsOriginalMaskPointsAndResult() {
    EditRecord edit;
    edit.original = lstest::randomImage(40, 50, CV_8UC3, 20);
    edit.result = lstest::randomImage(16, 24, CV_8UC3, 21);
    edit.placement = cv::Rect(5, 6, 24, 16);
    edit.mask = cv::Mat::zeros(40, 50, CV_8UC1);
    edit.mask(cv::Rect(8, 9, 10, 10)).setTo(255);
    edit.points = {{{10.f, 12.f}, {20.f, 22.f}}};
    edit.params = {{"method", "drag"}, {"seed", 42}, {"model", "runwayml/sd-1.5"}};
    edit.sourcePath = "/tmp/in.png";
    const std::string path = scratch("edit.ora");
    saveEditProject(path, edit);
    const Project p = loadOra(path);
    QVERIFY(describeProjectDifference(projectFromEdit(edit), p).empty());
    QCOMPARE(p.layers.size(), size_t(4));
    QCOMPARE(p.layers[0].name, std::string("Original"));
    QVERIFY(p.layers[1].kind == LayerKind::Mask && !p.layers[1].visible);
    QVERIFY(p.layers[2].kind == LayerKind::Annotation && !p.layers[2].visible);
    QVERIFY(p.layers[3].kind == LayerKind::Result && p.layers[3].visible);
    QCOMPARE(p.layers[3].name, std::string("Drag"));
    QCOMPARE(p.layers[3].x, 5);
    QCOMPARE(p.layers[3].params["seed"].get<int>(), 42);
    QCOMPARE(lstest::maxAbsDiff(p.layers[3].mask, edit.mask), 0);
    QVERIFY(p.layers[3].points == edit.points);
    QCOMPARE(p.meta.originalLayerId, p.layers[0].id);
    QCOMPARE(p.meta.activeLayerId, p.layers[3].id);
    QCOMPARE(p.meta.model, std::string("runwayml/sd-1.5"));
    QCOMPARE(p.meta.sourcePath, std::string("/tmp/in.png"));
    QCOMPARE(lstest::maxAbsDiff(p.meta.workingMask, edit.mask), 0);
  }
};

QTEST_GUILESS_MAIN(TestOraRoundtrip)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_ora_roundtrip.moc"
#endif
