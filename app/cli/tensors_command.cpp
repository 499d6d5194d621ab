// `latentshop-cli tensors run|schedule <what> ...`: runs a registered parity runner (tensor_runners.h).
#include <memory>

#include "app/cli/command_registry.h"
#include "app/cli/tensor_runners.h"
#include "engine/core/error.h"

namespace latentshop::cli {

std::map<std::string, std::map<std::string, TensorRunner>>& tensorRunners() {
  static std::map<std::string, std::map<std::string, TensorRunner>> runners;
  return runners;
}

namespace {

std::string names(const std::map<std::string, TensorRunner>& m) {
  std::string s;
  for (const auto& kv : m) s += (s.empty() ? "" : "|") + kv.first;
  return s.empty() ? "(none built)" : s;
}

void addVerb(CLI::App* tensors, const std::string& verb, const std::string& help) {
  auto opts = std::make_shared<TensorRunOptions>();
  const auto& runners = tensorRunners()[verb];
  auto* cmd = tensors->add_subcommand(verb, help + " (" + names(runners) + ")");
  cmd->add_option("what", opts->what, "What to run: " + names(runners))->required();
  cmd->add_option("--config", opts->config, "Model or scheduler config.json");
  cmd->add_option("--weights", opts->weights, "Weights .safetensors");
  cmd->add_option("--inputs", opts->inputs, "Input tensors (in.*) .safetensors")->required();
  cmd->add_option("--out", opts->out, "Where to write the out.* tensors")->required();
  cmd->add_option("--model", opts->model, "A diffusers model folder (pipelines)");
  cmd->add_option("--case", opts->caseConfig, "Case config .json (drag)");
  cmd->add_option("--device", opts->device, "cpu or cuda")->capture_default_str();
  cmd->add_option("--dtype", opts->dtype, "fp32, bf16 or fp16")->capture_default_str();
  cmd->callback([opts, verb] {
    const auto& table = tensorRunners()[verb];
    auto it = table.find(opts->what);
    if (it == table.end())
      throw Error("tensors " + verb + ": unknown '" + opts->what + "' (expected " + names(table) + ")");
    it->second(*opts);
  });
}

void setup(CLI::App& app) {
  auto* tensors = app.add_subcommand("tensors", "Parity harness: run models, pipelines and schedulers on recorded tensors");
  tensors->require_subcommand(1);
  addVerb(tensors, "run", "Run a model or pipeline on in.* tensors and write out.* tensors");
  addVerb(tensors, "schedule", "Run a scheduler case on in.* tensors and write out.* tensors");
}

}  // namespace
}  // namespace latentshop::cli

LATENTSHOP_CLI_COMMAND(tensors, latentshop::cli::setup)
