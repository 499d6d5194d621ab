// AdamW over named parameters, with its state (step, first and second moments) kept by parameter
// name so that a training checkpoint is a plain safetensors file: weights "<name>", moments
// "adam.m.<name>" / "adam.v.<name>", and the step in the metadata. Loading it back gives bit for bit
// the optimiser that was saved, so a resumed run continues exactly where the killed one stopped.
// The update is torch.optim.AdamW's (decoupled weight decay, bias-corrected moments), with an
// optional global gradient-norm clip as in diffusers' training scripts (clip_grad_norm_).
// Reference: torch/optim/adamw.py (_single_tensor_adamw), torch/nn/utils/clip_grad.py.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace latentshop::training {

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 1e-2;
  double maxGradNorm = 1.0;  // <= 0: no clipping
};

class AdamW {
public:
  // `params`: name → parameter (requires grad). Names must be unique across all modules trained.
  AdamW(std::map<std::string, torch::Tensor> params, AdamWOptions options);

  void zeroGrad();
  // One update at learning rate `lr` (the schedule's value for this step). Returns the gradient's
  // global norm before clipping.
  double step(double lr);

  std::int64_t stepCount() const { return step_; }
  const std::map<std::string, torch::Tensor>& parameters() const { return params_; }

  // Weights and moments, for writeSafetensors; the step goes in the metadata ("step").
  std::vector<std::pair<std::string, torch::Tensor>> stateTensors() const;
  // Restores weights, moments and step from a checkpoint written with stateTensors(). Throws Error
  // naming `source` when a parameter or moment is missing or has another shape.
  void loadState(const std::map<std::string, torch::Tensor>& tensors, std::int64_t step, const std::string& source);

private:
  std::map<std::string, torch::Tensor> params_;
  std::map<std::string, torch::Tensor> m_, v_;
  AdamWOptions options_;
  std::int64_t step_ = 0;
};

}  // namespace latentshop::training
