// LATENTSHOP_TEST_LABELS: pipelines
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp
// SD inpainting end to end on tiny random models saved as diffusers folders and loaded by the
// users' loader: the 9-channel pipeline and the blended-latent one (its invariant checked at every
// step), every scheduler (deterministic, finite, right shapes), strength, seeds (same seed = same
// pixels, another seed = other pixels), soft masks (alpha 0 keeps the original bit for bit),
// previews and progress once per step, cancel within one step, bf16, and the errors a user can
// hit (wrong model kind, missing components, bad options).
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "sd_tiny_model.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/image_io.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/pipelines/sd_inpaint.h"
#include "engine/pipelines/sd_inpaint_denoise.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/pipelines/sd_step_reporter.h"

using namespace latentshop;

namespace {

cv::Mat photo(cv::Size size) {
  cv::Mat rgb = readImageRgb(lstest::photoPath("fruits.jpg"));
  cv::resize(rgb, rgb, size, 0, 0, cv::INTER_AREA);
  return rgb;
}

// A hard disc with a soft rim (values 1..254 outside it).
cv::Mat discMask(cv::Size size, cv::Point centre, int radius, int rim = 6) {
  cv::Mat m(size, CV_8UC1, cv::Scalar(0));
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      const double d = std::hypot(x - centre.x, y - centre.y);
      if (d <= radius) m.at<uchar>(y, x) = 255;
      else if (d < radius + rim) m.at<uchar>(y, x) = static_cast<uchar>(254.0 * (1.0 - (d - radius) / rim));
    }
  return m;
}

SdInpaintRequest request(const std::string& folder, cv::Size size = {96, 72}) {
  SdInpaintRequest r;
  r.image = photo(size);
  r.mask = discMask(size, {size.width / 2, size.height / 2}, size.height / 4);
  r.model.path = folder;
  r.model.device = "cpu";
  r.prompt = "a red apple on a wooden table";
  r.negativePrompt = "blurry";
  r.steps = 4;
  r.seed = 42;
  return r;
}

std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

int differingPixels(const cv::Mat& a, const cv::Mat& b, const cv::Mat& where = cv::Mat()) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  cv::Mat any;
  cv::transform(diff, any, cv::Matx13f(1, 1, 1));
  if (!where.empty()) any.setTo(0, where == 0);
  return cv::countNonZero(any);
}

}  // namespace

class TestSdInpaint : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void inpaintingModelEndToEnd();
  void sameSeedSameResult();
  void blendedLatentInvariantAtEveryStep();
  void everySchedulerRuns();
  void strengthBelowOne();
  void contentAwarePrefill();
  void softMaskKeepsTheRest();
  void cancelWithinOneStep();
  void bfloat16Runs();
  void userErrors();
  void previewBudget();

private:
  std::string inpaintFolder_, plainFolder_, instructFolder_;
};

void TestSdInpaint::initTestCase() {
  configureTorchThreads();
  inpaintFolder_ = lstest::makeRandomSdFolder("sd_inpaint_random", "inpainting", 11);
  plainFolder_ = lstest::makeRandomSdFolder("sd_plain_random", "plain", 12);
  instructFolder_ = lstest::makeRandomSdFolder("sd_instruct_random", "instruct", 13);
}

void TestSdInpaint::inpaintingModelEndToEnd() {
  lstest::TestJob job;
  const SdInpaintRequest r = request(inpaintFolder_);
  const SdInpaintResult out = runSdInpaint(r, *job.context);
  QCOMPARE(out.composite.size(), r.image.size());
  QCOMPARE(out.composite.type(), CV_8UC3);
  // 96x72 exceeds the tiny model's 32x32 budget: processed at 36x26 (multiples of its VAE factor 2).
  QCOMPARE(out.generated.size(), cv::Size(36, 26));
  QCOMPARE(out.params["width"].get<int>(), 36);
  // 96x72 scaled into the budget is 36x27; the height was rounded to the VAE's multiple, and the
  // parameters say so.
  QCOMPARE(out.params["size_multiple"].get<int>(), 2);
  QCOMPARE(out.params["size_rounded_from"].get<std::string>(), std::string("36x27"));
  QCOMPARE(out.params["variant"].get<std::string>(), std::string("sd-inpainting"));
  // The model's own scheduler (SD 1.5's PNDM, skip_prk_steps) ran, so there is nothing to note.
  QCOMPARE(out.params["scheduler_class"].get<std::string>(), std::string("PNDMScheduler"));
  QVERIFY(!out.params.contains("scheduler_note"));
  for (const char* key : {"prompt", "negative_prompt", "seed", "steps", "guidance_scale", "strength", "model", "method"})
    QVERIFY2(out.params.contains(key), key);
  QCOMPARE(out.params["seed"].get<uint64_t>(), uint64_t{42});
  // One progress report and one preview per model call (4 PNDM steps = 5 calls: the PLMS warm-up
  // evaluates its second timestep twice); previews cover the edited region.
  QCOMPARE(job.denoisingSteps(), 5);
  QCOMPARE(static_cast<int>(job.previews.size()), 5);
  for (int i = 0; i < 5; ++i) {
    QCOMPARE(job.previews[i].step, i + 1);
    QCOMPARE(job.previews[i].total, 5);
    QCOMPARE(job.previews[i].rgb.size(), cv::Size(36, 26));
    QCOMPARE(job.previews[i].placement, cv::Rect(0, 0, 96, 72));
  }
  QVERIFY(job.progress.back().etaSeconds >= 0);
  // Pixels outside the mask's soft rim + feather keep their values; the masked disc changed.
  cv::Mat outside = discMask(r.image.size(), {48, 36}, 18, 6 + r.featherPx + 2) == 0;
  QCOMPARE(differingPixels(out.composite, r.image, outside), 0);
  QVERIFY(differingPixels(out.composite, r.image) > 100);
  // The layer (RGBA over the placement) drawn over the original gives the composite.
  QCOMPARE(out.rgba.type(), CV_8UC4);
  QCOMPARE(out.rgba.size(), out.placement.size());
  QVERIFY((out.placement & cv::Rect(0, 0, 96, 72)) == out.placement);
}

