// DragDiffusion at Stable Diffusion 1.5 shapes on CPU, random weights: seconds per LoRA training
// step (engine/pipelines/drag_lora.h: VAE posterior sample of a 512² crop, UNet forward + backward
// into the rank-16 LoRA, AdamW) and per drag iteration (engine/pipelines/drag_update.h: UNet forward
// with decoder features at 64² latents, motion supervision on the 256² grid + mask term, backward
// to the latent, point tracking, Adam), plus one inversion step and one mutual-self-attention
// denoise step (batch 2), so the time of a whole drag can be estimated:
//   LoRA steps × lora + 35 × inversion + drag steps × drag + 35 × denoise.
// Prints the configuration, each timed step (wall and process CPU seconds: the machine is shared),
// medians, peak RSS and the load average.
//
//   bench_drag [--lora-steps 2] [--lora-batch 1] [--drag-steps 2] [--latent 64] [--dtype fp32|bf16]
//              [--skip-lora 0] [--skip-ddim 0]
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "bench_common.h"
#include "engine/core/cpu_info.h"
#include "engine/core/device.h"
#include "engine/core/threads.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/models/unet_lora.h"
#include "engine/pipelines/drag_ddim.h"
#include "engine/pipelines/drag_lora.h"
#include "engine/pipelines/drag_update.h"

using namespace latentshop;

