// LATENTSHOP_TEST_LABELS: drag;models
// DragDiffusion on a real photo (../shared/testdata/photos/fruits.jpg) with the SD1.5-shaped tiny
// model: the motion-supervision loss falls and the tracked handle moves toward its target; outside
// the movable region the latent moves far less than inside (the mask term's reach, measured against
// the same drag without a mask); the whole job — LoRA (trained, then from the memory cache, then from
// the disk cache in a fresh cache: no training steps), inversion, drag with previews, denoise, paste
// back with the pixels outside the movable region bit-identical — and Stop / Cancel.
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_drag_support.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/image_io.h"
#include "engine/models/clip_text_model_prompts.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/pipelines/drag_ddim.h"
#include "engine/pipelines/drag_geometry.h"
#include "engine/pipelines/drag_job.h"
#include "engine/pipelines/drag_lora.h"
#include "engine/pipelines/drag_update.h"
#include "engine/runtime/model_cache.h"

using namespace latentshop;
namespace fs = std::filesystem;

namespace {

std::string& modelFolder() {
  static std::string folder = lstest::makeDragModelFolder("drag-tiny-model");
  return folder;
}

// The pieces of the drag on a 64×64 version of the photo (latent 32×32, grid 32×32).
struct Setup {
  std::shared_ptr<StableDiffusionModel> model;
  torch::Tensor emb, xt;
  int64_t t = 0;
  DDIMScheduler scheduler = makeDragScheduler(50);
};

Setup& setup() {
  static Setup s = [] {
    Setup x;
    ModelLoadOptions o;
    x.model = loadStableDiffusion(modelFolder(), o);
    cv::Mat photo = readImageRgb(lstest::photoPath("fruits.jpg")), work;
    cv::resize(photo, work, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
    torch::NoGradGuard noGrad;
    x.emb = encodePrompts(*x.model->tokenizer, x.model->textEncoder, {"a photo of fruits"}).embeddings;
    const auto x0 = x.model->vae->scaleLatents(x.model->vae->encode(rgbToUnitTensor(work)).mean);
    const auto inv = invertForDrag(*x.model->unet, x.scheduler, x0, x.emb, 35);
    x.xt = inv.latent;
    x.t = inv.t;
    return x;
  }();
  return s;
}

DragUpdateResult drag(const torch::Tensor& maskSup, int64_t steps) {
  auto& s = setup();
  DragUpdateOptions o;
  o.steps = steps;
  o.lr = 0.05;
  o.supH = o.supW = 32;
  o.featureIdx = {3};
  o.record = true;
  torch::AutoGradMode grad(true);
  return dragDiffusionUpdate(*s.model->unet, s.scheduler, s.xt, s.emb, s.t, torch::tensor({{12.0f, 10.0f}}),
                             torch::tensor({{12.0f, 20.0f}}), maskSup, o);
}

DragRequest photoRequest() {
  DragRequest r;
  r.image = readImageRgb(lstest::photoPath("fruits.jpg"));  // 512 × 480
  r.points = {{{200.0f, 220.0f}, {236.0f, 228.0f}}};
  r.mask = cv::Mat(r.image.size(), CV_8UC1, cv::Scalar(0));
  cv::circle(r.mask, cv::Point(220, 224), 40, cv::Scalar(255), cv::FILLED);
  r.prompt = "a photo of fruits";
  r.modelPath = modelFolder();
  r.params.loraSteps = 2;
  r.params.loraBatchSize = 1;
  r.params.dragSteps = 3;
  r.params.inferenceSteps = 10;
  r.params.workingSize = 64;
  return r;
}

struct Recorder {
  std::vector<std::string> stages;
  int trainingSteps = 0;
  int previews = 0;
  PreviewImage lastPreview;
  std::function<void(const PreviewImage&)> onPreview;
  JobCallbacks callbacks() {
    JobCallbacks c;
    c.onProgress = [this](JobId, const JobProgress& p) {
      if (stages.empty() || stages.back() != p.stage) stages.push_back(p.stage);
      if (p.stage == "Training LoRA" && p.step > 0) ++trainingSteps;
    };
    c.onPreview = [this](JobId, const PreviewImage& p) {
      ++previews;
      lastPreview = p;
      if (onPreview) onPreview(p);
    };
    return c;
  }
};

}  // namespace

class TestDragPhoto : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void lossFallsAndHandleMoves();
  void maskKeepsTheOutside();
  void jobWithLoraCache();
  void stopKeepsTheDragSoFar();
  void cancelThrows();
};

