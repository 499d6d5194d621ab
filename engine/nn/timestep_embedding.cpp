#include "engine/nn/timestep_embedding.h"

#include <cmath>

namespace latentshop::nn {

torch::Tensor sinusoidalTimestepEmbedding(const torch::Tensor& timesteps, int64_t dim, bool flipSinToCos,
                                          double downscaleFreqShift, double scale, double maxPeriod) {
  const int64_t half = dim / 2;
  auto fopts = torch::TensorOptions().dtype(torch::kFloat).device(timesteps.device());
  // Same operation order as the reference: (-ln(maxPeriod) · arange) / (half - shift), exp, t · freq, · scale.
  auto exponent = torch::arange(0, half, fopts) * (-std::log(maxPeriod));
  exponent = exponent / (static_cast<double>(half) - downscaleFreqShift);
  auto freqs = torch::exp(exponent);
  auto emb = timesteps.unsqueeze(1).to(torch::kFloat) * freqs.unsqueeze(0);
  emb = emb * scale;
  emb = torch::cat({torch::sin(emb), torch::cos(emb)}, -1);
  if (flipSinToCos) emb = torch::cat({emb.narrow(1, half, half), emb.narrow(1, 0, half)}, -1);
  if (dim % 2 == 1) emb = torch::constant_pad_nd(emb, {0, 1, 0, 0});
  return emb;
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t inChannels, int64_t timeEmbedDim, Activation act,
                                             std::optional<Activation> postAct, const torch::TensorOptions& t)
    : act_(act), postAct_(postAct) {
  linear_1 = register_module("linear_1", LoraLinear(inChannels, timeEmbedDim, true, t));
  linear_2 = register_module("linear_2", LoraLinear(timeEmbedDim, timeEmbedDim, true, t));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& sample) {
  auto h = applyActivation(act_, linear_1(sample), inplaceAllowed());
  h = linear_2(h);
  if (postAct_) h = applyActivation(*postAct_, h, inplaceAllowed());
  return h;
}

}  // namespace latentshop::nn
