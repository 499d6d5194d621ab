// Loading TAESD (AutoencoderTiny) weights the user configured for live previews.
//
// Accepted:
//  - a diffusers AutoencoderTiny folder (e.g. madebyollin/taesd): config.json +
//    diffusion_pytorch_model.safetensors (or diffusion_pytorch_model.fp16.safetensors);
//  - an original TAESD decoder file, taesd_decoder.safetensors (madebyollin/taesd's own layout,
//    keys "1.weight", "3.conv.0.weight", ...: the Clamp is layer 0 there, so layer k is
//    diffusers' decoder.layers.(k-1)); decoder only, default AutoencoderTiny config.
// The bind is strict (engine/io/state_dict.h): missing, unexpected and mis-shaped keys are all
// listed in one error naming the file. Reference: diffusers/scripts/convert_tiny_autoencoder_to_diffusers.py.
#pragma once
#include <string>

#include <torch/torch.h>

#include "engine/models/taesd.h"

namespace latentshop {

struct TaesdLoadOptions {
  bool withEncoder = false;  // previews need only the decoder; the file's encoder.* keys are then skipped
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat32;
};

// Throws Error naming the path: not found, not an AutoencoderTiny folder (another _class_name),
// no weights file, an encoder-only original file, or the strict bind's report.
AutoencoderTiny loadTaesd(const std::string& path, const TaesdLoadOptions& options = {});

}  // namespace latentshop
