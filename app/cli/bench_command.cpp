// `latentshop-cli bench unet|vae|inpaint [--model PATH] [--dtype fp32|bf16] [--size 512,768] [--reps 3]`:
// the tests/bench benchmarks on the user's own machine — with their model (a diffusers folder or a
// single .safetensors file, real weights) or, for unet and vae without --model, random weights at
// SD 1.5's shapes. `inpaint` times the whole edit the GUI runs (an SD inpainting model required): a
// size² photo with a centred square hole, --steps steps with CFG; the model is loaded by the warm-up
// (load excluded), each timed run encodes the prompt, encodes the image, denoises, decodes, pastes.
// Prints the CPU (model and the flags that matter: avx2, avx512f, avx512_bf16, amx), then one table
// row per case: median wall seconds of the timed runs after a warm-up, each run, peak RSS.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <torch/version.h>

#include "app/cli/command_registry.h"
#include "engine/core/cpu_info.h"
#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/pipelines/sd_inpaint.h"
#include "engine/runtime/job.h"
#include "engine/runtime/model_benchmark.h"
#include "engine/runtime/model_cache.h"

namespace {

using namespace latentshop;

struct BenchOptions {
  std::string what;
  std::string model;
  std::string dtype = "fp32";
  std::string sizes = "512";
  std::string operations = "decode,encode";
  int reps = 3;
  int64_t batch = 2;
  int steps = 25;
};

std::vector<int64_t> parseSizes(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    if (item.empty()) continue;
    try {
      out.push_back(std::stoll(item));
    } catch (const std::exception&) {
      throw Error("bench: --size takes sizes in pixels separated by commas, got '" + text + "'");
    }
  }
  if (out.empty()) throw Error("bench: --size is empty");
  return out;
}

void printRandomWeightsNote() {
  std::printf("weights: random, at Stable Diffusion 1.5's shapes (pass --model PATH for your own model)\n");
}