void TestDragPhoto::initTestCase() {
  configureTorchThreads();
  setup();
}

void TestDragPhoto::lossFallsAndHandleMoves() {
  const auto r = drag(torch::zeros({1, 1, 32, 32}), 12);
  const auto& losses = r.record.losses;
  QVERIFY(!losses.empty());
  std::string trace;
  for (double l : losses) trace += std::to_string(l) + " ";
  std::printf("  losses: %s\n  handle [12, 10] -> [%g, %g], target [12, 20]\n", trace.c_str(),
              r.handles[0][0].item<double>(), r.handles[0][1].item<double>());
  const double lastThree = (losses[losses.size() - 1] + losses[losses.size() - 2] + losses[losses.size() - 3]) / 3.0;
  QVERIFY2(lastThree < losses.front(), trace.c_str());
  const double before = 10.0;  // |[12, 10] - [12, 20]|
  const double after = (r.handles[0] - torch::tensor({12.0f, 20.0f})).norm().item<double>();
  QVERIFY2(after < before, ("tracked handle did not approach the target: " + std::to_string(after)).c_str());
}

void TestDragPhoto::maskKeepsTheOutside() {
  auto mask = torch::zeros({1, 1, 32, 32});
  mask.slice(2, 6, 19).slice(3, 6, 25).fill_(1.0);  // around the handle and the target
  const int64_t steps = 8;
  const auto masked = drag(mask, steps);
  const auto free = drag(torch::zeros({1, 1, 32, 32}), steps);
  const auto outside = (1.0 - masked.record.maskLatent);  // latent-resolution mask (nearest)
  auto meanChange = [&](const torch::Tensor& latent, const torch::Tensor& where) {
    return ((latent - setup().xt).abs() * where).sum().item<double>() / (where.sum().item<double>() * 4.0);
  };
  const double outMasked = meanChange(masked.latent, outside), outFree = meanChange(free.latent, outside);
  const double inMasked = meanChange(masked.latent, 1.0 - outside);
  const double maxOut = ((masked.latent - setup().xt).abs() * outside).max().item<double>();
  std::printf("  mean |Δlatent| outside: %.3g with the mask term, %.3g without; inside %.3g; max outside %.3g (Adam bound %.3g)\n",
              outMasked, outFree, inMasked, maxOut, steps * 0.05);
  // Adam moves an element by at most ~lr per step; the mask term keeps the outside well below that
  // and below both the unmasked drag and the inside.
  QVERIFY(maxOut <= steps * 0.05 * 1.05);
  QVERIFY2(outMasked < 0.5 * outFree, "the mask term did not hold the outside back");
  QVERIFY2(outMasked < inMasked, "the outside moved as much as the movable region");
}

