// LATENTSHOP_TEST_LABELS: io
// The Project structure: validation messages, ids, comparison, image conversion, and building a
// project from one edit (what `--project P.ora` writes) with its error cases.
#include <cmath>
#include <functional>
#include <string>

#include "support/testing.h"
#include "test_project_fixtures.h"
#include "engine/core/error.h"
#include "engine/io/project.h"
#include "engine/io/project_edit.h"

using namespace latentshop;

namespace {

std::string validationError(const Project& p) {
  try {
    validateProject(p, "doc.ora");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string editError(const EditRecord& e) {
  try {
    projectFromEdit(e);
  } catch (const Error& err) {
    return err.what();
  }
  return "";
}

EditRecord inpaintEdit() {
  EditRecord e;
  e.original = lstest::randomImage(30, 40, CV_8UC3, 1);
  e.result = lstest::randomImage(30, 40, CV_8UC3, 2);
  e.mask = cv::Mat(30, 40, CV_8UC1, cv::Scalar(0));
  e.params = {{"method", "inpaint"}, {"prompt", "a wooden bench in a park"}, {"model", "sd-inpaint"}};
  return e;
}

}  // namespace

class TestProjectModel : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void sampleIsValid() { QCOMPARE(validationError(lstest::sampleProject()), std::string()); }

  void validationNamesTheFault() {
    struct Case {
      std::function<void(Project&)> breakIt;
      std::string expect;
    };
    const std::vector<Case> cases = {
        {[](Project& p) { p.width = 0; }, "doc.ora: canvas size 0x48 is outside"},
        {[](Project& p) { p.layers[2].id = "original"; }, "doc.ora: layer 2 'Mask': id 'original' is used by another layer"},
        {[](Project& p) { p.layers[1].id.clear(); }, "empty id"},
        {[](Project& p) { p.layers[1].opacity = -0.1; }, "opacity -0.100000 is outside 0..1"},
        {[](Project& p) { p.layers[1].rgba = cv::Mat(2, 2, CV_8UC3); }, "pixels must be 8-bit RGBA"},
        {[](Project& p) { p.layers[1].mask = cv::Mat(4, 4, CV_8UC1); }, "4x4 mask does not match the 64x48 canvas"},
        {[](Project& p) { p.layers[1].mask = cv::Mat(48, 64, CV_32F); }, "mask must be 8-bit single-channel"},
        {[](Project& p) { p.layers[1].points[0].target.x = NAN; }, "drag point 0 is not a finite coordinate"},
        {[](Project& p) { p.layers[1].params = nlohmann::json::array(); }, "parameters must be a JSON object"},
        {[](Project& p) { p.meta.originalLayerId = "nope"; }, "original layer 'nope' does not exist"},
        {[](Project& p) { p.meta.workingMask = cv::Mat(1, 1, CV_8UC1); }, "working mask: 1x1 mask does not match"},
        {[](Project& p) { p.meta.extra = 3; }, "extra metadata must be a JSON object"},
    };
    for (const Case& c : cases) {
      Project p = lstest::sampleProject();
      c.breakIt(p);
      const std::string message = validationError(p);
      QVERIFY2(lstest::contains(message, c.expect), (message + " / expected: " + c.expect).c_str());
    }
  }

  void idsAreFreshAndLayersFindable() {
    Project p = projectFromImage(lstest::randomImage(4, 4, CV_8UC3, 1));
    QCOMPARE(p.layers[0].id, std::string("original"));
    QCOMPARE(p.meta.originalLayerId, std::string("original"));
    QCOMPARE(p.original(), &p.layers[0]);
    ProjectLayer a;
    a.id = "layer-2";
    p.addLayer(a);
    const std::string id = p.addLayer(ProjectLayer{}).id;
    QVERIFY(id != "layer-2" && id != "original" && !id.empty());
    QCOMPARE(p.layerIndex(id), 2);
    QVERIFY(p.findLayer("missing") == nullptr);
    QVERIFY(p.findLayer("layer-2") == &p.layers[1]);
  }

  void differencesAreDescribed() {
    const Project a = lstest::sampleProject();
    QCOMPARE(describeProjectDifference(a, a), std::string());
    Project b = a;
    b.layers[1].params["seed"] = 1;
    QVERIFY(lstest::contains(describeProjectDifference(a, b), "parameters"));
    b = lstest::sampleProject();
    b.layers[3].rgba.at<cv::Vec4b>(0, 0)[0] ^= 1;
    QVERIFY(lstest::contains(describeProjectDifference(a, b), "layer 3 'Notes': pixels differ"));
    b = lstest::sampleProject();
    b.meta.workingPoints.clear();
    QVERIFY(lstest::contains(describeProjectDifference(a, b), "working points"));
  }

  void imagesBecomeRgba() {
    const cv::Mat gray = lstest::randomImage(3, 3, CV_8UC1, 1);
    const cv::Mat rgba = toRgba(gray);
    QCOMPARE(rgba.type(), CV_8UC4);
    QCOMPARE(rgba.at<cv::Vec4b>(1, 1), cv::Vec4b(gray.at<uchar>(1, 1), gray.at<uchar>(1, 1), gray.at<uchar>(1, 1), 255));
    const cv::Mat rgb = lstest::randomImage(3, 3, CV_8UC3, 2);
    const cv::Vec3b px = rgb.at<cv::Vec3b>(2, 0);
    QCOMPARE(toRgba(rgb).at<cv::Vec4b>(2, 0), cv::Vec4b(px[0], px[1], px[2], 255));  // no channel swap
    bool threw = false;
    try {
      toRgba(cv::Mat(2, 2, CV_16UC3), "photo.tif");
    } catch (const Error& e) {
      threw = lstest::contains(e.what(), "photo.tif: expected 8-bit pixels");
    }
    QVERIFY(threw);
  }

  void editBecomesLayers() {
    EditRecord e = inpaintEdit();
    const Project p = projectFromEdit(e);
    QCOMPARE(p.layers.size(), size_t(3));  // original, mask, result (no points)
    QCOMPARE(p.layers[2].name, std::string("Inpaint: a wooden bench in a park"));
    QCOMPARE(p.layers[2].params, e.params);
    QCOMPARE(p.meta.model, std::string("sd-inpaint"));
    QCOMPARE(lstest::maxAbsDiff(p.layers[1].mask, e.mask), 0);

    e.params = {{"method", "telea"}, {"variant", "navier-stokes"}};
    QCOMPARE(projectFromEdit(e).layers[2].name, std::string("Telea (navier-stokes)"));
    e.params = nlohmann::json::object();
    QCOMPARE(projectFromEdit(e).layers[2].name, std::string("Result"));
    e.resultName = "Mine";
    QCOMPARE(projectFromEdit(e).layers[2].name, std::string("Mine"));
    e.mask = cv::Mat();
    QCOMPARE(projectFromEdit(e).layers.size(), size_t(2));

    // An RGBA result at a placement keeps its alpha and position.
    EditRecord crop = inpaintEdit();
    crop.result = lstest::randomImage(10, 12, CV_8UC4, 3);
    crop.placement = cv::Rect(20, 15, 12, 10);
    const Project c = projectFromEdit(crop);
    QCOMPARE(c.layers.back().x, 20);
    QCOMPARE(c.layers.back().y, 15);
    QCOMPARE(lstest::maxAbsDiff(c.layers.back().rgba, crop.result), 0);
  }

  void editErrors() {
    EditRecord e = inpaintEdit();
    e.result = lstest::randomImage(10, 10, CV_8UC3, 4);
    QVERIFY(lstest::contains(editError(e), "edit result: 10x10 does not match the 40x30 image"));
    e = inpaintEdit();
    e.mask = cv::Mat(5, 5, CV_8UC1);
    QVERIFY(lstest::contains(editError(e), "edit mask: 5x5 does not match the 40x30 image"));
    e = inpaintEdit();
    e.placement = cv::Rect(0, 0, 5, 5);
    QVERIFY(lstest::contains(editError(e), "does not match the 5x5 placement"));
    e = inpaintEdit();
    e.original = cv::Mat();
    QVERIFY(lstest::contains(editError(e), "empty image"));
  }
};

QTEST_GUILESS_MAIN(TestProjectModel)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_project_model.moc"
#endif
