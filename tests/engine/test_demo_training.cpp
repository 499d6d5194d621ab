// LATENTSHOP_TEST_LABELS: training
// LATENTSHOP_TEST_TIMEOUT: 600
// The demo models' training code (engine/training, issue 10), on a few steps of the real recipe:
// the procedural scenes draw what their captions say; a seed gives bit-identical weights; a run
// killed with SIGKILL (the CLI as a child process) resumes from its last checkpoint and ends with
// the same weights as an uninterrupted run; the loss log and curve are written; every stage runs
// in order, refuses to start before the one it needs is finished, and the export is three
// diffusers folders the ordinary loader reads (fp16, 9/8/4-channel UNets, shared parts linked).
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>

#include "support/cli_run.h"
#include "support/error_text.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/training/demo_export.h"
#include "engine/training/demo_scenes.h"
#include "engine/training/demo_trainer.h"
#include "engine/training/loss_curve.h"

using namespace latentshop;
using namespace latentshop::training;
namespace fs = std::filesystem;

namespace {

TrainOptions quick(const std::string& work, const std::string& stage, std::int64_t steps) {
  TrainOptions o;
  o.workDir = work;
  o.stage = stage;
  o.steps = steps;
  o.batch = 2;
  o.seed = 7;
  o.checkpointEvery = 1;
  o.clipVocab = lstest::clipVocabPath();
  o.photoFolders = {lstest::sharedDir() + "/testdata/photos"};
  return o;
}

// Largest |a - b| over every tensor of two checkpoints (they must hold the same names).
double maxDifference(const std::string& a, const std::string& b) {
  SafetensorsFile fa(a), fb(b);
  if (fa.names() != fb.names()) return 1e30;
  double worst = 0.0;
  for (const auto& n : fa.names())
    worst = std::max(worst, (fa.view(n).to(torch::kDouble) - fb.view(n).to(torch::kDouble)).abs().max().item<double>());
  return worst;
}

std::int64_t checkpointStep(const std::string& path) {
  if (!fs::exists(path)) return 0;
  try {
    return std::stoll(SafetensorsFile(path).metadata().at("step"));
  } catch (...) {
    return 0;  // being renamed into place
  }
}

}  // namespace

class TestDemoTraining : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }
  void scenesDrawWhatTheyCaption();
  void sameSeedSameWeights();
  void killedRunResumesExactly();
  void stagesRunInOrderAndExport();
};

void TestDemoTraining::scenesDrawWhatTheyCaption() {
  Scene s;
  s.background = BackgroundKind::Solid;
  s.colour1 = 2;  // blue
  s.shapes.push_back({"circle", 0, {0.3f, 0.5f}, 0.2f});  // red
  s.shapes.push_back({"square", 1, {0.75f, 0.5f}, 0.15f});  // green
  QCOMPARE(caption(s), std::string("a red circle and a green square on a blue background"));
  QCOMPARE(caption(s, false), std::string("a red circle and a green square"));
  const cv::Mat img = renderScene(s, 32, PhotoPool());
  QCOMPARE(img.size(), cv::Size(32, 32));
  const auto at = [&](float x, float y) { return img.at<cv::Vec3b>(cvRound(y * 32), cvRound(x * 32)); };
  QCOMPARE(at(0.3f, 0.5f), namedColour("red").rgb);
  QCOMPARE(at(0.75f, 0.5f), namedColour("green").rgb);
  QCOMPARE(at(0.5f, 0.1f), namedColour("blue").rgb);
  // The shape mask covers the circle and nothing far from it.
  const cv::Mat m = shapeMask(s.shapes[0], 32);
  QCOMPARE(m.at<uchar>(16, 10), uchar(255));
  QCOMPARE(m.at<uchar>(16, 24), uchar(0));

  // Same seed, same scenes; instruction pairs change only what they say.
  std::mt19937_64 a(5), b(5);
  for (int i = 0; i < 20; ++i) QCOMPARE(caption(randomScene(a, PhotoPool())), caption(randomScene(b, PhotoPool())));
  std::mt19937_64 rng(11);
  int recolours = 0, grays = 0, removals = 0;
  for (int i = 0; i < 60; ++i) {
    const auto p = randomInstructPair(rng, PhotoPool(), 32);
    QVERIFY(!p.instruction.empty());
    QCOMPARE(p.before.size(), p.after.size());
    if (p.instruction == "make it grayscale") {
      ++grays;
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          const auto v = p.after.at<cv::Vec3b>(y, x);
          QVERIFY(v[0] == v[1] && v[1] == v[2]);
        }
    } else if (p.instruction.rfind("remove the ", 0) == 0) {
      ++removals;
      QVERIFY(cv::norm(p.before, p.after, cv::NORM_L1) > 0);
    } else {
      ++recolours;
      QVERIFY(cv::norm(p.before, p.after, cv::NORM_L1) > 0);
    }
  }
  QVERIFY(recolours > 0 && grays > 0 && removals > 0);
}

