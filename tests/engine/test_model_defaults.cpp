// A model folder's latentshop.json (engine/io/model_defaults.h): read when present, nothing for a
// folder without one or a single file, and a clear message naming the file for bad content; the CLI
// takes its guidance unless --guidance is given.
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "engine/core/error.h"
#include "engine/io/model_defaults.h"
#include "support/testing.h"
#include "support/test_paths.h"
#include "support/cli_run.h"
#include "support/error_text.h"

using namespace latentshop;
namespace fs = std::filesystem;

namespace {

std::string folderWith(const std::string& name, const std::string& json) {
  const fs::path dir = fs::path(lstest::scratchDir()) / name;
  fs::create_directories(dir);
  if (!json.empty()) std::ofstream(dir / kModelDefaultsFile) << json;
  return dir.string();
}

}  // namespace

class TestModelDefaults : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void readsGuidance() {
    const auto d = readModelDefaults(folderWith("good", R"({"_comment": "x", "guidance_scale": 4, "image_guidance_scale": 1.25})"));
    QVERIFY(d.guidanceScale && d.imageGuidanceScale);
    QCOMPARE(*d.guidanceScale, 4.0);
    QCOMPARE(*d.imageGuidanceScale, 1.25);
    QVERIFY(d.source.find(kModelDefaultsFile) != std::string::npos);
  }
  void nothingWithoutTheFile() {
    const auto d = readModelDefaults(folderWith("none", ""));
    QVERIFY(!d.guidanceScale && !d.imageGuidanceScale && d.source.empty());
    QVERIFY(!readModelDefaults("/no/such/model.safetensors").guidanceScale);
    QVERIFY(!readModelDefaults("").guidanceScale);
  }
  void badFilesNameTheFileAndTheProblem() {
    const std::pair<const char*, const char*> cases[] = {
        {"{\"guidance_scale\": ", "not valid JSON"},
        {"[1, 2]", "JSON object"},
        {R"({"guidance": 4})", "unknown setting 'guidance'"},
        {R"({"guidance_scale": "high"})", "'guidance_scale' must be a number"},
        {R"({"image_guidance_scale": 80})", "from 0 to 50"}};
    int i = 0;
    for (const auto& [json, expected] : cases) {
      const std::string folder = folderWith("bad" + std::to_string(i++), json);
      const std::string message = lstest::errorOf([&] { readModelDefaults(folder); });
      QVERIFY2(lstest::contains(message, std::string(kModelDefaultsFile)), message.c_str());
      QVERIFY2(lstest::contains(message, expected), message.c_str());
      std::string problem;
      QVERIFY(!readModelDefaultsOrNone(folder, &problem).guidanceScale);
      QCOMPARE(problem, message);
    }
  }
  // The CLI starts from the model's guidance; --guidance / --text-guidance still win. Runs the
  // built-in demo models (32 px, 2 steps: seconds).
  void cliUsesTheModelsGuidanceUnlessGiven() {
    const std::string demo = std::string(LATENTSHOP_SOURCE_DIR) + "/models/demo/";
    const std::string photo = std::string(LATENTSHOP_SHARED_DIR) + "/testdata/photos/fruits.jpg";
    const std::string out = lstest::scratchDir() + "/cli.png", json = lstest::scratchDir() + "/cli.json";
    auto guidance = [&](const std::string& args, const char* key) -> double {
      const auto run = lstest::runCli(args + " --image '" + photo + "' --steps 2 --out '" + out + "' --json '" + json + "'");
      if (run.status != 0) {
        qWarning("%s", run.err.c_str());
        return -1.0;
      }
      std::ifstream in(json);
      return nlohmann::json::parse(in).at(key).get<double>();
    };
    const double recommended = *readModelDefaults(demo + "inpaint").guidanceScale;
    const std::string inpaint = "inpaint --model '" + demo + "inpaint' --mask '" + lstest::scratchDir() + "/mask.png' --prompt 'a red square'";
    {
      const cv::Mat photoImage = cv::imread(photo);
      QVERIFY(!photoImage.empty());
      cv::Mat full(photoImage.size(), CV_8UC1, cv::Scalar(0));
      full(cv::Rect(10, 10, 40, 40)).setTo(255);
      QVERIFY(cv::imwrite(lstest::scratchDir() + "/mask.png", full));
    }
    QCOMPARE(guidance(inpaint, "guidance_scale"), recommended);
    QCOMPARE(guidance(inpaint + " --guidance 6", "guidance_scale"), 6.0);
    const std::string instruct = "instruct --model '" + demo + "instruct' --instruction 'make it grayscale'";
    QCOMPARE(guidance(instruct, "guidance_scale"), *readModelDefaults(demo + "instruct").guidanceScale);
    QCOMPARE(guidance(instruct, "image_guidance_scale"), *readModelDefaults(demo + "instruct").imageGuidanceScale);
    QCOMPARE(guidance(instruct + " --text-guidance 6.5", "guidance_scale"), 6.5);
  }
};

QTEST_GUILESS_MAIN(TestModelDefaults)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_model_defaults.moc"
#endif
