// Whole edits on CPU, timed as the user waits for them: a 512² SD inpaint (runSdInpaint: prompt
// encoding, masked-image VAE encode, --steps steps with CFG, VAE decode, paste back) and an
// InstructPix2Pix edit (runSdInstruct: encode, steps with text and image guidance, decode), model load
// excluded. Random weights at SD 1.5 shapes (UNet in 9 / 8 channels), put in the job's model cache
// under the demo folders' keys so the jobs run exactly as in the editor. With --diffusers DIR the same
// configs run through diffusers' StableDiffusionInpaintPipeline / StableDiffusionInstructPix2PixPipeline
// (tests/bench/reference/diffusers_bench.py, prompt embeddings passed in: no text encoder there,
// so their figure leaves out the ~0.3 s ours spends on CLIP), alternating runs, printing each median,
// the peak RSS and the ratio.
//   bench_edit [--what inpaint,instruct] [--size 512] [--steps 25] [--reps 3] [--diffusers DIR]
//              [--python /usr/bin/python3]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <unistd.h>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "bench_common.h"
#include "bench_reference.h"
#include "engine/core/threads.h"
#include "engine/io/sd15_reference_configs.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/pipelines/sd_inpaint.h"
#include "engine/pipelines/sd_instruct.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/runtime/job.h"
#include "engine/runtime/model_cache.h"
#include "support/test_paths.h"

using namespace latentshop;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

nlohmann::json unetConfigFor(const std::string& what) {
  auto c = sd15::unetConfig();
  c["in_channels"] = what == "inpaint" ? 9 : 8;
  return c;
}

nlohmann::json schedulerConfigFor(const std::string& what) {
  auto c = sd15::schedulerConfig();
  if (what == "instruct") {  // timbrooks/instruct-pix2pix ships Euler ancestral
    c["_class_name"] = "EulerAncestralDiscreteScheduler";
    c.erase("set_alpha_to_one");
    c.erase("skip_prk_steps");
    c.erase("clip_sample");
  }
  return c;
}

std::shared_ptr<StableDiffusionModel> randomModel(const std::string& what) {
  torch::InferenceMode inference;
  auto model = std::make_shared<StableDiffusionModel>();
  model->source = "random SD 1.5 " + what;
  model->format = "diffusers";
  model->unetKind = what == "inpaint" ? UnetKind::Inpainting : UnetKind::Instruct;
  model->unet = UNet2DConditionModel(UNet2DConditionConfig::fromJson(unetConfigFor(what), "sd15 unet"));
  model->vae = AutoencoderKL(AutoencoderKLConfig::fromJson(sd15::vaeConfig(), "sd15 vae"));
  model->textEncoder = ClipTextModel(ClipTextConfig::fromJson(sd15::textEncoderConfig(), "sd15 text"));
  lsbench::fillRandom(*model->unet, 1);
  lsbench::fillRandom(*model->vae, 2);
  lsbench::fillRandom(*model->textEncoder, 3);
  model->tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromPath(lstest::clipVocabPath()));
  model->schedulerConfig = schedulerConfigFor(what);
  return model;
}

void writeJson(const fs::path& path, const nlohmann::json& j) { std::ofstream(path) << j.dump(2); }

}  // namespace

