// Fresh weights for a network built with uninitialised parameters (our modules are created with
// torch::empty so that loading never initialises twice): PyTorch's own defaults, chosen by the
// parameter's name and shape, drawn from one seeded generator in name order so a seed gives the
// same network on every machine.
//  - Conv / Linear weights ([out, in, ...]): kaiming_uniform(a = √5), i.e. U(±1/√fan_in);
//  - their biases: U(±1/√fan_in) of the weight beside them;
//  - norm weights 1, norm biases 0 (GroupNorm / LayerNorm);
//  - embeddings (token / position): N(0, 0.02), as transformers' CLIPTextModel._init_weights.
// Reference: torch/nn/modules/conv.py and linear.py reset_parameters; transformers
// models/clip/modeling_clip.py CLIPPreTrainedModel._init_weights.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace latentshop::training {

// Initialises every parameter of `module` (buffers untouched) and marks it as requiring grad.
void initialiseParameters(torch::nn::Module& module, std::uint64_t seed);

// Zeroes the parameters whose names end with one of `suffixes` (e.g. a UNet's "conv_out.weight"
// for a zero-initialised output, as ControlNet / InstructPix2Pix do for new input channels).
void zeroParameters(torch::nn::Module& module, const std::vector<std::string>& suffixes);

}  // namespace latentshop::training
