// Benchmark: SD 1.5's text encoder (CLIP ViT-L/14 text tower: hidden 768, 12 layers, 12 heads,
// MLP 3072, quick_gelu, 77 positions, vocab 49408) on the CPU in fp32 and bf16, batch 2 × 77 tokens
// (CFG's [uncond, cond]), random weights; plus the tokenizer's throughput. Prints the exact
// configuration with each figure so the same run can be repeated with transformers:
//   CLIPTextModel(CLIPTextConfig(hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
//   num_attention_heads=12, hidden_act="quick_gelu")).to(dtype).eval(); model(ids) under inference_mode.
// Usage: bench_text_encoder [runs=10]  (LATENTSHOP_THREADS sets the thread count)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "engine/core/cpu_info.h"
#include "support/test_paths.h"
#include "engine/core/device.h"
#include "engine/core/threads.h"
#include "engine/models/clip_text_model.h"
#include "engine/tokenizer/clip_tokenizer.h"

using namespace latentshop;
using Clock = std::chrono::steady_clock;

namespace {

double peakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

void randomize(ClipTextModel& model) {
  torch::NoGradGuard g;
  for (auto& p : model->named_parameters()) {
    const auto& name = p.key();
    auto& t = p.value();
    const bool norm = name.find("layer_norm") != std::string::npos;
    if (norm && name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0) t.fill_(1.0);
    else if (norm || name.compare(name.size() - 4, 4, "bias") == 0) t.zero_();
    else t.normal_(0.0, 0.02);
  }
}

void benchEncoder(c10::ScalarType dtype, int runs) {
  torch::manual_seed(0);
  const auto config = ClipTextConfig::sd15();
  const auto t0 = Clock::now();
  ClipTextModel model(config, torch::TensorOptions().dtype(dtype));
  randomize(model);
  const double buildMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  torch::InferenceMode inference;
  auto ids = torch::randint(0, 49406, {2, 77}, torch::kLong);
  ids.index_put_({torch::indexing::Slice(), 0}, 49406);
  ids.index_put_({torch::indexing::Slice(), torch::indexing::Slice(20, torch::indexing::None)}, 49407);
  model->forward(ids);  // warm-up (oneDNN primitive creation, allocator)
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto s = Clock::now();
    const auto out = model->forward(ids);
    (void)out.lastHiddenState.sum().item<double>();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
  }
  std::sort(ms.begin(), ms.end());
  double mean = 0;
  for (double m : ms) mean += m;
  mean /= ms.size();
  std::printf(
      "text_encoder CLIP ViT-L/14 (hidden 768, 12 layers, 12 heads, mlp 3072, quick_gelu) | cpu %s | %d threads | "
      "batch 2 x 77 tokens | forward: median %.1f ms, mean %.1f ms, min %.1f ms over %d runs | build+random init "
      "%.0f ms | peak RSS %.0f MiB\n",
      dtypeName(dtype).c_str(), at::get_num_threads(), ms[ms.size() / 2], mean, ms.front(), runs, buildMs,
      peakRssMiB());
  std::fflush(stdout);
}

void benchTokenizer() {
  const auto t0 = Clock::now();
  const auto tok = ClipTokenizer::fromPath(lstest::clipVocabPath());
  const double loadMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const std::string prompt =
      "a highly detailed photograph of an old lighthouse on a rocky cliff at sunset, dramatic clouds, crashing "
      "waves, golden hour lighting, cinematic composition, trending on artstation";
  const int n = 200;
  const auto s = Clock::now();
  int tokens = 0;
  for (int i = 0; i < n; ++i) tokens += tok.encode(prompt + " " + std::to_string(i)).numTokens;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - s).count();
  std::printf("tokenizer CLIP BPE (bpe_simple_vocab_16e6.txt.gz, ftfy-equivalent clean-up) | load %.0f ms | "
              "%d prompts of ~%d tokens: %.3f ms per prompt\n",
              loadMs, n, tokens / n, ms / n);
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("machine: %s\n", latentshop::cpuInfo().describe().c_str());  // figures name their CPU
  configureTorchThreads();
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
  benchTokenizer();
  benchEncoder(c10::kFloat, runs);
  benchEncoder(c10::kBFloat16, runs);
  return 0;
}
