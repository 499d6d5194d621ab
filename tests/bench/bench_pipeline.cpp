// SD inpainting at Stable Diffusion 1.5 shapes on CPU with random weights: a few denoising steps of
// the 9-channel inpainting pipeline (engine/pipelines/sd_inpaint_denoise.h, CFG batch 2, 512x512
// image = 64x64 latents, DDIM) and, measured inside the same run after every step, the cost of the
// live preview: the linear latent->RGB projection to 512x512 and the TAESD decoder (full-size
// architecture, random weights). Prints the exact configuration, seconds per step (wall and
// process CPU: the machine is shared), preview milliseconds, and the preview's share of a step
// (the issue asks for < 5 %), plus the VAE encode/decode around the loop. TAESD is also timed on
// latents pooled by 2, what engine/pipelines/sd_step_reporter.h falls back to over budget.
//
//   bench_pipeline [--steps 3] [--size 512] [--dtype fp32|bf16] [--threads N]
#include <cstdio>
#include <string>
#include <vector>

#include "bench_common.h"
#include "engine/core/cpu_info.h"
#include "support/test_paths.h"
#include "engine/core/device.h"
#include "engine/core/threads.h"
#include "engine/io/sd15_reference_configs.h"
#include "engine/models/stable_diffusion_model.h"
#include "engine/models/taesd.h"
#include "engine/pipelines/latent_preview.h"
#include "engine/pipelines/sd_inpaint_denoise.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/tokenizer/clip_tokenizer.h"

using namespace latentshop;

