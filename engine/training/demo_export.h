// Writes the demo models as ordinary diffusers folders from a finished training work folder:
//   <out>/plain/      StableDiffusionPipeline              (4-channel UNet: blended inpaint, drag)
//   <out>/inpaint/    StableDiffusionInpaintPipeline       (9-channel UNet)
//   <out>/instruct/   StableDiffusionInstructPix2PixPipeline (8-channel UNet)
// Each holds model_index.json, unet/, scheduler/; vae/, text_encoder/ and tokenizer/ live in plain/
// and the other two link to them (relative symlinks), so the shared parts are stored once. Weights
// are written in `dtype` (fp16 by default) under the standard file names, plus <out>/training.json:
// the recipe, the seed and every stage's steps, time and final loss.
#pragma once
#include <string>

#include <c10/core/ScalarType.h>

#include "engine/training/demo_recipe.h"

namespace latentshop::training {

struct DemoExportOptions {
  std::string workDir, outDir;
  std::string clipVocab;                  // bpe_simple_vocab_16e6.txt.gz (the tokenizer folder is made from it)
  c10::ScalarType dtype = c10::kHalf;     // kHalf or kBFloat16 (kFloat for debugging)
  bool symlinkShared = true;              // false: copy vae/ text_encoder/ tokenizer/ into each folder
};

// Throws Error naming the stage that is missing or unfinished.
void exportDemoModels(const DemoRecipe& recipe, const DemoExportOptions& options);

}  // namespace latentshop::training
