// UNet step at Stable Diffusion 1.5 shapes on CPU, fp32 and bf16: one UNet2DConditionModel forward
// per step as a CFG pipeline makes it (batch 2 = [uncond, text]), random weights.
// Prints the exact configuration, the median seconds per step over --steps timed steps (after one
// warm-up) as wall time and as process CPU time (the machine is shared: CPU s / threads is what the
// step takes on free cores), the peak RSS while stepping (VmHWM reset after the weights are in memory, so it includes
// the weights) and the load average (the machine is shared).
//
//   bench_unet [--dtype fp32|bf16|both] [--steps 3] [--batch 2] [--latent 64] [--tokens 77]
//              [--channels-last 1] [--score-mb 16] [--threads N] [--profile trace.json]
//   bench_unet --mode grad [--dtype fp32|bf16]: one DragDiffusion motion-supervision step instead
//              (batch 1, forward with decoder features + backward to the latent), time and peak RSS.
// Same configuration through diffusers: UNet2DConditionModel(sample_size=64, cross_attention_dim=768)
// (SD 1.5's config), torch.randn latents [2,4,64,64], context [2,77,768], t = 500, torch.inference_mode().
#include <cstdio>
#include <string>
#include <vector>

#include <torch/csrc/autograd/profiler.h>

#include "bench_common.h"
#include "engine/core/cpu_info.h"
#include "engine/core/device.h"
#include "engine/core/threads.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/nn/attention_kernel.h"

using namespace latentshop;

