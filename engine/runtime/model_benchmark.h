// Timing model operations the same way for `latentshop-cli bench` (a user's own model and machine)
// and tests/bench (random weights, side by side with diffusers): one warm-up run, then `reps` timed
// runs, their median, and the process's peak RSS over the timed runs (weights included).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/models/autoencoder_kl.h"
#include "engine/models/unet_2d_condition.h"

namespace latentshop {

// Median of `values` (0 when empty).
double medianOf(std::vector<double> values);

// Fills a model's parameters with plausible random values for timing without real weights:
// weights ~ N(0, 1/fan_in), other 1-D parameters (norm weights) 1, biases ~ N(0, 0.02²).
// Deterministic for a seed.
void fillRandomWeights(torch::nn::Module& module, uint64_t seed);

struct BenchTiming {
  std::vector<double> seconds;  // wall seconds of each timed run
  double warmUpSeconds = 0.0;
  double peakRssMiB = -1.0;     // -1 where the kernel does not report it
  double median() const;
};

// Runs `run` once untimed (unless warmUp is false), then `reps` times.
BenchTiming timeRuns(int reps, const std::function<void()>& run, bool warmUp = true);

// One VAE operation on a fixed random input at an image side of `size` pixels: "decode" (latent
// [1, latent_channels, size/8, size/8] → image) or "encode" (image [1, 3, size, size] → posterior mean).
std::function<void()> vaeBenchRun(AutoencoderKL& vae, const std::string& what, int64_t size);

// One UNet step as a CFG pipeline makes it: batch `batch` of random latents at size/8, a random
// context of 77 tokens × cross_attention_dim, timestep 500.
std::function<void()> unetBenchRun(UNet2DConditionModel& unet, int64_t size, int64_t batch);

// "| what | median s | runs | peak RSS |" rows share this layout in every benchmark's output.
std::string benchRow(const std::string& what, const BenchTiming& t);

}  // namespace latentshop