void TestDemoTraining::sameSeedSameWeights() {
  const std::string a = lstest::scratchDir() + "/same_a", b = lstest::scratchDir() + "/same_b";
  const auto ra = trainDemoStage(demoRecipe(), quick(a, "vae", 3));
  const auto rb = trainDemoStage(demoRecipe(), quick(b, "vae", 3));
  QVERIFY(ra.finished && rb.finished);
  QCOMPARE(maxDifference(ra.checkpoint, rb.checkpoint), 0.0);
  // Another seed trains other weights.
  auto other = quick(lstest::scratchDir() + "/same_c", "vae", 3);
  other.seed = 8;
  QVERIFY(maxDifference(ra.checkpoint, trainDemoStage(demoRecipe(), other).checkpoint) > 0.0);
  // The log has a row per step and the curve is a real PNG.
  QCOMPARE(readLossLog(ra.lossLog).size(), std::size_t(3));
  const cv::Mat curve = cv::imread(ra.lossCurve);
  QCOMPARE(curve.size(), cv::Size(800, 400));
}

void TestDemoTraining::killedRunResumesExactly() {
  const std::string straight = lstest::scratchDir() + "/straight", killed = lstest::scratchDir() + "/killed";
  const int steps = 40;
  const std::string common = " train vae --steps " + std::to_string(steps) +
                             " --batch 2 --seed 3 --checkpoint-every 1 --photos '" + lstest::sharedDir() +
                             "/testdata/photos'";
  const auto full = lstest::runCli(common + " --work '" + straight + "'");
  QVERIFY2(full.status == 0, full.err.c_str());

  // The same run, killed (SIGKILL: no chance to clean up) once it has checkpointed a few steps.
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cmd = "exec '" + lstest::cliPath() + "'" + common + " --work '" + killed + "' >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string ckpt = stageCheckpointPath(killed, "vae");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (checkpointStep(ckpt) < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  QVERIFY(WIFSIGNALED(status));
  const auto stoppedAt = checkpointStep(ckpt);
  QVERIFY2(stoppedAt >= 3 && stoppedAt < steps, std::to_string(stoppedAt).c_str());

  const auto resumed = lstest::runCli(common + " --work '" + killed + "'");
  QVERIFY2(resumed.status == 0, resumed.err.c_str());
  QVERIFY2(resumed.out.find("resumed from") != std::string::npos, resumed.out.c_str());
  QCOMPARE(maxDifference(stageCheckpointPath(straight, "vae"), ckpt), 0.0);
  // One loss row per step, none doubled by the redone steps.
  const auto rows = readLossLog((fs::path(killed) / "vae/losses.csv").string());
  QCOMPARE(rows.size(), std::size_t(steps));
  for (std::size_t i = 0; i < rows.size(); ++i) QCOMPARE(rows[i].step, static_cast<std::int64_t>(i + 1));
  QVERIFY(fs::exists(fs::path(killed) / "vae/loss.png"));
}

void TestDemoTraining::stagesRunInOrderAndExport() {
  const std::string work = lstest::scratchDir() + "/chain";
  // A stage that needs an unfinished one says which and how to finish it.
  QVERIFY(lstest::contains(lstest::errorOf([&] { trainDemoStage(demoRecipe(), quick(work, "base", 1)); }),
                           "needs the finished 'vae' stage"));
  QVERIFY(trainDemoStage(demoRecipe(), quick(work, "vae", 2)).finished);
  QVERIFY(trainDemoStage(demoRecipe(), quick(work, "base", 2)).finished);
  QVERIFY(lstest::contains(lstest::errorOf([&] {
                             DemoExportOptions e;
                             e.workDir = work;
                             e.outDir = work + "/out";
                             e.clipVocab = lstest::clipVocabPath();
                             exportDemoModels(demoRecipe(), e);
                           }),
                           "inpaint"));
  QVERIFY(trainDemoStage(demoRecipe(), quick(work, "inpaint", 1)).finished);
  QVERIFY(trainDemoStage(demoRecipe(), quick(work, "instruct", 1)).finished);
  // A different batch cannot resume another's checkpoint.
  auto otherBatch = quick(work, "instruct", 2);
  otherBatch.batch = 3;
  QVERIFY(lstest::contains(lstest::errorOf([&] { trainDemoStage(demoRecipe(), otherBatch); }), "--restart"));

  const auto out = lstest::runCli("train export --work '" + work + "' --out '" + work + "/demo' --clip-vocab '" +
                                  lstest::clipVocabPath() + "'");
  QVERIFY2(out.status == 0, out.err.c_str());
  QVERIFY(fs::is_symlink(work + "/demo/inpaint/vae"));
  const std::pair<const char*, UnetKind> kinds[] = {
      {"plain", UnetKind::Plain}, {"inpaint", UnetKind::Inpainting}, {"instruct", UnetKind::Instruct}};
  for (const auto& [folder, kind] : kinds) {
    const std::string path = work + "/demo/" + folder;
    SafetensorsFile unet(path + "/unet/diffusion_pytorch_model.safetensors");
    QCOMPARE(unet.entry("conv_in.weight").dtypeName, std::string("F16"));
    ModelLoadOptions options;
    const auto model = loadStableDiffusion(path, options);
    QCOMPARE(model->unetKind, kind);
    QVERIFY(model->tokenizer && model->textEncoder && model->vae);
  }
  QVERIFY(fs::exists(work + "/demo/training.json"));
  QVERIFY(fs::exists(work + "/demo/training/base_loss.png"));
}

QTEST_GUILESS_MAIN(TestDemoTraining)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_demo_training.moc"
#endif
