// LATENTSHOP_TEST_LABELS: cli;pipelines
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp
// `latentshop-cli inpaint --model` and `latentshop-cli instruct` on tiny random models saved as
// diffusers folders: the PNG carries the parameters (A1111 `parameters` + `latentshop` chunks), the
// JSON and the layered project hold them, the same seed writes the same pixels, crop to mask works
// on a large photo, --batch makes variations with consecutive seeds, instruct --mask changes only
// the masked region, and a wrong model kind, a missing component or misused options exit 1 with a
// message that says what is wrong.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <QtTest/QtTest>

#include <opencv2/imgproc.hpp>

#include "engine/sd_tiny_model.h"
#include "support/cli_run.h"
#include "support/test_paths.h"
#include "engine/core/threads.h"
#include "engine/io/image_io.h"
#include "engine/io/ora_reader.h"
#include "engine/io/png_parameters.h"

using namespace latentshop;
namespace fs = std::filesystem;

namespace {

std::string readText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string q(const std::string& s) { return "\"" + s + "\""; }
std::string scratch(const std::string& name) { return lstest::scratchDir() + "/" + name; }
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

class TestDiffusionCli : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void inpaintWritesImageParametersAndProject();
  void sameSeedSameFile();
  void cropToMaskOnALargePhoto();
  void instruct();
  void batchAndMaskedInstruct();
  void wrongKindsAndMissingParts();

private:
  std::string inpaint_, instruct_, image_, mask_;
};

void TestDiffusionCli::initTestCase() {
  configureTorchThreads();
  inpaint_ = lstest::makeRandomSdFolder("cli_inpaint", "inpainting", 41);
  instruct_ = lstest::makeRandomSdFolder("cli_instruct", "instruct", 42);
  cv::Mat rgb = readImageRgb(lstest::photoPath("fruits.jpg"));
  cv::resize(rgb, rgb, {160, 120}, 0, 0, cv::INTER_AREA);
  image_ = scratch("photo.png");
  writeImage(image_, rgb);
  cv::Mat mask(120, 160, CV_8UC1, cv::Scalar(0));
  cv::circle(mask, {80, 60}, 25, cv::Scalar(255), cv::FILLED);
  mask_ = scratch("mask.png");
  writeImage(mask_, mask);
}

void TestDiffusionCli::inpaintWritesImageParametersAndProject() {
  const std::string out = scratch("inpainted.png"), json = scratch("inpainted.json"), ora = scratch("inpainted.ora");
  const lstest::CliRun r = lstest::runCli("inpaint --model " + q(inpaint_) + " --image " + q(image_) + " --mask " + q(mask_) +
                    " --prompt \"a green pear\" --negative-prompt blurry --steps 3 --guidance 6 --seed 1234 "
                    "--scheduler euler-a --out " + q(out) + " --json " + q(json) + " --project " + q(ora));
  QVERIFY2(r.status == 0, r.err.c_str());
  QVERIFY2(has(r.out, "Inpainted") && has(r.out, "3 steps"), r.out.c_str());
  const cv::Mat result = readImageRgb(out);
  QCOMPARE(result.size(), cv::Size(160, 120));
  const PngParameters p = readPngParameters(out);
  QVERIFY2(has(p.a1111, "a green pear") && has(p.a1111, "Negative prompt: blurry") && has(p.a1111, "Steps: 3") &&
               has(p.a1111, "Seed: 1234"),
           p.a1111.c_str());
  QCOMPARE(p.params["seed"].get<uint64_t>(), uint64_t{1234});
  QCOMPARE(p.params["scheduler"].get<std::string>(), std::string("euler-a"));
  const auto j = nlohmann::json::parse(readText(json));
  QCOMPARE(j["prompt"].get<std::string>(), std::string("a green pear"));
  QCOMPARE(j["guidance_scale"].get<double>(), 6.0);
  QCOMPARE(j["model"].get<std::string>(), inpaint_);
  const Project project = loadOra(ora);
  QVERIFY(project.layers.size() >= 3);  // original, mask, result
  const auto& top = project.layers.back();
  QCOMPARE(top.params["prompt"].get<std::string>(), std::string("a green pear"));
  QVERIFY2(has(top.name, "a green pear"), top.name.c_str());
}

