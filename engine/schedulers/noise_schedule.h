// The training noise schedule every scheduler starts from: betas (linear, scaled_linear,
// squaredcos_cap_v2 or given), the zero-terminal-SNR rescale, alphas_cumprod and the training
// sigmas, computed in float32 with the same torch ops diffusers uses, plus dynamic thresholding.
// Reference: diffusers/src/diffusers/schedulers/scheduling_ddim.py (`betas_for_alpha_bar`,
// `rescale_zero_terminal_snr`, `__init__`, `_threshold_sample`), diffusers 0.26.3.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace latentshop {

// float32 [numTrainTimesteps]. `schedule`: "linear", "scaled_linear" or "squaredcos_cap_v2";
// `trainedBetas`, when given, wins (as diffusers' `trained_betas`). Throws Error for another name.
torch::Tensor makeBetas(const std::string& schedule, int64_t numTrainTimesteps, double betaStart,
                        double betaEnd, const std::optional<std::vector<double>>& trainedBetas);

// Glide's cosine schedule: betas from alpha_bar(t) = cos((t + 0.008) / 1.008 * pi / 2)^2, each
// capped at maxBeta; computed in float64 like diffusers, returned as float32.
torch::Tensor betasForAlphaBar(int64_t numDiffusionTimesteps, double maxBeta = 0.999);

// Lin et al. 2023, Algorithm 1: rescale betas to a zero terminal SNR (float32 in/out).
torch::Tensor rescaleZeroTerminalSnr(const torch::Tensor& betas);

// sqrt((1 - alphas_cumprod) / alphas_cumprod), float32, as a float32 vector (index = timestep).
std::vector<float> trainingSigmas(const torch::Tensor& alphasCumprod);

// Imagen's dynamic thresholding of a predicted x0 (`_threshold_sample`): per sample, s = the
// `ratio` quantile of |x0| clamped to [1, maxValue]; x0 is clamped to [-s, s] and divided by s.
torch::Tensor dynamicThreshold(const torch::Tensor& sample, double ratio, double maxValue);

// DDIM's and PNDM's integer inference timesteps for `spacing`, high noise first, computed with
// NumPy's arithmetic: linspace round(linspace(0, T - 1, n)); leading arange(n) * (T // n) +
// stepsOffset; trailing round(arange(T, 0, -T / n)) - 1 (trailing ignores the offset, as diffusers).
std::vector<int64_t> integerInferenceTimesteps(const std::string& spacing, int64_t numTrainTimesteps, int64_t n,
                                               int64_t stepsOffset);

// sqrt(acp[t]) and sqrt(1 - acp[t]) for `timesteps`, with acp cast to `like`'s dtype and device
// first (as diffusers does), shaped [T, 1, ...] to broadcast over `like`.
std::pair<torch::Tensor, torch::Tensor> alphaNoiseCoefficients(const torch::Tensor& alphasCumprod,
                                                               const torch::Tensor& timesteps, const torch::Tensor& like);
// The alphas_cumprod-space schedulers' add_noise (DDIM, PNDM): sqrt(acp[t]) * original +
// sqrt(1 - acp[t]) * noise.
torch::Tensor addNoiseAtAlphasCumprod(const torch::Tensor& alphasCumprod, const torch::Tensor& original,
                                      const torch::Tensor& noise, const torch::Tensor& timesteps);

// The Euler family (sigma-space schedulers), shared as diffusers' "Copied from" code is:
// init_noise_sigma from the step sigmas — max sigma for linspace/trailing spacing, sqrt(max^2 + 1)
// for leading — in float32.
double sigmaSpaceInitNoiseSigma(const torch::Tensor& sigmas, const std::string& timestepSpacing);
// Their add_noise: original + noise * sigma(t), each t looked up in `scheduleTimesteps` (first
// match); a t that is not there throws Error naming `who` (the scheduler's class).
torch::Tensor addNoiseAtSigmas(const torch::Tensor& original, const torch::Tensor& noise,
                               const torch::Tensor& timesteps, const torch::Tensor& scheduleTimesteps,
                               const torch::Tensor& sigmas, const std::string& who);

}  // namespace latentshop