namespace {

using Clock = std::chrono::steady_clock;

void report(const char* what, const std::vector<double>& wall, const std::vector<double>& cpu, const std::string& extra) {
  const int threads = at::get_num_threads();
  std::printf("RESULT %s: median %.2f s wall, %.2f CPU s (= %.2f s on %d free cores) over %zu steps%s | peak RSS %.0f MiB | "
              "load average %s\n",
              what, lsbench::median(wall), lsbench::median(cpu), lsbench::median(cpu) / threads, threads, wall.size(),
              extra.c_str(), lsbench::peakRssMiB(), lsbench::loadAverage().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("machine: %s\n", latentshop::cpuInfo().describe().c_str());  // figures name their CPU
  configureTorchThreads();
  const lsbench::Args args(argc, argv);
  const int64_t loraSteps = args.integer("lora-steps", 2), loraBatch = args.integer("lora-batch", 1);
  const int64_t dragSteps = args.integer("drag-steps", 2), latent = args.integer("latent", 64);
  const auto dtype = parseDtype(args.get("dtype", "fp32"));
  const bool skipLora = args.integer("skip-lora", 0) != 0, skipDdim = args.integer("skip-ddim", 0) != 0;
  const int64_t pixels = latent * 8, grid = pixels / 2;

  auto unetConfig = UNet2DConditionConfig::stableDiffusion15();
  UNet2DConditionModel unet(unetConfig, torch::TensorOptions().dtype(dtype));
  lsbench::fillRandom(*unet, 1234);
  AutoencoderKL vae(AutoencoderKLConfig::stableDiffusion(), torch::TensorOptions().dtype(dtype));
  lsbench::fillRandom(*vae, 99);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  const auto emb = torch::randn({1, 77, 768}, gen);
  std::printf("[DragDiffusion, SD1.5 UNet (320/640/1280/1280, cross 768) + SD VAE, random weights]\n");
  std::printf("dtype %s | %d threads | image %lldx%lld | latent %lldx%lld | supervision grid %lldx%lld | prompt 77 tokens | "
              "load average %s\n",
              dtypeName(dtype).c_str(), at::get_num_threads(), static_cast<long long>(pixels),
              static_cast<long long>(pixels), static_cast<long long>(latent), static_cast<long long>(latent),
              static_cast<long long>(grid), static_cast<long long>(grid), lsbench::loadAverage().c_str());

  // ---- LoRA training steps ----
  if (!skipLora) {
    cv::Mat image(static_cast<int>(pixels), static_cast<int>(pixels), CV_8UC3);
    cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
    DragLoraOptions o;
    o.steps = loraSteps;
    o.batchSize = loraBatch;
    o.trainSize = pixels;
    auto noise = makeDragScheduler(50);
    std::vector<double> wall, cpu;
    auto last = Clock::now();
    double lastCpu = lsbench::cpuSeconds();
    lsbench::resetPeakRss();
    std::printf("\nLoRA: rank %lld on to_q/to_k/to_v/to_out.0 of 32 attention modules, batch %lld, AdamW lr %g, crop %lld²\n",
                static_cast<long long>(o.rank), static_cast<long long>(o.batchSize), o.lr, static_cast<long long>(pixels));
    torch::AutoGradMode grad(true);
    trainDragLora(*unet, *vae, noise, emb, image, o, [&](int64_t done, int64_t total, double loss) {
      const auto now = Clock::now();
      const double w = std::chrono::duration<double>(now - last).count(), c = lsbench::cpuSeconds() - lastCpu;
      std::printf("LoRA step %lld/%lld: %.2f s wall, %.2f CPU s, loss %.4f%s | load %s\n", static_cast<long long>(done),
                  static_cast<long long>(total), w, c, loss, done == 1 ? " (includes the VAE encode of the crop)" : "",
                  lsbench::loadAverage().c_str());
      if (done > 1 || total == 1) {
        wall.push_back(w);
        cpu.push_back(c);
      }
      last = Clock::now();
      lastCpu = lsbench::cpuSeconds();
      return true;
    });
    report("lora step", wall, cpu, " (batch " + std::to_string(loraBatch) + "; DragDiffusion's default batch 4 ≈ " +
                                       std::to_string(4.0 / static_cast<double>(loraBatch)).substr(0, 4) + "×)");
    removeUNetLora(*unet);
  }

  // ---- Drag iterations ----
  {
    auto scheduler = makeDragScheduler(50);
    const auto xt = torch::randn({1, 4, latent, latent}, gen);
    const float g = static_cast<float>(grid);
    const auto handles = torch::tensor({{0.3f * g, 0.3f * g}, {0.6f * g, 0.7f * g}}).round();
    const auto targets = torch::tensor({{0.3f * g, 0.6f * g}, {0.9f * g, 0.7f * g}}).round();
    auto mask = torch::zeros({1, 1, grid, grid});
    mask.slice(2, grid / 8, grid - grid / 8).slice(3, grid / 8, grid - grid / 8).fill_(1.0);
    DragUpdateOptions o;
    o.steps = dragSteps;
    o.supH = o.supW = grid;
    std::vector<double> wall, cpu;
    auto last = Clock::now();
    double lastCpu = lsbench::cpuSeconds();
    lsbench::resetPeakRss();
    std::printf("\nDrag: features up_blocks[2] (640 ch) → %lld², 2 handles, r_m 1, r_p 3, lam 0.1, Adam lr 0.01, t 681\n",
                static_cast<long long>(grid));
    torch::AutoGradMode grad(true);
    const auto start = Clock::now();
    dragDiffusionUpdate(*unet, scheduler, xt, emb, 681, handles, targets, mask, o, [&](const DragUpdateStep& s) {
      const auto now = Clock::now();
      const double w = std::chrono::duration<double>(now - last).count(), c = lsbench::cpuSeconds() - lastCpu;
      std::printf("drag step %lld: %.2f s wall, %.2f CPU s, loss %.3f%s | load %s\n", static_cast<long long>(s.index + 1), w, c,
                  s.loss, s.index == 0 ? " (includes the no-grad F0 pass)" : "", lsbench::loadAverage().c_str());
      if (s.index > 0 || dragSteps == 1) {
        wall.push_back(w);
        cpu.push_back(c);
      }
      last = Clock::now();
      lastCpu = lsbench::cpuSeconds();
      return true;
    });
    (void)start;
    report("drag iteration", wall, cpu, "");
  }

  // ---- One inversion step and one denoise step ----
  if (!skipDdim) {
    auto scheduler = makeDragScheduler(50);
    const auto x = torch::randn({1, 4, latent, latent}, gen);
    std::vector<double> w1, c1, w2, c2;
    lsbench::resetPeakRss();
    const auto inv = lsbench::timed([&] { invertForDrag(*unet, scheduler, x, emb, 1); });
    w1.push_back(inv.wall);
    c1.push_back(inv.cpu);
    report("inversion step (UNet forward, batch 1, no grad)", w1, c1, "");
    DragDenoiseOptions d;
    d.numActualSteps = 1;
    const auto den = lsbench::timed([&] { denoiseWithMutualAttention(*unet, scheduler, torch::cat({x, x}), emb, d); });
    w2.push_back(den.wall);
    c2.push_back(den.cpu);
    report("denoise step (batch 2, mutual self-attention)", w2, c2, "");
  }
  return 0;
}