void TestDiffusionCli::sameSeedSameFile() {
  const std::string a = scratch("seed_a.png"), b = scratch("seed_b.png"), c = scratch("seed_c.png");
  const std::string common = "inpaint --model " + q(inpaint_) + " --image " + q(image_) + " --mask " + q(mask_) +
                             " --prompt apple --steps 2 ";
  QCOMPARE(lstest::runCli(common + "--seed 7 --out " + q(a)).status, 0);
  QCOMPARE(lstest::runCli(common + "--seed 7 --out " + q(b)).status, 0);
  QCOMPARE(lstest::runCli(common + "--seed 8 --out " + q(c)).status, 0);
  QCOMPARE(cv::norm(readImageRgb(a), readImageRgb(b), cv::NORM_INF), 0.0);
  QVERIFY(cv::norm(readImageRgb(a), readImageRgb(c), cv::NORM_INF) > 0.0);
}

void TestDiffusionCli::cropToMaskOnALargePhoto() {
  cv::Mat big = readImageRgb(lstest::photoPath("building.jpg"));
  cv::resize(big, big, {1600, 1200}, 0, 0, cv::INTER_CUBIC);
  const std::string image = scratch("big.jpg"), mask = scratch("big_mask.png"), out = scratch("big_out.png");
  writeImage(image, big);
  const cv::Mat original = readImageRgb(image);  // after JPEG
  cv::Mat m(1200, 1600, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(1000, 300, 60, 40)).setTo(255);
  writeImage(mask, m);
  const lstest::CliRun r = lstest::runCli("inpaint --model " + q(inpaint_) + " --image " + q(image) + " --mask " + q(mask) +
                    " --prompt window --steps 2 --crop-to-mask --padding 20 --feather 4 --out " + q(out));
  QVERIFY2(r.status == 0, r.err.c_str());
  QVERIFY2(has(r.out, "area around the mask"), r.out.c_str());
  const cv::Mat result = readImageRgb(out);
  cv::Mat diff;
  cv::absdiff(result, original, diff);
  cv::Mat outside = diff.clone();
  outside(cv::Rect(980, 280, 100, 80)).setTo(0);  // the padded box
  QCOMPARE(cv::norm(outside, cv::NORM_INF), 0.0);
  QVERIFY(cv::norm(diff, cv::NORM_INF) > 0.0);
}

void TestDiffusionCli::instruct() {
  const std::string out = scratch("instructed.png"), json = scratch("instructed.json");
  const lstest::CliRun r = lstest::runCli("instruct --model " + q(instruct_) + " --image " + q(image_) +
                    " --instruction \"make it snowy\" --steps 3 --text-guidance 5 --image-guidance 1.2 --seed 9 --out " +
                    q(out) + " --json " + q(json));
  QVERIFY2(r.status == 0, r.err.c_str());
  QCOMPARE(readImageRgb(out).size(), cv::Size(160, 120));
  const auto j = nlohmann::json::parse(readText(json));
  QCOMPARE(j["instruction"].get<std::string>(), std::string("make it snowy"));
  QCOMPARE(j["image_guidance_scale"].get<double>(), 1.2);
  QCOMPARE(j["seed"].get<uint64_t>(), uint64_t{9});
  QVERIFY(has(readPngParameters(out).a1111, "make it snowy"));
}