void TestSdInpaint::sameSeedSameResult() {
  lstest::TestJob a, b, c;
  SdInpaintRequest r = request(inpaintFolder_);
  const auto first = runSdInpaint(r, *a.context);
  const auto second = runSdInpaint(r, *b.context);
  QCOMPARE(differingPixels(first.composite, second.composite), 0);
  QVERIFY(first.params == second.params);
  r.seed = 43;
  const auto third = runSdInpaint(r, *c.context);
  QVERIFY(differingPixels(first.generated, third.generated) > 0);
}

void TestSdInpaint::blendedLatentInvariantAtEveryStep() {
  // diffusers' 4-channel branch: after every step, outside the mask the latents are exactly the
  // image latents re-noised to the next timestep (the clean image latents after the last step).
  ModelLoadOptions o;
  const auto model = loadStableDiffusion(plainFolder_, o);
  QCOMPARE(model->unetKind, UnetKind::Plain);
  const auto image = normalizeImage(rgbToTensor01(photo({32, 24})));
  auto mask = torch::zeros({1, 1, 24, 32});
  mask.index_put_({0, 0, torch::indexing::Slice(6, 18), torch::indexing::Slice(8, 22)}, 1.0);
  for (const std::string choice : {"ddim", "euler", "euler-a", "dpmpp2m-karras"}) {
    auto sched = makePipelineScheduler(model->schedulerConfig, choice);
    InpaintDenoiseInput in;
    in.image = image;
    in.mask = mask;
    in.promptEmbeds = encodeSdPrompt(*model, "a cat").embeddings;
    in.negativePromptEmbeds = encodeSdPrompt(*model, "").embeddings;
    in.steps = 5;
    in.strength = choice == "ddim" ? 0.8 : 1.0;
    auto gen = makeCpuGenerator(7);
    in.noiseImagePosterior = torch::randn({1, 4, 12, 16}, gen);
    in.noiseLatents = torch::randn({1, 4, 12, 16}, gen);
    in.generator = makeCpuGenerator(8);
    std::vector<torch::Tensor> latents;
    const auto out = runInpaintDenoise(*model, *sched.scheduler, in, [&](const DenoiseStep& s) { latents.push_back(s.latents); });
    QCOMPARE(static_cast<int64_t>(latents.size()), out.timesteps.size(0));
    const auto keep = 1 - out.maskLatent;  // 1 outside the mask
    QVERIFY(keep.sum().item<double>() > 0 && out.maskLatent.sum().item<double>() > 0);
    for (size_t i = 0; i < latents.size(); ++i) {
      torch::Tensor expected = out.imageLatents;
      if (i + 1 < latents.size()) {
        expected = sched.scheduler->addNoise(out.imageLatents, in.noiseLatents, out.timesteps.slice(0, i + 1, i + 2));
      }
      const bool same = torch::equal(latents[i] * keep, expected * keep);
      QVERIFY2(same, (choice + " step " + std::to_string(i)).c_str());
    }
    QVERIFY(torch::isfinite(out.decoded).all().item<bool>());
  }
}

