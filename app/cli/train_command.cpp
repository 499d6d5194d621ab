// `latentshop-cli train`: trains the built-in demo models with the engine's own training code
// (engine/training/) and exports them as diffusers folders. Stages run in order (vae, base,
// inpaint, instruct); each keeps a resumable checkpoint, a loss log and a loss curve PNG in the
// work folder, so a killed run continues where it stopped when the same command runs again.
//   latentshop-cli train all --work demo-training --out models/demo --clip-vocab ... --photos ...
//   latentshop-cli train vae --work demo-training --steps 200
//   latentshop-cli train export --work demo-training --out models/demo
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/cli/cli_checks.h"
#include "app/cli/command_registry.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/training/demo_export.h"
#include "engine/training/demo_samples.h"
#include "engine/training/demo_trainer.h"

namespace {

using namespace latentshop;
using namespace latentshop::training;

struct TrainCliOptions {
  std::string stage;
  std::string work = "demo-training";
  std::string out;
  std::string clipVocab;
  std::vector<std::string> photoFolders, photoFiles;
  std::int64_t steps = -1, batch = -1, checkpointEvery = 100;
  std::uint64_t seed = 1;
  bool restart = false;
  std::string dtype = "fp16";
  std::string samplesOf;
};

std::string clock(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

// A progress bar on a terminal (redrawn in place), one line every 50 steps otherwise (logs, CI).
bool report(const TrainProgress& p) {
  static const bool tty = isatty(STDERR_FILENO) != 0;
  const double frac = p.total ? static_cast<double>(p.step) / static_cast<double>(p.total) : 1.0;
  const double eta = p.secondsPerStep * static_cast<double>(p.total - p.step);
  if (tty) {
    const int width = 30, filled = static_cast<int>(frac * width);
    std::string bar;
    for (int i = 0; i < width; ++i) bar += i < filled ? "#" : "-";
    std::fprintf(stderr, "\r%-8s [%s] %5ld/%-5ld loss %.4f  lr %.1e  %.2f s/step  ETA %s   ", p.stage.c_str(),
                 bar.c_str(), p.step, p.total, p.loss, p.lr, p.secondsPerStep, clock(eta).c_str());
    if (p.step == p.total) std::fprintf(stderr, "\n");
  } else if (p.step % 50 == 0 || p.step == p.total || p.step == p.resumedFrom + 1) {
    std::fprintf(stderr, "%s step %ld/%ld (%.0f%%) loss %.4f lr %.1e %.2f s/step ETA %s\n", p.stage.c_str(), p.step,
                 p.total, frac * 100.0, p.loss, p.lr, p.secondsPerStep, clock(eta).c_str());
  }
  return true;
}

void runStage(const TrainCliOptions& o, const std::string& stage) {
  TrainOptions t;
  t.workDir = o.work;
  t.stage = stage;
  t.steps = o.steps;
  t.batch = o.batch;
  t.seed = o.seed;
  t.checkpointEvery = o.checkpointEvery;
  t.clipVocab = o.clipVocab;
  t.photoFolders = o.photoFolders;
  t.photoFiles = o.photoFiles;
  t.resume = !o.restart;
  const auto r = trainDemoStage(demoRecipe(), t, report);
  std::printf("%s: %s at step %ld of %ld%s, %.1f s this run (%.3f s/step), mean loss of the last 50 steps %.5f\n",
              stage.c_str(), r.finished ? "finished" : "stopped", r.steps, r.total,
              r.resumedFrom > 0 ? (" (resumed from " + std::to_string(r.resumedFrom) + ")").c_str() : "", r.seconds,
              r.steps > r.resumedFrom ? r.seconds / static_cast<double>(r.steps - r.resumedFrom) : 0.0, r.meanLoss);
  std::printf("  checkpoint %s\n  loss log   %s\n  loss curve %s\n", r.checkpoint.c_str(), r.lossLog.c_str(),
              r.lossCurve.c_str());
  std::fflush(stdout);
}

void runExport(const TrainCliOptions& o) {
  if (o.out.empty()) throw Error("train export: --out is required (e.g. models/demo)");
  DemoExportOptions e;
  e.workDir = o.work;
  e.outDir = o.out;
  e.clipVocab = o.clipVocab;
  if (o.dtype == "fp16") e.dtype = c10::kHalf;
  else if (o.dtype == "bf16") e.dtype = c10::kBFloat16;
  else if (o.dtype == "fp32") e.dtype = c10::kFloat;
  else throw Error("train export: --dtype must be fp16, bf16 or fp32, not '" + o.dtype + "'");
  exportDemoModels(demoRecipe(), e);
  std::printf("exported %s/plain, %s/inpaint and %s/instruct (%s)\n", o.out.c_str(), o.out.c_str(), o.out.c_str(),
              o.dtype.c_str());
}

void run(const TrainCliOptions& o) {
  configureTorchThreads();
  if (o.clipVocab.empty() && o.stage != "vae" && !(o.stage == "samples" && o.samplesOf == "vae"))
    throw Error("train " + o.stage + ": --clip-vocab is required (CLIP's bpe_simple_vocab_16e6.txt.gz)");
  if (o.stage == "export") return runExport(o);
  if (o.stage == "samples") {
    const std::string which = o.samplesOf.empty() ? "base" : o.samplesOf;
    std::printf("%s\n", writeStageSamples(demoRecipe(), o.work, which, o.clipVocab, o.photoFolders, o.photoFiles).c_str());
    return;
  }
  if (o.stage != "all") return runStage(o, o.stage);
  if (o.steps >= 0) throw Error("train all: --steps applies to one stage; run the stages one by one to change it");
  for (const auto& s : demoRecipe().stages) runStage(o, s.name);
  if (!o.out.empty()) runExport(o);
}

void setup(CLI::App& app) {
  auto opts = std::make_shared<TrainCliOptions>();
  auto* cmd = app.add_subcommand("train", "Train the built-in demo models (engine/training) and export them");
  cmd->add_option("stage", opts->stage, "vae, base, inpaint, instruct, all (every stage, then export), export, or samples (a PNG of a stage's results)")
      ->required()
      ->check(CLI::IsMember({"vae", "base", "inpaint", "instruct", "all", "export", "samples"}));
  cmd->add_option("--of", opts->samplesOf, "samples: the stage to show (vae or base; default base)");
  cmd->add_option("--work", opts->work, "Work folder: checkpoints, loss logs and curves (default demo-training)");
  cmd->add_option("--out", opts->out, "Where export writes plain/ inpaint/ instruct/ (e.g. models/demo)");
  cmd->add_option("--clip-vocab", opts->clipVocab, "CLIP vocabulary: bpe_simple_vocab_16e6.txt.gz or a tokenizer folder");
  cmd->add_option("--photos", opts->photoFolders, "Folder of photos to crop backgrounds from (repeatable)");
  cmd->add_option("--photo", opts->photoFiles, "One more photo (repeatable; missing files are skipped)");
  cmd->add_option("--steps", opts->steps, "Steps of this stage (default: the recipe's)")->check(CLI::Range(1, 1000000));
  cmd->add_option("--batch", opts->batch, "Images per step (default: the recipe's)")->check(CLI::Range(1, 1024));
  latentshop::cli::addSeedOption(cmd, "--seed", opts->seed, "Seed of every random draw");
  cmd->add_option("--checkpoint-every", opts->checkpointEvery, "Steps between checkpoints (default 100)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_flag("--restart", opts->restart, "Start the stage over even if a checkpoint exists");
  cmd->add_option("--dtype", opts->dtype, "Exported weights: fp16 (default), bf16 or fp32");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace
LATENTSHOP_CLI_COMMAND(train, setup)
