// A look at a training stage while it runs or after: `latentshop-cli train samples STAGE` writes
// <work>/<stage>/samples.png from the stage's latest checkpoint.
//  - vae:  8 seeded scenes and photo crops (top row) over their reconstructions (bottom row);
//  - base: text-to-image samples for 8 fixed captions (DDIM, 25 steps, guidance 5, seeded).
// Images are shown at 4× (nearest), so single pixels stay visible.
#pragma once
#include <string>
#include <vector>

#include "engine/training/demo_recipe.h"

namespace latentshop::training {

// Returns the PNG's path. Throws Error when the stage has no checkpoint or has no samples (the
// inpaint and instruct stages are judged through their pipelines instead: tests/engine).
std::string writeStageSamples(const DemoRecipe& recipe, const std::string& workDir, const std::string& stage,
                              const std::string& clipVocab, const std::vector<std::string>& photoFolders,
                              const std::vector<std::string>& photoFiles);

}  // namespace latentshop::training