void TestSdInpaint::everySchedulerRuns() {
  for (const auto& [id, label] : sdSchedulerChoices()) {
    SdInpaintRequest r = request(inpaintFolder_, {32, 32});
    r.scheduler = id;
    r.steps = 3;
    lstest::TestJob a, b;
    const auto first = runSdInpaint(r, *a.context);
    const auto second = runSdInpaint(r, *b.context);
    const std::string what = id + ": not deterministic";
    QVERIFY2(differingPixels(first.generated, second.generated) == 0, what.c_str());
    QCOMPARE(first.generated.size(), cv::Size(32, 32));
    // One report per model call: PNDM's PLMS warm-up makes 3 steps 4 calls ("default" is the
    // tiny model's SD 1.5 scheduler config, PNDM too).
    QCOMPARE(a.denoisingSteps(), id == "pndm" || id == "default" ? 4 : 3);
    QCOMPARE(first.params["scheduler"].get<std::string>(), id);
  }
}

void TestSdInpaint::strengthBelowOne() {
  lstest::TestJob job;
  SdInpaintRequest r = request(inpaintFolder_);
  r.steps = 10;
  r.strength = 0.5;
  r.scheduler = "ddim";
  const auto out = runSdInpaint(r, *job.context);
  QCOMPARE(job.denoisingSteps(), 5);  // get_timesteps: int(10 * 0.5) steps
  QCOMPARE(static_cast<int>(job.previews.size()), 5);
  QCOMPARE(out.params["strength"].get<double>(), 0.5);
  r.strength = 0.05;  // int(10 * 0.05) = 0 steps
  const auto none = errorOf([&] {
    lstest::TestJob j;
    runSdInpaint(r, *j.context);
  });
  QVERIFY2(has(none, "strength") && has(none, "no step"), none.c_str());
}

// With strength < 1 the model starts from the encoded image: the pre-fill replaces what was
// painted over (magenta here) by texture from around it, so the result differs inside the mask,
// never outside the pasted region, and the parameters say so.
void TestSdInpaint::contentAwarePrefill() {
  SdInpaintRequest r = request(inpaintFolder_);
  r.steps = 4;
  r.strength = 0.5;
  r.scheduler = "ddim";
  r.image.setTo(cv::Scalar(255, 0, 255), r.mask > 127);  // something unlike its surroundings
  lstest::TestJob a, b;
  const auto plain = runSdInpaint(r, *a.context);
  r.prefill = true;
  const auto filled = runSdInpaint(r, *b.context);
  QCOMPARE(plain.params["prefill"].get<std::string>(), std::string("none"));
  QCOMPARE(filled.params["prefill"].get<std::string>(), std::string("content-aware"));
  QVERIFY(differingPixels(plain.composite, filled.composite, r.mask > 127) > 0);
  cv::Mat outside(r.image.size(), CV_8UC1, cv::Scalar(255));
  outside(filled.placement).setTo(0);
  QCOMPARE(differingPixels(filled.composite, r.image, outside), 0);
}

void TestSdInpaint::softMaskKeepsTheRest() {
  lstest::TestJob job;
  SdInpaintRequest r = request(plainFolder_, {40, 30});
  r.featherPx = 0;
  r.mask = cv::Mat(30, 40, CV_8UC1, cv::Scalar(0));
  r.mask(cv::Rect(10, 8, 12, 10)).setTo(255);
  r.mask(cv::Rect(22, 8, 6, 10)).setTo(100);  // soft: blended, not repainted
  const auto out = runSdInpaint(r, *job.context);
  QCOMPARE(out.params["variant"].get<std::string>(), std::string("sd-blended"));
  QCOMPARE(differingPixels(out.composite, r.image, r.mask == 0), 0);
  QCOMPARE(out.placement, cv::Rect(10, 8, 18, 10));
  // Where alpha is 1 the composite is the generated (resized) pixel; where ~0.39 a blend of both.
  const cv::Vec3b o = r.image.at<cv::Vec3b>(12, 24), c = out.composite.at<cv::Vec3b>(12, 24);
  const cv::Vec4b g = out.rgba.at<cv::Vec4b>(12 - 8, 24 - 10);
  QCOMPARE(int(g[3]), 100);
  for (int k = 0; k < 3; ++k) QVERIFY(std::abs(c[k] - (o[k] * 155 + g[k] * 100) / 255.0) <= 1.0);
}

void TestSdInpaint::cancelWithinOneStep() {
  lstest::TestJob job;
  job.onStep = [&](int step) {
    if (step == 2) job.token.cancel();
  };
  SdInpaintRequest r = request(inpaintFolder_);
  r.steps = 20;
  bool cancelled = false;
  try {
    runSdInpaint(r, *job.context);
  } catch (const JobCancelled&) {
    cancelled = true;
  }
  QVERIFY(cancelled);
  // Cancelled while step 2 was reported: the run stops right there (no step 3).
  QCOMPARE(job.denoisingSteps(), 2);
  QCOMPARE(static_cast<int>(job.previews.size()), 1);  // step 2's preview is dropped once cancelled
}