// Issue 19: --batch N writes OUT-1 … OUT-N with consecutive seeds (each the same as a single run
// with its seed), and --mask limits instruct to the white region (outside: the input, bit for bit).
void TestDiffusionCli::batchAndMaskedInstruct() {
  const std::string out = scratch("batch.png"), json = scratch("batch.json");
  lstest::CliRun r = lstest::runCli("inpaint --model " + q(inpaint_) + " --image " + q(image_) + " --mask " + q(mask_) +
                                    " --prompt apple --steps 2 --seed 7 --batch 3 --out " + q(out) + " --json " + q(json));
  QVERIFY2(r.status == 0, r.err.c_str());
  for (int i = 1; i <= 3; ++i) {
    const std::string file = scratch("batch-" + std::to_string(i) + ".png");
    QVERIFY2(fs::exists(file), file.c_str());
    const auto j = nlohmann::json::parse(readText(scratch("batch-" + std::to_string(i) + ".json")));
    QCOMPARE(j["seed"].get<uint64_t>(), uint64_t(6 + i));
  }
  QVERIFY(!fs::exists(out));
  // Variation 1 is the single run with seed 7 (sameSeedSameFile's "seed_a"), variation 2 another.
  const std::string single = scratch("batch_single.png");
  QCOMPARE(lstest::runCli("inpaint --model " + q(inpaint_) + " --image " + q(image_) + " --mask " + q(mask_) +
                          " --prompt apple --steps 2 --seed 8 --out " + q(single)).status, 0);
  QCOMPARE(cv::norm(readImageRgb(scratch("batch-2.png")), readImageRgb(single), cv::NORM_INF), 0.0);
  QVERIFY(cv::norm(readImageRgb(scratch("batch-1.png")), readImageRgb(single), cv::NORM_INF) > 0.0);
  r = lstest::runCli("inpaint --image " + q(image_) + " --mask " + q(mask_) + " --batch 2 --out " + q(out));
  QCOMPARE(r.status, 1);
  QVERIFY2(has(r.err, "--batch"), r.err.c_str());

  const std::string masked = scratch("masked_instruct.png");
  r = lstest::runCli("instruct --model " + q(instruct_) + " --image " + q(image_) + " --mask " + q(mask_) +
                     " --feather 4 --instruction \"make it red\" --steps 2 --seed 3 --batch 2 --out " + q(masked));
  QVERIFY2(r.status == 0, r.err.c_str());
  const cv::Mat input = readImageRgb(image_);
  for (int i = 1; i <= 2; ++i) {
    const cv::Mat result = readImageRgb(scratch("masked_instruct-" + std::to_string(i) + ".png"));
    cv::Mat diff;
    cv::absdiff(result, input, diff);
    cv::Mat far = diff.clone();
    far(cv::Rect(80 - 25 - 6, 60 - 25 - 6, 62, 62)).setTo(0);  // the circle grown by the feather
    QCOMPARE(cv::norm(far, cv::NORM_INF), 0.0);
    QVERIFY(cv::norm(diff(cv::Rect(70, 50, 20, 20)), cv::NORM_INF) > 0.0);
    QCOMPARE(readPngParameters(scratch("masked_instruct-" + std::to_string(i) + ".png")).params["masked"].get<bool>(), true);
  }
}

void TestDiffusionCli::wrongKindsAndMissingParts() {
  const std::string out = scratch("never.png");
  lstest::CliRun r = lstest::runCli("inpaint --model " + q(instruct_) + " --image " + q(image_) + " --mask " + q(mask_) +
              " --prompt x --steps 1 --out " + q(out));
  QCOMPARE(r.status, 1);
  QVERIFY2(has(r.err, "InstructPix2Pix (8-channel UNet)") && has(r.err, "inpainting needs"), r.err.c_str());
  r = lstest::runCli("instruct --model " + q(inpaint_) + " --image " + q(image_) + " --instruction x --steps 1 --out " + q(out));
  QCOMPARE(r.status, 1);
  QVERIFY2(has(r.err, "inpainting (9-channel UNet)") && has(r.err, "InstructPix2Pix"), r.err.c_str());

  const std::string noUnet = lstest::makeRandomSdFolder("cli_no_unet", "inpainting", 43);
  fs::remove(fs::path(noUnet) / "unet" / "diffusion_pytorch_model.safetensors");
  r = lstest::runCli("inpaint --model " + q(noUnet) + " --image " + q(image_) + " --mask " + q(mask_) + " --prompt x --out " + q(out));
  QCOMPARE(r.status, 1);
  QVERIFY2(has(r.err, "unet"), r.err.c_str());

  r = lstest::runCli("inpaint --image " + q(image_) + " --mask " + q(mask_) + " --prompt x --out " + q(out));
  QCOMPARE(r.status, 1);
  QVERIFY2(has(r.err, "--prompt needs --model"), r.err.c_str());
  r = lstest::runCli("inpaint --model " + q(inpaint_) + " --image " + q(image_) + " --mask " + q(mask_) +
          " --prompt x --method ns --out " + q(out));
  QCOMPARE(r.status, 1);
  QVERIFY2(has(r.err, "classical inpainting only"), r.err.c_str());
  r = lstest::runCli("inpaint --model " + q(inpaint_) + " --image " + q(image_) + " --mask " + q(mask_) + " --out " + q(out));
  QCOMPARE(r.status, 1);
  QVERIFY2(has(r.err, "--prompt is required"), r.err.c_str());
  r = lstest::runCli("inpaint --model " + q(inpaint_) + " --image " + q(image_) + " --mask " + q(mask_) +
          " --prompt x --scheduler lms --out " + q(out));
  QCOMPARE(r.status, 1);
  QVERIFY2(has(r.err, "'lms'") && has(r.err, "pndm"), r.err.c_str());
  QVERIFY(!fs::exists(out));
}

QTEST_MAIN(TestDiffusionCli)
#include "test_diffusion_cli.moc"
