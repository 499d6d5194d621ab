// Trains one stage of the demo recipe (demo_recipe.h) with the engine's own modules, in a work
// folder that holds, per stage:
//   <work>/<stage>/checkpoint.safetensors   weights + AdamW moments, metadata: step, target steps,
//                                           seed, batch, the latent scaling factor
//   <work>/<stage>/losses.csv               one row per step
//   <work>/<stage>/loss.png                 the loss curve
// A checkpoint is written every `checkpointEvery` steps and at the end (atomically: a kill leaves
// the previous one), and a run that finds one continues from it. Every random draw of step k comes
// from generators seeded with (seed, stage, k), so a resumed run computes exactly the steps an
// uninterrupted one would (same thread count, same machine: float sums are not associative).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/training/demo_recipe.h"

namespace latentshop::training {

struct TrainOptions {
  std::string workDir;
  std::string stage;               // vae | base | inpaint | instruct
  std::int64_t steps = -1;         // -1: the recipe's
  std::int64_t batch = -1;         // -1: the recipe's
  std::uint64_t seed = 1;
  std::int64_t checkpointEvery = 100;
  std::string clipVocab;           // bpe_simple_vocab_16e6.txt.gz, vocab.json or a tokenizer folder
  std::vector<std::string> photoFolders, photoFiles;
  bool resume = true;              // false: start over even when a checkpoint exists
};

struct TrainProgress {
  std::string stage;
  std::int64_t step = 0, total = 0;  // steps done (including resumed ones) of total
  double loss = 0.0, lr = 0.0;
  double secondsPerStep = 0.0;       // mean over this run's steps
  std::int64_t resumedFrom = 0;
};
// After every step; return false to stop (a checkpoint is written first).
using TrainProgressFn = std::function<bool(const TrainProgress&)>;

struct TrainStageResult {
  std::int64_t steps = 0, total = 0, resumedFrom = 0;
  bool finished = false;   // steps == total
  double seconds = 0.0;    // this run's training time
  double meanLoss = 0.0;   // of the last 50 steps
  std::string checkpoint, lossLog, lossCurve;
};

TrainStageResult trainDemoStage(const DemoRecipe& recipe, const TrainOptions& options, const TrainProgressFn& progress = {});

// The stage folder's checkpoint path, and whether that stage is finished (its step = its target).
std::string stageCheckpointPath(const std::string& workDir, const std::string& stage);
bool stageFinished(const std::string& workDir, const std::string& stage);

}  // namespace latentshop::training
