// VAE decode at Stable Diffusion 1.x shapes on CPU: AutoencoderKL with the SD VAE config
// (block_out_channels 128/256/512/512, layers_per_block 2, latent 4), random weights, one latent
// [1, 4, 64, 64] → image [1, 3, 512, 512] (post_quant_conv → decoder), fp32 and bf16.
// Prints the configuration, median wall and CPU seconds per decode (after one warm-up) and the peak
// RSS while decoding (weights included).
//   bench_vae_decode [--dtype fp32|bf16|both] [--reps 2] [--latent 64] [--channels-last 0|1]
//                    [--profile trace.json]  (one decode's operators as a Chrome trace)
// Same through diffusers: AutoencoderKL(block_out_channels=(128,256,512,512), layers_per_block=2,
// down/up types ×4) .decode(torch.randn(1,4,64,64)) under torch.inference_mode().
#include <cstdio>
#include <string>
#include <vector>

#include "bench_common.h"
#include "engine/core/device.h"
#include "engine/core/threads.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/nn/attention_kernel.h"

#include <torch/csrc/autograd/profiler_legacy.h>

using namespace latentshop;

namespace {

void benchOne(c10::ScalarType dtype, const lsbench::Args& args) {
  const int64_t latent = args.integer("latent", 64);
  const int reps = static_cast<int>(args.integer("reps", 2));
  torch::InferenceMode inference;
  const double rssBefore = lsbench::rssMiB();
  AutoencoderKL vae(AutoencoderKLConfig::stableDiffusion(), torch::TensorOptions().dtype(dtype));
  lsbench::fillRandom(*vae, 99);
  if (args.get("channels-last", "") != "") vae->setChannelsLast(args.integer("channels-last", 0) != 0);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  auto z = torch::randn({1, 4, latent, latent}, gen).to(dtype);
  std::printf("\n[AutoencoderKL SD config: block_out_channels 128/256/512/512, layers_per_block 2, latent 4]\n");
  std::printf("decode dtype %s | latent 1x4x%lldx%lld -> image 1x3x%lldx%lld | %d threads | channels-last %d | "
              "weights %.0f MiB | RSS before build %.0f MiB\n",
              dtypeName(dtype).c_str(), static_cast<long long>(latent), static_cast<long long>(latent),
              static_cast<long long>(latent * 8), static_cast<long long>(latent * 8), at::get_num_threads(),
              int(vae->channelsLast()), static_cast<double>(lsbench::parameterBytes(*vae)) / (1024.0 * 1024.0),
              rssBefore);
  torch::Tensor image;
  const double warm = lsbench::seconds([&] { image = vae->decode(z); });
  std::printf("warm-up decode %.2f s, output %s finite %d\n", warm, c10::str(image.sizes()).c_str(),
              int(image.isfinite().all().item<bool>()));
  const std::string profile = args.get("profile", "");
  if (!profile.empty()) {  // per-operator times of one decode as a Chrome trace (chrome://tracing)
    torch::autograd::profiler::RecordProfile record(profile);
    image = vae->decode(z);
  }
  lsbench::resetPeakRss();
  std::vector<double> wall, cpu;
  for (int i = 0; i < reps; ++i) {
    auto t = lsbench::timed([&] { image = vae->decode(z); });
    wall.push_back(t.wall);
    cpu.push_back(t.cpu);
    std::printf("decode %d: %.2f s wall, %.2f CPU s | load average %s\n", i + 1, t.wall, t.cpu,
                lsbench::loadAverage().c_str());
  }
  const int threads = at::get_num_threads();
  std::printf("RESULT vae decode %s: median %.2f s wall, %.2f CPU s (= %.2f s on %d free cores) | peak RSS %.0f MiB | "
              "load average %s\n",
              dtypeName(dtype).c_str(), lsbench::median(wall), lsbench::median(cpu), lsbench::median(cpu) / threads,
              threads, lsbench::peakRssMiB(), lsbench::loadAverage().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  lsbench::Args args(argc, argv);
  configureTorchThreads();
  const std::string which = args.get("dtype", "both");
  std::printf("bench_vae_decode: libtorch %s, load average %s\n", TORCH_VERSION, lsbench::loadAverage().c_str());
  if (which == "fp32" || which == "both") benchOne(torch::kFloat, args);
  if (which == "bf16" || which == "both") benchOne(torch::kBFloat16, args);
  return 0;
}
