// LATENTSHOP_TEST_LABELS: demo;models
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp
// The built-in demo models (models/demo, trained by `latentshop-cli train all`, issue 10) do what
// they were trained for, through the same pipelines and loader users use, on scenes of the kind
// they were trained on (32×32, their working size). Every figure is printed; the README quotes them.
//  - inpaint (9-channel): a hole over the background is filled with the background's colour, mean
//    colour error at most half that of filling it with noise.
// Not here yet (issue 10 stays open): the committed weights do not yet paint "a green square", move
// a dragged circle or recolour it by instruction; those checks return when the models do.
#include <cstdio>
#include <filesystem>
#include <string>

#include <opencv2/core.hpp>

#include "engine/sd_tiny_model.h"
#include "support/testing.h"
#include "engine/core/threads.h"
#include "engine/pipelines/sd_inpaint.h"
#include "engine/training/demo_scenes.h"

using namespace latentshop;
using namespace latentshop::training;

namespace {

constexpr int kSize = 32;

std::string demo(const std::string& kind) { return std::string(LATENTSHOP_SOURCE_DIR) + "/models/demo/" + kind; }

cv::Mat scene(BackgroundKind bg, int bgColour, const std::vector<SceneShape>& shapes, int bgColour2 = 7) {
  Scene s;
  s.background = bg;
  s.colour1 = bgColour;
  s.colour2 = bgColour2;
  s.shapes = shapes;
  return renderScene(s, kSize, PhotoPool());
}

int colourIndex(const char* name) {
  for (std::size_t i = 0; i < namedColours().size(); ++i)
    if (std::string(namedColours()[i].name) == name) return static_cast<int>(i);
  return -1;
}

cv::Mat rectMask(cv::Rect r) {
  cv::Mat m(kSize, kSize, CV_8UC1, cv::Scalar(0));
  m(r).setTo(255);
  return m;
}

// Mean over the mask of the per-channel absolute difference to `colour`, in [0, 1].
double colourError(const cv::Mat& img, const cv::Mat& mask, cv::Vec3b colour) {
  double sum = 0.0;
  int n = 0;
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) {
      if (!mask.at<uchar>(y, x)) continue;
      const auto p = img.at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) sum += std::abs(p[c] - colour[c]) / 255.0;
      n += 3;
    }
  return sum / std::max(n, 1);
}

SdInpaintRequest inpaintRequest(const cv::Mat& image, const cv::Mat& mask, const std::string& prompt, uint64_t seed) {
  SdInpaintRequest r;
  r.image = image;
  r.mask = mask;
  r.model.path = demo("inpaint");
  r.model.device = "cpu";
  r.prompt = prompt;
  r.steps = 20;
  r.seed = seed;
  r.featherPx = 0;
  return r;
}

}  // namespace

class TestDemoModels : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QVERIFY2(std::filesystem::exists(demo("plain") + "/model_index.json"), "models/demo is missing");
  }
  void inpaintFillsAHoleWithTheBackground();
};

void TestDemoModels::inpaintFillsAHoleWithTheBackground() {
  const char* backgrounds[] = {"blue", "yellow", "white", "purple", "orange", "gray"};
  const cv::Mat hole = rectMask({17, 9, 11, 14});
  double model = 0.0, noise = 0.0;
  int i = 0;
  for (const char* bg : backgrounds) {
    const int c = colourIndex(bg);
    const int shapeColour = colourIndex(c == colourIndex("white") ? "red" : "white");
    const cv::Mat img = scene(BackgroundKind::Solid, c, {{"circle", shapeColour, {0.28f, 0.5f}, 0.18f}});
    lstest::TestJob job;
    const std::string prompt = std::string("a ") + namedColours()[shapeColour].name + " circle on a " + bg + " background";
    const auto out = runSdInpaint(inpaintRequest(img, hole, prompt, 10 + i++), *job.context);
    const auto colour = namedColours()[c].rgb;
    const double e = colourError(out.composite, hole, colour);
    // The noise-only baseline: the hole filled with uniform noise.
    cv::Mat noisy = img.clone(), rnd(img.size(), CV_8UC3);
    cv::RNG rng(i);
    rng.fill(rnd, cv::RNG::UNIFORM, 0, 256);
    rnd.copyTo(noisy, hole);
    const double b = colourError(noisy, hole, colour);
    std::printf("   hole on %-6s: colour error %.3f (noise %.3f, ratio %.2f)\n", bg, e, b, e / b);
    model += e;
    noise += b;
  }
  model /= std::size(backgrounds);
  noise /= std::size(backgrounds);
  std::printf("   inpaint hole colour error: %.3f mean, noise-only baseline %.3f (ratio %.2f, must be <= 0.5)\n", model,
              noise, model / noise);
  QVERIFY2(model <= 0.5 * noise, qPrintable(QString::number(model / noise)));
}

QTEST_GUILESS_MAIN(TestDemoModels)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_demo_models.moc"
#endif
