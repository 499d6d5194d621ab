// LATENTSHOP_TEST_LABELS: pipelines
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp
// Instruction editing end to end on a tiny random InstructPix2Pix model saved as a diffusers
// folder: any image size (small images at their own size floored to the VAE factor, larger ones
// fitted to the pixel budget, both returned at the input's size), reproducible seeds, one preview
// and progress report per step, the model's Euler a scheduler, guidance switched off as diffusers
// does, cancel, and the wrong-kind error.
#include <string>

#include <opencv2/imgproc.hpp>

#include "sd_tiny_model.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/image_io.h"
#include "engine/pipelines/sd_instruct.h"

using namespace latentshop;

namespace {

SdInstructRequest request(const std::string& folder, cv::Size size) {
  SdInstructRequest r;
  cv::Mat rgb = readImageRgb(lstest::photoPath("home.jpg"));
  cv::resize(rgb, r.image, size, 0, 0, cv::INTER_AREA);
  r.model.path = folder;
  r.model.device = "cpu";
  r.instruction = "make it snowy";
  r.steps = 4;
  r.seed = 5;
  return r;
}

bool same(const cv::Mat& a, const cv::Mat& b) { return a.size() == b.size() && cv::norm(a, b, cv::NORM_INF) == 0; }

}  // namespace

class TestSdInstruct : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void anyImageSize();
  void reproducibleAndParameters();
  void modelDefaultIsEulerAncestral();
  void guidanceOff();
  void cancelAndWrongKind();

private:
  std::string folder_;
};

void TestSdInstruct::initTestCase() {
  configureTorchThreads();
  // The scheduler timbrooks/instruct-pix2pix ships.
  const nlohmann::json eulerA = {{"_class_name", "EulerAncestralDiscreteScheduler"},
                                 {"beta_end", 0.012},
                                 {"beta_schedule", "scaled_linear"},
                                 {"beta_start", 0.00085},
                                 {"num_train_timesteps", 1000},
                                 {"prediction_type", "epsilon"},
                                 {"steps_offset", 1},
                                 {"trained_betas", nullptr}};
  folder_ = lstest::makeRandomSdFolder("sd_ip2p_random", "instruct", 31, eulerA);
}

void TestSdInstruct::anyImageSize() {
  for (const auto& [size, work] : std::vector<std::pair<cv::Size, cv::Size>>{
           {{31, 17}, {30, 16}},   // small: own size floored to the tiny VAE's factor 2
           {{32, 32}, {32, 32}},   // exactly the budget
           {{120, 45}, {52, 18}}}) {  // large: fitted into 32*32 pixels
    lstest::TestJob job;
    const auto out = runSdInstruct(request(folder_, size), *job.context);
    QCOMPARE(out.image.size(), size);
    QCOMPARE(out.generated.size(), work);
    QCOMPARE(out.params["width"].get<int>(), work.width);
    QVERIFY(out.message.find(size == work ? "own size" : "scaled back") != std::string::npos);
  }
}

void TestSdInstruct::reproducibleAndParameters() {
  lstest::TestJob a, b, c;
  auto r = request(folder_, {40, 30});
  const auto first = runSdInstruct(r, *a.context);
  const auto second = runSdInstruct(r, *b.context);
  QVERIFY(same(first.image, second.image));
  r.seed = 6;
  const auto third = runSdInstruct(r, *c.context);
  QVERIFY(!same(first.generated, third.generated));
  for (const char* key : {"instruction", "guidance_scale", "image_guidance_scale", "seed", "steps", "scheduler", "model",
                          "width", "height", "method"})
    QVERIFY2(first.params.contains(key), key);
  QCOMPARE(first.params["method"].get<std::string>(), std::string("instruct"));
  QCOMPARE(a.denoisingSteps(), 4);
  QCOMPARE(static_cast<int>(a.previews.size()), 4);
  QCOMPARE(a.previews.back().placement, cv::Rect(0, 0, 40, 30));
}

void TestSdInstruct::modelDefaultIsEulerAncestral() {
  lstest::TestJob job;
  const auto out = runSdInstruct(request(folder_, {32, 32}), *job.context);
  QCOMPARE(out.params["scheduler_class"].get<std::string>(), std::string("EulerAncestralDiscreteScheduler"));
  QVERIFY(!out.params.contains("scheduler_note"));
  for (const std::string choice : {"ddim", "dpmpp2m-karras", "euler"}) {
    auto r = request(folder_, {32, 32});
    r.scheduler = choice;
    lstest::TestJob j;
    const auto o = runSdInstruct(r, *j.context);
    QCOMPARE(o.generated.size(), cv::Size(32, 32));
  }
}

void TestSdInstruct::guidanceOff() {
  // guidance <= 1 (or image guidance < 1): one UNet batch item, still a valid result.
  auto r = request(folder_, {32, 32});
  r.textGuidance = 1.0;
  lstest::TestJob job;
  const auto out = runSdInstruct(r, *job.context);
  QCOMPARE(out.image.size(), cv::Size(32, 32));
  r.textGuidance = 7.5;
  r.imageGuidance = 0.5;
  lstest::TestJob job2;
  QCOMPARE(runSdInstruct(r, *job2.context).image.size(), cv::Size(32, 32));
}

void TestSdInstruct::cancelAndWrongKind() {
  lstest::TestJob job;
  job.onStep = [&](int step) {
    if (step == 1) job.token.cancel();
  };
  auto r = request(folder_, {32, 32});
  r.steps = 10;
  bool cancelled = false;
  try {
    runSdInstruct(r, *job.context);
  } catch (const JobCancelled&) {
    cancelled = true;
  }
  QVERIFY(cancelled);
  QCOMPARE(job.denoisingSteps(), 1);

  const std::string inpaint = lstest::makeRandomSdFolder("sd_inpaint_for_instruct", "inpainting", 32);
  std::string message;
  try {
    lstest::TestJob j;
    runSdInstruct(request(inpaint, {32, 32}), *j.context);
  } catch (const Error& e) {
    message = e.what();
  }
  QVERIFY2(message.find("inpainting (9-channel UNet)") != std::string::npos &&
               message.find("instruction editing needs an InstructPix2Pix") != std::string::npos,
           message.c_str());
  r.instruction = "  ";
  message.clear();
  try {
    validate(r);
  } catch (const Error& e) {
    message = e.what();
  }
  QVERIFY2(message.find("instruction") != std::string::npos, message.c_str());
}

QTEST_GUILESS_MAIN(TestSdInstruct)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_sd_instruct.moc"
#endif