int main(int argc, char** argv) {
  lsbench::Args args(argc, argv);
  const int threads = configureTorchThreads();
  const int64_t size = args.integer("size", 512);
  const int steps = static_cast<int>(args.integer("steps", 25));
  const int reps = static_cast<int>(args.integer("reps", 3));
  const std::string diffusers = args.get("diffusers", "");
  const std::string python = args.get("python", "/usr/bin/python3");
  lsbench::printMachine();
  std::printf("bench_edit: libtorch %s, %d threads, fp32, %lldx%lld image, %d steps, guidance 7.5 (instruct: image "
              "guidance 1.5), load average %s\n",
              TORCH_VERSION, threads, (long long)size, (long long)size, steps, lsbench::loadAverage().c_str());
  const fs::path configDir = fs::temp_directory_path() / ("latentshop-bench-edit-" + std::to_string(::getpid()));
  fs::create_directories(configDir);

  std::vector<std::string> table;
  for (const auto& what : list(args.get("what", "inpaint,instruct"))) {
    if (what != "inpaint" && what != "instruct") {
      std::fprintf(stderr, "bench_edit: --what takes inpaint and instruct, not %s\n", what.c_str());
      return 2;
    }
    const auto model = randomModel(what);
    const std::string demo = std::string(LATENTSHOP_SOURCE_DIR) + "/models/demo/" + what;
    CancelToken token;
    ModelCache cache;
    JobCallbacks callbacks;  // the editor draws every step's preview: made here too, then dropped
    callbacks.onPreview = [](JobId, const PreviewImage&) {};
    JobContext context(1, token, cache, callbacks);
    const int side = static_cast<int>(size);
    cv::Mat image(side, side, CV_8UC3);
    cv::theRNG().state = 7;
    cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
    std::function<void()> run;
    SdInpaintRequest inpaint;
    SdInstructRequest instruct;
    if (what == "inpaint") {
      inpaint.image = image;
      inpaint.mask = cv::Mat::zeros(side, side, CV_8UC1);
      inpaint.mask(cv::Rect(side / 4, side / 4, side / 2, side / 2)).setTo(255);
      inpaint.model.path = demo;
      inpaint.prompt = "a wooden bench";
      inpaint.steps = steps;
      inpaint.seed = 1;
      cache.put("model", modelCacheKey(demo, sdLoadOptions(inpaint.model)), model);
      run = [&] {
        const auto r = runSdInpaint(inpaint, context);
        if (r.generated.cols != side) std::printf("  (worked at %dx%d)\n", r.generated.cols, r.generated.rows);
      };
    } else {
      instruct.image = image;
      instruct.model.path = demo;
      instruct.instruction = "make it winter";
      instruct.steps = steps;
      instruct.seed = 1;
      cache.put("model", modelCacheKey(demo, sdLoadOptions(instruct.model)), model);
      run = [&] {
        const auto r = runSdInstruct(instruct, context);
        if (r.generated.cols != side) std::printf("  (worked at %dx%d)\n", r.generated.cols, r.generated.rows);
      };
    }
    const std::string label = "SD " + what + " " + std::to_string(size) + "², " + std::to_string(steps) + " steps, CFG, fp32";

    std::unique_ptr<lsbench::ReferenceProcess> reference;
    if (!diffusers.empty()) {
      writeJson(configDir / "unet.json", unetConfigFor(what));
      writeJson(configDir / "vae.json", sd15::vaeConfig());
      writeJson(configDir / "scheduler.json", schedulerConfigFor(what));
      reference = std::make_unique<lsbench::ReferenceProcess>(std::vector<std::string>{
          python, lsbench::referenceScript(), "edit-" + what, "--diffusers", diffusers, "--size", std::to_string(size),
          "--steps", std::to_string(steps), "--threads", std::to_string(threads), "--configs", configDir.string()});
      if (!reference->ready()) std::printf("  (diffusers did not start: see its output above)\n");
    }
    BenchTiming ours;
    ours.warmUpSeconds = lsbench::seconds(run);
    std::vector<double> theirs;
    lsbench::resetPeakRss();
    for (int i = 0; i < reps; ++i) {
      ours.seconds.push_back(lsbench::seconds(run));
      std::printf("%s run %d: latentshop %.2f s", label.c_str(), i + 1, ours.seconds.back());
      if (reference && reference->ready()) {
        theirs.push_back(reference->run());
        std::printf(" | diffusers %.2f s", theirs.back());
      }
      std::printf(" | load average %s\n", lsbench::loadAverage().c_str());
      std::fflush(stdout);
    }
    ours.peakRssMiB = lsbench::peakRssMiB();
    std::string row = benchRow(label, ours);
    if (reference) {
      const double peak = reference->finish();
      const double med = lsbench::median(theirs);
      char b[160];
      std::snprintf(b, sizeof b, " diffusers %.2f s, %.0f MiB | ratio %.2f |", med, peak, med > 0 ? ours.median() / med : 0.0);
      row += b;
    }
    std::printf("RESULT %s\n", row.c_str());
    table.push_back(row);
  }
  std::error_code ec;
  fs::remove_all(configDir, ec);
  std::printf("\nmachine: %s\n| what | Latentshop median | runs | peak RSS |%s\n", lsbench::cpuDescription().c_str(),
              diffusers.empty() ? "" : " diffusers median, peak RSS | Latentshop / diffusers |");
  for (const auto& row : table) std::printf("%s\n", row.c_str());
  return 0;
}
