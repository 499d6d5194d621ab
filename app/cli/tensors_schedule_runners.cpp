// `latentshop-cli tensors schedule ddim|pndm|euler|dpmpp2m --config S.json --inputs IO --out OUT`:
// builds the scheduler class from a diffusers scheduler_config.json (from_config semantics: the
// config's keys, the class chosen by the sub-command), runs every quantity the case file names
// (engine/schedulers/scheduler_case_runner.h) and writes them under the same names.
#include "app/cli/tensor_runners.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/schedulers/scheduler_case_runner.h"
#include "engine/schedulers/scheduler_config.h"
#include "engine/schedulers/scheduler_factory.h"

namespace latentshop::cli {
namespace {

void runSchedule(const TensorRunOptions& o, const std::string& className) {
  if (o.config.empty()) throw Error("tensors schedule " + o.what + ": --config S.json (a diffusers scheduler_config.json) is required");
  auto config = loadDiffusersJson(o.config);
  config["_class_name"] = className;
  auto scheduler = makeScheduler(config, o.config);

  SafetensorsFile inputs(o.inputs);
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& name : inputs.names()) tensors.emplace(name, inputs.view(name));
  const auto outputs = runSchedulerCase(*scheduler, tensors);

  std::map<std::string, std::string> metadata{{"scheduler", scheduler->className()},
                                              {"config", scheduler->config().dump()},
                                              {"inputs", o.inputs}};
  writeSafetensors(o.out, outputs, metadata);
}

void runDdim(const TensorRunOptions& o) { runSchedule(o, "DDIMScheduler"); }
void runPndm(const TensorRunOptions& o) { runSchedule(o, "PNDMScheduler"); }
void runEuler(const TensorRunOptions& o) { runSchedule(o, "EulerDiscreteScheduler"); }
void runDpmpp2m(const TensorRunOptions& o) { runSchedule(o, "DPMSolverMultistepScheduler"); }

}  // namespace
}  // namespace latentshop::cli

LATENTSHOP_TENSOR_RUNNER(schedule, ddim, latentshop::cli::runDdim)
LATENTSHOP_TENSOR_RUNNER(schedule, pndm, latentshop::cli::runPndm)
LATENTSHOP_TENSOR_RUNNER(schedule, euler, latentshop::cli::runEuler)
LATENTSHOP_TENSOR_RUNNER(schedule, dpmpp2m, latentshop::cli::runDpmpp2m)