void TestDragPhoto::jobWithLoraCache() {
  const std::string cacheDir = lstest::scratchDir() + "/drag-lora-cache";
  auto r = photoRequest();
  r.loraCacheDir = cacheDir;
  r.saveLoraFile = lstest::scratchDir() + "/drag-lora-saved.safetensors";
  ModelCache models(2);
  CancelToken token;
  Recorder rec1;
  const auto cb1 = rec1.callbacks();
  JobContext job1(1, token, models, cb1);
  const JobResult first = runDragJob(job1, r);
  QCOMPARE(first.params["lora"]["source"].get<std::string>(), std::string("trained"));
  QCOMPARE(first.params["lora"]["steps_run"].get<int>(), 2);
  QCOMPARE(rec1.trainingSteps, 2);
  QCOMPARE(rec1.previews, first.params["drag"]["steps_run"].get<int>());
  QVERIFY(rec1.lastPreview.placement == first.placement);
  QCOMPARE(rec1.lastPreview.points.size(), std::size_t{1});
  QCOMPARE(rec1.lastPreview.targets.size(), std::size_t{1});
  QVERIFY(fs::exists(r.saveLoraFile));
  QCOMPARE(static_cast<int>(std::distance(fs::directory_iterator(cacheDir), fs::directory_iterator())), 1);
  // The result covers its placement; outside the paste alpha the pixels are the input's.
  QCOMPARE(first.image.size(), first.placement.size());
  QVERIFY((first.placement & cv::Rect(0, 0, 512, 480)) == first.placement);
  cv::Mat full = r.image.clone();
  first.image.copyTo(full(first.placement));
  cv::Mat diff;
  cv::absdiff(full, r.image, diff);
  cv::Mat changed;
  cv::cvtColor(diff, changed, cv::COLOR_RGB2GRAY);
  const int grow = first.params["region"]["paste_grow"].get<int>(), feather = first.params["region"]["paste_feather"].get<int>();
  cv::Mat reach;
  cv::dilate(r.mask, reach, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * (grow + feather) + 3, 2 * (grow + feather) + 3)));
  QCOMPARE(cv::countNonZero(changed & (reach == 0)), 0);
  QVERIFY(cv::countNonZero(changed) > 0);

  // Second drag, same image/prompt/model: the LoRA comes from memory, no training stage.
  Recorder rec2;
  const auto cb2 = rec2.callbacks();
  JobContext job2(2, token, models, cb2);
  const JobResult second = runDragJob(job2, r);
  QCOMPARE(second.params["lora"]["source"].get<std::string>(), std::string("cache"));
  QCOMPARE(rec2.trainingSteps, 0);
  QVERIFY(std::find(rec2.stages.begin(), rec2.stages.end(), "Training LoRA") == rec2.stages.end());
  QVERIFY(second.params["lora"]["key"] == first.params["lora"]["key"]);
  // Same inputs, same LoRA: the same result.
  QCOMPARE(cv::norm(second.image, first.image, cv::NORM_INF), 0.0);

  // A fresh process (empty memory cache) finds it on disk.
  ModelCache fresh(2);
  Recorder rec3;
  const auto cb3 = rec3.callbacks();
  JobContext job3(3, token, fresh, cb3);
  const JobResult third = runDragJob(job3, r);
  QCOMPARE(third.params["lora"]["source"].get<std::string>(), std::string("cache"));
  QCOMPARE(rec3.trainingSteps, 0);
  QCOMPARE(cv::norm(third.image, first.image, cv::NORM_INF), 0.0);

  // The saved file gives the same LoRA; another prompt misses the cache.
  auto fromFile = r;
  fromFile.loraFile = r.saveLoraFile;
  fromFile.saveLoraFile.clear();
  const JobCallbacks none;
  JobContext job4(4, token, models, none);
  const JobResult fourth = runDragJob(job4, fromFile);
  QCOMPARE(fourth.params["lora"]["source"].get<std::string>(), std::string("file"));
  QCOMPARE(cv::norm(fourth.image, first.image, cv::NORM_INF), 0.0);
  auto other = r;
  other.prompt = "a painting of fruits";
  other.saveLoraFile.clear();
  JobContext job5(5, token, models, none);
  QCOMPARE(runDragJob(job5, other).params["lora"]["source"].get<std::string>(), std::string("trained"));
}

void TestDragPhoto::stopKeepsTheDragSoFar() {
  auto r = photoRequest();
  r.params.loraSteps = 0;
  r.params.dragSteps = 10;
  ModelCache models(2);
  CancelToken token;
  Recorder rec;
  rec.onPreview = [&](const PreviewImage&) { token.requestStop(); };
  const auto cb = rec.callbacks();
  JobContext job(1, token, models, cb);
  const JobResult result = runDragJob(job, r);
  QCOMPARE(result.params["drag"]["steps_run"].get<int>(), 1);
  QVERIFY(result.params["drag"]["stopped"].get<bool>());
  QCOMPARE(result.params["lora"]["source"].get<std::string>(), std::string("none"));
  QVERIFY(!result.image.empty());
  QVERIFY(std::find(rec.stages.begin(), rec.stages.end(), "Denoising") != rec.stages.end());
}

void TestDragPhoto::cancelThrows() {
  auto r = photoRequest();
  r.params.loraSteps = 0;
  r.params.dragSteps = 10;
  ModelCache models(2);
  CancelToken token;
  Recorder rec;
  rec.onPreview = [&](const PreviewImage&) { token.cancel(); };
  const auto cb = rec.callbacks();
  JobContext job(1, token, models, cb);
  bool cancelled = false;
  try {
    runDragJob(job, r);
  } catch (const JobCancelled&) {
    cancelled = true;
  }
  QVERIFY(cancelled);
  QCOMPARE(rec.previews, 1);
  QVERIFY(std::find(rec.stages.begin(), rec.stages.end(), "Denoising") == rec.stages.end());
}

QTEST_GUILESS_MAIN(TestDragPhoto)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_drag_photo.moc"
#endif
