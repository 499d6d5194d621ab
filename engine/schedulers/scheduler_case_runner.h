// Runs a scheduler parity case in the format of ../shared/golden/<x>_scheduler.io.safetensors and
// returns the quantities it records, under the same names. Inputs are read from the case file's
// own tensors; which quantities to compute follows from the names present:
//
//   betas, alphas_cumprod (always), final_alpha_cumprod (DDIM)
//   timesteps_{n}, sigmas_{n}          for every n named by a timesteps_{n} or sigmas_{n} key
//   step{n}.t{T}.prev_sample / .pred_original_sample
//                                      independent single steps after setTimesteps(n), from
//                                      step.sample and step.model_output
//   add_noise.t{T}                     from add_noise.original and add_noise.noise (DDIM; the
//                                      other schedulers use the largest timesteps_{n} schedule)
//   seq{n}.timesteps, .sigmas, .init_noise_sigma, .samples, .model_inputs, .pred_original_samples
//                                      the sampling loop from seq{n}.samples[0] driven by the
//                                      recorded seq{n}.model_outputs (pred_original_samples for
//                                      DDIM and Euler, as diffusers 0.26 returns them)
//
// The loop feeds back its own samples (like a pipeline), not the recorded ones.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "engine/schedulers/scheduler.h"

namespace latentshop {

// `inputs`: the case file's tensors by name. Throws Error when a quantity's inputs are missing
// (naming them) or inconsistent (e.g. fewer model outputs than timesteps).
std::vector<std::pair<std::string, torch::Tensor>> runSchedulerCase(Scheduler& scheduler,
                                                                    const std::map<std::string, torch::Tensor>& inputs);

}  // namespace latentshop
