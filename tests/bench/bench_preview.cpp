// Live-preview cost alone, at SD 1.5's 64x64 latents (512x512 images): the linear latent->RGB
// projection (native 64x64, and upscaled to 512x512 for display) and the TAESD decoder (full-size
// architecture, random weights: the cost does not depend on the values). Prints the exact
// configuration with each figure. Comparing with one UNet step is the pipelines' benchmark.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "engine/core/cpu_info.h"
#include "engine/core/threads.h"
#include "engine/models/taesd.h"
#include "engine/pipelines/latent_preview.h"

using namespace latentshop;

namespace {

struct Timing {
  double medianMs = 0, minMs = 0, meanMs = 0;
  int runs = 0;
};

Timing measure(int warmup, int runs, const std::function<void()>& fn) {
  for (int i = 0; i < warmup; ++i) fn();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  Timing t;
  t.runs = runs;
  t.medianMs = ms[ms.size() / 2];
  t.minMs = ms.front();
  for (double v : ms) t.meanMs += v / runs;
  return t;
}

void print(const char* what, const Timing& t) {
  std::printf("%-58s median %9.3f ms  min %9.3f ms  mean %9.3f ms  (%d runs)\n", what, t.medianMs, t.minMs, t.meanMs, t.runs);
}

}  // namespace

int main() {
  std::printf("machine: %s\n", latentshop::cpuInfo().describe().c_str());  // figures name their CPU
  const int threads = configureTorchThreads();
  torch::NoGradGuard noGrad;
  torch::manual_seed(0);
  const auto latents = torch::randn({1, 4, 64, 64});
  std::printf("bench_preview: x0 latents [1, 4, 64, 64] float32 on CPU (SD 1.5 at 512x512), torch intra-op threads %d,"
              " libtorch %s\n",
              threads, TORCH_VERSION);

  print("linear latent->RGB, 64x64 CV_8UC3", measure(5, 200, [&] { latentToRgbPreview(latents); }));
  print("linear latent->RGB, upscaled to 512x512 (bilinear)",
        measure(5, 200, [&] { latentToRgbPreview(latents, cv::Size(512, 512)); }));

  AutoencoderTiny plain(AutoencoderTinyConfig{}, /*withEncoder=*/false);
  plain->eval();
  std::printf("TAESD decoder: AutoencoderTiny defaults (channels 64, blocks 3-3-3-1, relu), float32 CPU, random weights\n");
  print("TAESD module decode, NCHW weights (no pixel mapping)", measure(2, 10, [&] { plain->decode(latents); }));
  TaesdPreviewDecoder decoder(AutoencoderTiny(AutoencoderTinyConfig{}, /*withEncoder=*/false));
  print("TAESD preview (channels-last) -> 512x512 CV_8UC3", measure(2, 10, [&] { decoder.decode(latents); }));
  print("TAESD preview (channels-last) -> 256x256 (32x32 latents)",
        measure(2, 10, [&] { decoder.decode(latents.slice(2, 0, 32).slice(3, 0, 32)); }));
  return 0;
}
