// `latentshop-cli tensors run <what>` and `tensors schedule <what>`: parity harness entry points.
// Each model/pipeline/scheduler file registers its runner here (one file each), e.g.
//
//   static void runUnet(const latentshop::cli::TensorRunOptions& o) { ... writeSafetensors(o.out, ...); }
//   LATENTSHOP_TENSOR_RUNNER(run, unet, runUnet)
//
// Conventions follow ../shared/golden/README.md: read the `in.*` tensors of --inputs, write the
// matching `out.*` tensors to --out. Runners throw latentshop::Error for bad input.
#pragma once
#include <functional>
#include <map>
#include <string>

namespace latentshop::cli {

struct TensorRunOptions {
  std::string what;       // "unet", "vae", "clip_text", "inpaint", "ddim", ...
  std::string config;     // --config C.json (model or scheduler config)
  std::string weights;    // --weights W.safetensors
  std::string inputs;     // --inputs IO.safetensors
  std::string out;        // --out OUT.safetensors
  std::string model;      // --model FOLDER (pipelines: a diffusers folder)
  std::string caseConfig; // --case CASE.config.json (drag)
  std::string device = "cpu";
  std::string dtype = "fp32";
};

using TensorRunner = std::function<void(const TensorRunOptions&)>;
// Keyed by "run" or "schedule", then by name.
std::map<std::string, std::map<std::string, TensorRunner>>& tensorRunners();

struct TensorRunnerRegistrar {
  TensorRunnerRegistrar(const char* verb, const char* name, TensorRunner fn) {
    tensorRunners()[verb][name] = std::move(fn);
  }
};

}  // namespace latentshop::cli

#define LATENTSHOP_TENSOR_RUNNER(verb, name, fn) \
  static const ::latentshop::cli::TensorRunnerRegistrar latentshop_tensor_runner_##verb##_##name{#verb, #name, fn};
