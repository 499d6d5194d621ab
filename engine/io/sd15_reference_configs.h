// The configs of Stable Diffusion 1.5's components (stable-diffusion-v1-5/stable-diffusion-v1-5 on
// the Hub), used for single-file checkpoints, which carry none: the UNet (its in_channels then
// taken from the file's conv_in.weight: 4 plain, 9 inpainting, 8 InstructPix2Pix), the VAE, the
// CLIP ViT-L/14 text encoder, the tokenizer and the scheduler (PNDM with SD's betas).
// Reference: the Hub repository's unet/config.json, vae/config.json, text_encoder/config.json,
// tokenizer/tokenizer_config.json and scheduler/scheduler_config.json.
#pragma once
#include <nlohmann/json.hpp>

namespace latentshop::sd15 {

nlohmann::json unetConfig();
nlohmann::json vaeConfig();
nlohmann::json textEncoderConfig();
nlohmann::json tokenizerConfig();
nlohmann::json schedulerConfig();

}  // namespace latentshop::sd15