namespace {

void benchOne(c10::ScalarType dtype, const lsbench::Args& args) {
  const int64_t batch = args.integer("batch", 2), latent = args.integer("latent", 64), tokens = args.integer("tokens", 77);
  const int steps = static_cast<int>(args.integer("steps", 3));
  const bool channelsLast = args.integer("channels-last", 1) != 0;
  torch::InferenceMode inference;
  const double rssBefore = lsbench::rssMiB();
  auto config = UNet2DConditionConfig::stableDiffusion15();
  UNet2DConditionModel unet(nullptr);
  const double buildS = lsbench::seconds([&] { unet = UNet2DConditionModel(config, torch::TensorOptions().dtype(dtype)); });
  const double fillS = lsbench::seconds([&] { lsbench::fillRandom(*unet, 1234); });
  unet->setChannelsLast(channelsLast);
  const double weightsMiB = static_cast<double>(lsbench::parameterBytes(*unet)) / (1024.0 * 1024.0);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  auto sample = torch::randn({batch, 4, latent, latent}, gen).to(dtype);
  auto context = torch::randn({batch, tokens, 768}, gen).to(dtype);

  std::printf("\n[UNet2DConditionModel SD1.5 config: block_out_channels 320/640/1280/1280, layers_per_block 2, "
              "attention_head_dim 8, cross_attention_dim 768, in 4]\n");
  std::printf("dtype %s | batch %lld | latent %lldx%lld | context %lldx768 | timestep 500 | %d threads | "
              "channels-last %d | attention score chunk %lld MiB | InferenceMode\n",
              dtypeName(dtype).c_str(), static_cast<long long>(batch), static_cast<long long>(latent),
              static_cast<long long>(latent), static_cast<long long>(tokens), at::get_num_threads(), int(channelsLast),
              static_cast<long long>(nn::attentionKernelSettings().maxScoreBytes >> 20));
  std::printf("weights %.0f MiB | build %.3f s (uninitialised parameters) | random fill %.1f s | RSS before build %.0f MiB\n",
              weightsMiB, buildS, fillS, rssBefore);

  torch::Tensor out;
  const double warm = lsbench::seconds([&] { out = unet->forward(sample, 500, context).sample; });
  std::printf("warm-up step %.2f s (output finite: %d)\n", warm, int(out.isfinite().all().item<bool>()));
  lsbench::resetPeakRss();
  const double rssSteady = lsbench::rssMiB();
  std::vector<double> times, cpus;
  for (int i = 0; i < steps; ++i) {
    const auto t = lsbench::timed([&] { out = unet->forward(sample, 500, context).sample; });
    times.push_back(t.wall);
    cpus.push_back(t.cpu);
    std::printf("step %d: %.2f s wall, %.2f CPU s | load average %s\n", i + 1, t.wall, t.cpu,
                lsbench::loadAverage().c_str());
  }
  if (const auto trace = args.get("profile", ""); !trace.empty()) {
    torch::autograd::profiler::RecordProfile profile(trace);
    out = unet->forward(sample, 500, context).sample;
    std::printf("profiled one more step into %s (chrome trace)\n", trace.c_str());
  }
  const int threads = at::get_num_threads();
  std::printf("RESULT unet %s: median %.2f s/step wall, %.2f CPU s/step (= %.2f s on %d free cores) over %d steps | "
              "peak RSS while stepping %.0f MiB (RSS between steps %.0f MiB) | load average %s\n",
              dtypeName(dtype).c_str(), lsbench::median(times), lsbench::median(cpus), lsbench::median(cpus) / threads,
              threads, steps, lsbench::peakRssMiB(), rssSteady, lsbench::loadAverage().c_str());
}

// DragDiffusion's motion-supervision step: forward with the latent requiring grad (decoder features
// and output), backward to the latent; batch 1. Weights frozen (no parameter grads).
void benchGrad(c10::ScalarType dtype, const lsbench::Args& args) {
  const int64_t latent = args.integer("latent", 64), tokens = args.integer("tokens", 77);
  auto config = UNet2DConditionConfig::stableDiffusion15();
  UNet2DConditionModel unet(config, torch::TensorOptions().dtype(dtype));
  lsbench::fillRandom(*unet, 1234);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  auto x = torch::randn({1, 4, latent, latent}, gen).to(dtype).requires_grad_(true);
  auto context = torch::randn({1, tokens, 768}, gen).to(dtype);
  std::printf("\n[grad mode: SD1.5 UNet, dtype %s, batch 1, latent %lldx%lld, forward with decoder features + "
              "backward to the latent (DragDiffusion motion supervision), %d threads]\n",
              dtypeName(dtype).c_str(), static_cast<long long>(latent), static_cast<long long>(latent),
              at::get_num_threads());
  lsbench::resetPeakRss();
  const double rss0 = lsbench::rssMiB();
  UNetForwardOptions options;
  options.returnDecoderFeatures = true;
  torch::Tensor loss;
  auto fwd = lsbench::timed([&] {
    auto out = unet->forward(x, 681, context, options);
    loss = out.decoderFeatures[3].abs().mean() + out.sample.abs().mean();
  });
  const double peakAfterForward = lsbench::peakRssMiB();
  auto bwd = lsbench::timed([&] { loss.backward(); });
  std::printf("RESULT unet grad %s: forward %.2f s wall (%.2f CPU s), backward %.2f s wall (%.2f CPU s) | RSS before "
              "%.0f MiB, peak after forward %.0f MiB, peak %.0f MiB | grad finite %d | load average %s\n",
              dtypeName(dtype).c_str(), fwd.wall, fwd.cpu, bwd.wall, bwd.cpu, rss0, peakAfterForward,
              lsbench::peakRssMiB(), int(x.grad().isfinite().all().item<bool>()), lsbench::loadAverage().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("machine: %s\n", latentshop::cpuInfo().describe().c_str());  // figures name their CPU
  lsbench::Args args(argc, argv);
  if (args.get("threads", "") != "") setenv("LATENTSHOP_THREADS", args.get("threads", "").c_str(), 1);
  configureTorchThreads();
  auto settings = nn::attentionKernelSettings();
  settings.maxScoreBytes = args.integer("score-mb", settings.maxScoreBytes >> 20) << 20;
  nn::setAttentionKernelSettings(settings);
  const std::string which = args.get("dtype", "both");
  std::printf("bench_unet: libtorch %s, load average %s\n", TORCH_VERSION, lsbench::loadAverage().c_str());
  if (args.get("mode", "step") == "grad") {
    benchGrad(which == "bf16" ? torch::kBFloat16 : torch::kFloat, args);
    return 0;
  }
  if (which == "fp32" || which == "both") benchOne(torch::kFloat, args);
  if (which == "bf16" || which == "both") benchOne(torch::kBFloat16, args);
  return 0;
}
