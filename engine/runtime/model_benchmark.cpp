#include "engine/runtime/model_benchmark.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "engine/core/error.h"
#include "engine/core/process_memory.h"

namespace latentshop {

namespace {
double wallSeconds(const std::function<void()>& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

double medianOf(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double BenchTiming::median() const { return medianOf(seconds); }

void fillRandomWeights(torch::nn::Module& module, uint64_t seed) {
  torch::NoGradGuard noGrad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& p : module.named_parameters()) {
    auto& t = p.value();
    const auto& name = p.key();
    const bool isBias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    if (isBias) {
      t.normal_(0.0, 0.02, gen);
    } else if (t.dim() == 1) {
      t.fill_(1.0);
    } else {
      const double fanIn = static_cast<double>(t.numel() / t.size(0));
      t.normal_(0.0, 1.0 / std::sqrt(fanIn), gen);
    }
  }
}

BenchTiming timeRuns(int reps, const std::function<void()>& run, bool warmUp) {
  BenchTiming t;
  if (warmUp) t.warmUpSeconds = wallSeconds(run);
  resetPeakRss();
  for (int i = 0; i < reps; ++i) t.seconds.push_back(wallSeconds(run));
  t.peakRssMiB = peakRssMiB();
  return t;
}

std::function<void()> vaeBenchRun(AutoencoderKL& vae, const std::string& what, int64_t size) {
  if (size < 8 || size % 8 != 0) throw Error("bench: --size must be a positive multiple of 8, got " + std::to_string(size));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(20);
  if (what == "decode") {
    const int64_t l = vae->config().latentChannels;
    auto z = torch::randn({1, l, size / 8, size / 8}, gen);
    return [&vae, z] {
      torch::InferenceMode inference;
      vae->decode(z);
    };
  }
  if (what == "encode") {
    auto image = torch::rand({1, vae->config().inChannels, size, size}, gen) * 2 - 1;
    return [&vae, image] {
      torch::InferenceMode inference;
      vae->encode(image);
    };
  }
  throw Error("bench: unknown VAE operation '" + what + "' (expected decode or encode)");
}

std::function<void()> unetBenchRun(UNet2DConditionModel& unet, int64_t size, int64_t batch) {
  if (size < 8 || size % 8 != 0) throw Error("bench: --size must be a positive multiple of 8, got " + std::to_string(size));
  if (batch < 1) throw Error("bench: --batch must be at least 1");
  const auto& c = unet->config();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(21);
  const auto options = torch::TensorOptions().dtype(unet->dtype()).device(unet->device());
  auto sample = torch::randn({batch, c.inChannels, size / 8, size / 8}, gen).to(options);
  const int64_t contextDim = c.crossAttentionDim.empty() ? 1280 : c.crossAttentionDim.front();
  auto context = torch::randn({batch, 77, contextDim}, gen).to(options);
  return [&unet, sample, context] {
    torch::InferenceMode inference;
    unet->forward(sample, 500, context);
  };
}

std::string benchRow(const std::string& what, const BenchTiming& t) {
  std::string runs;
  for (double s : t.seconds) {
    char b[32];
    std::snprintf(b, sizeof b, "%s%.2f", runs.empty() ? "" : " ", s);
    runs += b;
  }
  char line[512];
  std::snprintf(line, sizeof line, "| %s | %.2f s | %s | %.0f MiB |", what.c_str(), t.median(), runs.c_str(),
                t.peakRssMiB);
  return line;
}

}  // namespace latentshop
