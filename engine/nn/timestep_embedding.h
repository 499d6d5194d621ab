// Sinusoidal timestep embedding (diffusers' get_timestep_embedding / Timesteps, computed in float32
// exactly as the reference orders its operations) and the TimestepEmbedding MLP (linear_1 → act →
// linear_2 [→ post_act]).
// Reference: diffusers/src/diffusers/models/embeddings.py.
#pragma once
#include <cstdint>
#include <optional>

#include <torch/torch.h>

#include "engine/nn/activation.h"
#include "engine/nn/lora_linear.h"
#include "engine/nn/module_base.h"

namespace latentshop::nn {

// timesteps: 1-D (any numeric dtype) → float32 [N, dim].
torch::Tensor sinusoidalTimestepEmbedding(const torch::Tensor& timesteps, int64_t dim, bool flipSinToCos,
                                          double downscaleFreqShift, double scale = 1.0, double maxPeriod = 10000.0);

class TimestepEmbeddingImpl : public PathedModule {
public:
  TimestepEmbeddingImpl(int64_t inChannels, int64_t timeEmbedDim, Activation act, std::optional<Activation> postAct,
                        const torch::TensorOptions& t);
  torch::Tensor forward(const torch::Tensor& sample);

  LoraLinear linear_1{nullptr}, linear_2{nullptr};

private:
  Activation act_;
  std::optional<Activation> postAct_;
};
TORCH_MODULE(TimestepEmbedding);

}  // namespace latentshop::nn