void TestSdInpaint::bfloat16Runs() {
  lstest::TestJob job;
  SdInpaintRequest r = request(inpaintFolder_, {32, 32});
  r.model.dtype = "bf16";
  const auto out = runSdInpaint(r, *job.context);
  QCOMPARE(out.params["dtype"].get<std::string>(), std::string("bf16"));
  QCOMPARE(out.generated.size(), cv::Size(32, 32));
  QCOMPARE(job.denoisingSteps(), 5);  // 4 PNDM steps (the model's own scheduler) = 5 model calls
}

void TestSdInpaint::userErrors() {
  lstest::TestJob job;
  SdInpaintRequest r = request(instructFolder_);
  std::string e = errorOf([&] { runSdInpaint(r, *job.context); });
  QVERIFY2(has(e, "InstructPix2Pix") && has(e, "inpainting needs"), e.c_str());

  // A folder without its VAE: the loader names the component.
  const std::string broken = lstest::makeRandomSdFolder("sd_no_vae", "inpainting", 3);
  std::filesystem::remove_all(std::filesystem::path(broken) / "vae");
  r = request(broken);
  e = errorOf([&] {
    lstest::TestJob j;
    runSdInpaint(r, *j.context);
  });
  QVERIFY2(has(e, "vae"), e.c_str());
  const SdModelCheck check = checkStableDiffusionModel(r.model);
  QVERIFY(!check.ok);
  QVERIFY2(has(check.message, "vae"), check.message.c_str());
  const SdModelCheck good = checkStableDiffusionModel(request(inpaintFolder_).model);
  QVERIFY2(good.ok, good.message.c_str());
  QCOMPARE(good.kind, std::string("inpainting"));
  QVERIFY(kindProblem(SdTool::Inpaint, "plain", "m").empty());
  QVERIFY(has(kindProblem(SdTool::Drag, "inpainting", "m"), "drag editing needs"));

  r = request(inpaintFolder_);
  r.mask.setTo(0);
  e = errorOf([&] { validate(r); });
  QVERIFY2(has(e, "mask") && has(e, "nothing to repaint"), e.c_str());
  r = request(inpaintFolder_);
  r.scheduler = "lms";
  e = errorOf([&] { validate(r); });
  QVERIFY2(has(e, "'lms'"), e.c_str());
  r = request(inpaintFolder_);
  r.mask = cv::Mat(10, 10, CV_8UC1, cv::Scalar(255));
  e = errorOf([&] { validate(r); });
  QVERIFY2(has(e, "10x10") && has(e, "96x72"), e.c_str());
  r = request(inpaintFolder_);
  r.strength = 0;
  QVERIFY(has(errorOf([&] { validate(r); }), "strength"));
}


namespace {

// A preview decoder that takes 20 ms and records the latent sizes it was given.
class SlowDecoder : public PreviewDecoder {
public:
  std::vector<int64_t> widths;
  std::string name() const override { return "slow"; }
  cv::Mat decode(const torch::Tensor& latents, cv::Size size) override {
    widths.push_back(latents.size(3));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return cv::Mat(size, CV_8UC3, cv::Scalar(1, 2, 3));
  }
};

}  // namespace

void TestSdInpaint::previewBudget() {
  // Steps far faster than the preview: the reporter pools the latents by 2, then 4, and stops there;
  // every step still gets a preview of the full size.
  lstest::TestJob job;
  auto decoder = std::make_shared<SlowDecoder>();
  SdStepReporter reporter(*job.context, decoder, cv::Rect(10, 20, 512, 512), cv::Size(512, 512));
  reporter.begin(5);
  auto observer = reporter.observer();
  for (int i = 0; i < 5; ++i) {
    DenoiseStep s;
    s.index = i;
    s.total = 5;
    s.predOriginal = torch::randn({1, 4, 64, 64});
    observer(s);
  }
  QCOMPARE(decoder->widths, (std::vector<int64_t>{64, 32, 16, 16, 16}));
  QCOMPARE(reporter.previewStride(), 4);
  QCOMPARE(int(job.previews.size()), 5);
  QCOMPARE(job.previews.back().rgb.size(), cv::Size(512, 512));
  QCOMPARE(job.previews.back().placement, cv::Rect(10, 20, 512, 512));
  // The linear projection is never pooled.
  lstest::TestJob job2;
  SdStepReporter linear(*job2.context, std::make_shared<LinearPreviewDecoder>(), cv::Rect(0, 0, 64, 64), cv::Size(64, 64));
  linear.begin(2);
  auto observe = linear.observer();
  for (int i = 0; i < 2; ++i) observe(DenoiseStep{i, 2, torch::tensor(1), torch::randn({1, 4, 8, 8}), torch::Tensor()});
  QCOMPARE(linear.previewStride(), 1);
}

QTEST_GUILESS_MAIN(TestSdInpaint)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_sd_inpaint.moc"
#endif