int main(int argc, char** argv) {
  std::printf("machine: %s\n", latentshop::cpuInfo().describe().c_str());  // figures name their CPU
  const lsbench::Args args(argc, argv);
  if (args.get("threads", "").empty()) {
    configureTorchThreads();
  } else {
    at::set_num_threads(static_cast<int>(args.integer("threads", 2)));
  }
  const int steps = static_cast<int>(args.integer("steps", 3));
  const int size = static_cast<int>(args.integer("size", 512));
  const auto dtype = parseDtype(args.get("dtype", "fp32"));
  torch::InferenceMode inference;

  // The model, as the loader would build it, with random weights.
  StableDiffusionModel model;
  model.source = "random SD 1.5 inpainting";
  model.unetKind = UnetKind::Inpainting;
  model.dtype = dtype;
  const auto options = torch::TensorOptions().dtype(dtype);
  auto unetConfig = sd15::unetConfig();
  unetConfig["in_channels"] = 9;
  double buildS = lsbench::seconds([&] {
    model.unet = UNet2DConditionModel(UNet2DConditionConfig::fromJson(unetConfig, "sd15 unet"), options);
    model.vae = AutoencoderKL(AutoencoderKLConfig::fromJson(sd15::vaeConfig(), "sd15 vae"), options);
    model.textEncoder = ClipTextModel(ClipTextConfig::fromJson(sd15::textEncoderConfig(), "sd15 text"), options);
    lsbench::fillRandom(*model.unet, 1);
    lsbench::fillRandom(*model.vae, 2);
    lsbench::fillRandom(*model.textEncoder, 3);
  });
  model.tokenizer = std::make_shared<ClipTokenizer>(ClipTokenizer::fromPath(lstest::clipVocabPath()));
  model.schedulerConfig = sd15::schedulerConfig();
  auto sched = makePipelineScheduler(model.schedulerConfig, "ddim");

  AutoencoderTiny taesdModel(AutoencoderTinyConfig{}, /*withEncoder=*/false);
  lsbench::fillRandom(*taesdModel, 4);
  TaesdPreviewDecoder taesd(taesdModel);
  LinearPreviewDecoder linear;

  std::printf("bench_pipeline: SD 1.5 inpainting (UNet in 9, block_out_channels 320/640/1280/1280, VAE 128/256/512/512, "
              "CLIP ViT-L/14 text), random weights, %s on CPU, %d threads, libtorch %s, InferenceMode\n",
              dtypeName(dtype).c_str(), at::get_num_threads(), TORCH_VERSION);
  std::printf("image %dx%d (latents %dx%d), DDIM %d steps, guidance 7.5 (UNet batch 2), strength 1; load average %s; "
              "build + random fill %.1f s\n",
              size, size, size / 8, size / 8, steps, lsbench::loadAverage().c_str(), buildS);

  InpaintDenoiseInput in;
  auto gen = makeCpuGenerator(0);
  in.image = torch::rand({1, 3, size, size}, gen) * 2 - 1;
  in.mask = torch::zeros({1, 1, size, size});
  in.mask.slice(2, size / 4, 3 * size / 4).slice(3, size / 4, 3 * size / 4).fill_(1.0);
  const double encodeS = lsbench::seconds([&] {
    in.promptEmbeds = encodeSdPrompt(model, "a red brick wall").embeddings;
    in.negativePromptEmbeds = encodeSdPrompt(model, "").embeddings;
  });
  in.steps = steps;
  in.guidanceScale = 7.5;
  in.generator = makeCpuGenerator(1);

  std::vector<double> stepWall, stepCpu, linearMs, taesdMs, taesdHalfMs;
  auto last = std::chrono::steady_clock::now();
  double lastCpu = lsbench::cpuSeconds();
  bool first = true;
  const auto t0 = std::chrono::steady_clock::now();
  const auto out = runInpaintDenoise(model, *sched.scheduler, in, [&](const DenoiseStep& s) {
    const auto now = std::chrono::steady_clock::now();
    const double cpu = lsbench::cpuSeconds();
    if (first) {
      first = false;
    } else {
      stepWall.push_back(std::chrono::duration<double>(now - last).count());
      stepCpu.push_back(cpu - lastCpu);
    }
    linearMs.push_back(1e3 * lsbench::seconds([&] { linear.decode(s.predOriginal, cv::Size(size, size)); }));
    taesdMs.push_back(1e3 * lsbench::seconds([&] { taesd.decode(s.predOriginal, cv::Size(size, size)); }));
    // What SdStepReporter falls back to when a full TAESD preview exceeds 5 % of a step.
    taesdHalfMs.push_back(1e3 * lsbench::seconds([&] {
      taesd.decode(torch::avg_pool2d(s.predOriginal, 2), cv::Size(size, size));
    }));
    last = std::chrono::steady_clock::now();
    lastCpu = lsbench::cpuSeconds();
  });
  const double totalS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double step = lsbench::median(stepWall), cpu = lsbench::median(stepCpu);
  const double lin = lsbench::median(linearMs), tae = lsbench::median(taesdMs), taeHalf = lsbench::median(taesdHalfMs);
  std::printf("prompt encoding (2 prompts) %.2f s; denoise call %.1f s in all (masked-image VAE encode, %d steps, VAE decode)\n",
              encodeS, totalS, steps);
  std::printf("step (UNet batch 2 + guidance + scheduler, between previews, median of %zu): %.2f s wall, %.2f s CPU "
              "(%.2f s on %d free cores)\n",
              stepWall.size(), step, cpu, cpu / at::get_num_threads(), at::get_num_threads());
  std::printf("preview linear -> %dx%d: median %.2f ms = %.3f %% of a step (wall)\n", size, size, lin, 100.0 * lin / 1e3 / step);
  std::printf("preview TAESD  -> %dx%d: median %.1f ms = %.2f %% of a step (wall)\n", size, size, tae, 100.0 * tae / 1e3 / step);
  std::printf("preview TAESD on latents pooled by 2 (the reporter's over-budget fallback) -> %dx%d: median %.1f ms = "
              "%.2f %% of a step (wall)\n",
              size, size, taeHalf, 100.0 * taeHalf / 1e3 / step);
  std::printf("output finite: %d, image %lldx%lld\n", int(torch::isfinite(out.decoded).all().item<bool>()),
              static_cast<long long>(out.decoded.size(3)), static_cast<long long>(out.decoded.size(2)));
  return 0;
}
