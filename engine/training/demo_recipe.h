// The recipe of Latentshop's built-in demo models (models/demo): the component configs and the
// training stages, in the order `latentshop-cli train all` runs them.
//  1. vae       AutoencoderKL, 32 px RGB ↔ 8×8×4 latents (factor 4), trained on scenes + photo crops;
//  2. base      the plain 4-channel UNet and the CLIP text encoder (CLIP's full 49408-token
//               vocabulary) trained together on captioned scenes, VAE frozen;
//  3. inpaint   the 9-channel inpainting UNet, started from `base` with zero weights for the 5 new
//               input channels (how SD 1.5 inpainting was made from SD 1.2), text encoder frozen;
//  4. instruct  the 8-channel InstructPix2Pix UNet, started from `base` the same way, trained on
//               instruction pairs with IP2P's conditioning dropout.
// Configs are diffusers' / transformers' config.json contents (SD 1.5's with smaller sizes), so the
// exported folders load through the ordinary loaders.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentshop::training {

struct StageRecipe {
  std::string name;        // vae | base | inpaint | instruct
  std::int64_t steps = 0;  // optimiser steps
  std::int64_t batch = 0;  // images per step
  double lr = 0.0;         // peak learning rate (linear warm-up, cosine decay to 10 %)
  std::int64_t warmup = 0;
};

struct DemoRecipe {
  int imageSize = 32;  // pixels the models are trained at (the UNets' sample_size × 4)
  nlohmann::json vae, textEncoder, unet;  // unet: the plain one; inpaint/instruct change in_channels
  nlohmann::json scheduler;
  std::vector<StageRecipe> stages;
  const StageRecipe& stage(const std::string& name) const;  // throws Error naming the stages
};

// The recipe the shipped models were trained with. `scale` < 1 shrinks every stage's step count
// (tests train a few steps of the real recipe).
DemoRecipe demoRecipe();

// The UNet config of a kind: "plain" (4), "inpainting" (9), "instruct" (8 input channels).
nlohmann::json demoUnetConfig(const DemoRecipe& recipe, const std::string& kind);

// The settings each exported folder recommends (its latentshop.json, engine/io/model_defaults.h):
// the guidance these small models work at. Strong classifier-free guidance pushes their latents
// beyond what the tiny VAE decodes ("a green square" at 7.5 comes out as a smear of red and cyan),
// so they ask for less than SD's 7.5: 4 for text-to-image and inpainting, none (1) for instruct.
nlohmann::json demoModelDefaults(const std::string& kind);

}  // namespace latentshop::training