void runBench(const BenchOptions& o) {
  const int threads = configureTorchThreads();
  const auto dtype = parseDtype(o.dtype);
  if (o.reps < 1) throw Error("bench: --reps must be at least 1");
  const auto sizes = parseSizes(o.sizes);
  std::printf("machine: %s\nlibtorch %s, %d threads, dtype %s\n", cpuInfo().describe().c_str(), TORCH_VERSION,
              threads, dtypeName(dtype).c_str());
  if (dtype == torch::kBFloat16 && !cpuInfo().nativeBf16())
    std::printf("note: this CPU has no native bf16 (no avx512_bf16 or amx): bf16 runs far slower than fp32 here\n");

  if (o.what == "inpaint") {
    if (o.model.empty()) throw Error("bench inpaint: --model PATH is required (an SD inpainting model)");
    std::vector<std::string> rows;
    for (const int64_t size : sizes) {
      if (size < 64 || size > 4096) throw Error("bench inpaint: --size must be within 64…4096, got " + std::to_string(size));
      SdInpaintRequest request;
      const int side = static_cast<int>(size);
      request.image = cv::Mat(side, side, CV_8UC3);
      cv::randu(request.image, cv::Scalar::all(0), cv::Scalar::all(255));
      request.mask = cv::Mat::zeros(side, side, CV_8UC1);
      request.mask(cv::Rect(side / 4, side / 4, side / 2, side / 2)).setTo(255);
      request.model.path = o.model;
      request.model.dtype = o.dtype;
      request.prompt = "a wooden bench";
      request.steps = o.steps;
      request.seed = 1;
      CancelToken token;
      ModelCache cache;
      const JobCallbacks callbacks;
      JobContext context(1, token, cache, callbacks);
      const std::string label = "SD inpaint " + std::to_string(size) + "², " + std::to_string(o.steps) +
                                " steps, CFG, " + dtypeName(dtype);
      std::printf("%s: loading and warming up…\n", label.c_str());
      std::fflush(stdout);
      const auto t = timeRuns(o.reps, [&] { runSdInpaint(request, context); });
      rows.push_back(benchRow(label, t));
      std::printf("%s (warm-up with load %.2f s)\n", rows.back().c_str(), t.warmUpSeconds);
    }
    std::printf("\n| what | median | runs | peak RSS |\n| --- | --- | --- | --- |\n");
    for (const auto& r : rows) std::printf("%s\n", r.c_str());
    return;
  }

  std::shared_ptr<StableDiffusionModel> model;
  if (!o.model.empty()) {
    ModelLoadOptions load;
    load.dtype = dtype;
    load.tokenizer = load.textEncoder = false;
    load.unet = o.what == "unet";
    load.vae = o.what == "vae";
    model = loadStableDiffusion(o.model, load);
    std::printf("model: %s (%s)\n", model->source.c_str(), model->format.c_str());
  } else {
    printRandomWeightsNote();
    torch::InferenceMode inference;
    model = std::make_shared<StableDiffusionModel>();
    const auto options = torch::TensorOptions().dtype(dtype);
    if (o.what == "unet") {
      model->unet = UNet2DConditionModel(UNet2DConditionConfig::stableDiffusion15(), options);
      fillRandomWeights(*model->unet, 99);
    } else {
      model->vae = AutoencoderKL(AutoencoderKLConfig::stableDiffusion(), options);
      fillRandomWeights(*model->vae, 99);
    }
  }

  std::vector<std::string> rows;
  auto runCase = [&](const std::string& label, const std::function<void()>& run) {
    std::printf("%s: warming up…\n", label.c_str());
    std::fflush(stdout);
    const auto t = timeRuns(o.reps, run);
    rows.push_back(benchRow(label, t));
    std::printf("%s (warm-up %.2f s)\n", rows.back().c_str(), t.warmUpSeconds);
    std::fflush(stdout);
  };
  for (const int64_t size : sizes) {
    const std::string side = std::to_string(size) + "²";
    if (o.what == "unet") {
      runCase("UNet step, batch " + std::to_string(o.batch) + ", " + side + " image (" + std::to_string(size / 8) +
                  "² latent), " + dtypeName(dtype),
              unetBenchRun(model->unet, size, o.batch));
    } else {
      std::stringstream ops(o.operations);
      for (std::string op; std::getline(ops, op, ',');)
        if (!op.empty())
          runCase("VAE " + op + " " + side + ", " + dtypeName(dtype) + (model->vae->tiles(1, size / 8, size / 8) ? ", in bands" : ""),
                  vaeBenchRun(model->vae, op, size));
    }
  }
  std::printf("\n| what | median | runs | peak RSS |\n| --- | --- | --- | --- |\n");
  for (const auto& r : rows) std::printf("%s\n", r.c_str());
}

void setup(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "Time the UNet, the VAE or a whole inpaint on this machine");
  cmd->add_option("what", opts->what, "unet, vae or inpaint")->required()->check(CLI::IsMember({"unet", "vae", "inpaint"}));
  cmd->add_option("--model", opts->model, "diffusers folder or .safetensors checkpoint (default: random weights)");
  cmd->add_option("--dtype", opts->dtype, "fp32 or bf16")->default_val("fp32");
  cmd->add_option("--size", opts->sizes, "image sides in pixels, comma-separated")->default_val("512");
  cmd->add_option("--reps", opts->reps, "timed runs after the warm-up")->default_val(3);
  cmd->add_option("--batch", opts->batch, "UNet batch (2 = one CFG step)")->default_val(2);
  cmd->add_option("--steps", opts->steps, "inpaint: denoising steps")->default_val(25);
  cmd->add_option("--ops", opts->operations, "VAE operations: decode,encode")->default_val("decode,encode");
  cmd->callback([opts] { runBench(*opts); });
}

}  // namespace
LATENTSHOP_CLI_COMMAND(bench, setup)
