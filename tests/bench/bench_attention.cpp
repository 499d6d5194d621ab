// The attention kernel alone at SD 1.5's shapes (batch 2, 8 heads): self-attention over 64×64 and 32×32
// latents' tokens (head dim 40, 80) and cross-attention to 77 text tokens, fp32 and bf16, for each
// hand-written path (batched bmm, per-head oneDNN). Prints median wall and CPU seconds per call
// and the peak RSS growth of each case.
//   bench_attention [--reps 3] [--score-mb 16]
#include <cstdio>
#include <string>
#include <vector>

#include "bench_common.h"
#include "engine/core/cpu_info.h"
#include "engine/core/device.h"
#include "engine/core/threads.h"
#include "engine/nn/attention_kernel.h"

using namespace latentshop;

int main(int argc, char** argv) {
  std::printf("machine: %s\n", latentshop::cpuInfo().describe().c_str());  // figures name their CPU
  lsbench::Args args(argc, argv);
  configureTorchThreads();
  auto settings = nn::attentionKernelSettings();
  settings.maxScoreBytes = args.integer("score-mb", settings.maxScoreBytes >> 20) << 20;
  nn::setAttentionKernelSettings(settings);
  const int reps = static_cast<int>(args.integer("reps", 3));
  torch::InferenceMode inference;
  std::printf("bench_attention: %d threads, score chunk %lld MiB, load average %s\n", at::get_num_threads(),
              static_cast<long long>(settings.maxScoreBytes >> 20), lsbench::loadAverage().c_str());
  struct Shape { const char* name; int64_t nq, nk, d; };
  const Shape shapes[] = {{"self 64x64 (4096 tok, d 40)", 4096, 4096, 40},
                          {"self 32x32 (1024 tok, d 80)", 1024, 1024, 80},
                          {"cross 64x64 -> 77 (d 40)", 4096, 77, 40}};
  using Path = nn::AttentionKernelOptions::Path;
  for (auto dtype : {torch::kFloat, torch::kBFloat16}) {
    for (const auto& s : shapes) {
      auto q = torch::randn({2, 8, s.nq, s.d}).to(dtype), k = torch::randn({2, 8, s.nk, s.d}).to(dtype),
           v = torch::randn({2, 8, s.nk, s.d}).to(dtype);
      for (auto path : {Path::Batched, Path::PerHeadOneDnn}) {
        nn::AttentionKernelOptions o;
        o.scale = 1.0 / std::sqrt(static_cast<double>(s.d));
        o.path = path;
        o.allowSdpa = false;
        lsbench::resetPeakRss();
        const double rss0 = lsbench::rssMiB();
        std::vector<double> wall, cpu;
        for (int i = 0; i < reps + 1; ++i) {
          auto t = lsbench::timed([&] { auto out = nn::scaledDotProductAttention(q, k, v, o); });
          if (i > 0) wall.push_back(t.wall), cpu.push_back(t.cpu);
        }
        std::printf("%s %-28s %-13s median %.4f s wall, %.4f CPU s | peak RSS +%.0f MiB\n", dtypeName(dtype).c_str(),
                    s.name, path == Path::Batched ? "batched" : "per-head-onednn", lsbench::median(wall),
                    lsbench::median(cpu), lsbench::peakRssMiB() - rss0);
      }
    }
  }
  return 0;
}
