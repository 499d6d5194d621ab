// Building schedulers from diffusers scheduler configs, and the user-facing scheduler choice.
//
//   auto cfg = loadDiffusersJson(folder + "/scheduler/scheduler_config.json");
//   auto a = makeScheduler(cfg);                    // the class `_class_name` names
//   auto b = makeScheduler(cfg, "dpmpp2m-karras");  // DPM++ 2M Karras, keeping the model's betas
//
// A choice keeps every key of the model's config its class knows (betas, steps_offset,
// prediction_type, timestep_spacing, ...) like diffusers' `Class.from_config(pipe.scheduler.config)`;
// the Euler choices fix use_karras_sigmas, the DPM++ choices algorithm_type dpmsolver++,
// solver_order 2 and use_karras_sigmas.
// Reference: diffusers/src/diffusers/configuration_utils.py (`from_config`, `extract_init_dict`).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schedulers/scheduler.h"

namespace latentshop {

// "DDIMScheduler", "PNDMScheduler", "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler" or
// "DPMSolverMultistepScheduler" from `_class_name`.
// Throws Error("<source>: scheduler class X is not supported (...)") for other classes (e.g. an
// LMSDiscreteScheduler: pick a choice instead) and when `_class_name` is missing.
std::unique_ptr<Scheduler> makeScheduler(const nlohmann::json& config, const std::string& source = "scheduler_config.json");

// `choice`: "ddim", "pndm", "euler", "euler-karras", "euler-a", "dpmpp2m", "dpmpp2m-karras", or "" / "default" for
// the config's own class. `overrides` (keys in diffusers' names) are applied last, like
// from_config's keyword arguments. Throws Error naming the choice when it is unknown.
std::unique_ptr<Scheduler> makeScheduler(const nlohmann::json& config, const std::string& choice,
                                         const nlohmann::json& overrides, const std::string& source = "scheduler_config.json");

// The diffusers class name a choice builds ("ddim" -> "DDIMScheduler"); "" for "default".
std::string schedulerClassForChoice(const std::string& choice);

// The concrete choices for a UI list, in display order, with labels ("DDIM", "Euler", "DPM++ 2M",
// ...). "default" (the model's own class, PNDM for SD 1.5 folders) is not listed here.
struct SchedulerChoice {
  std::string id;
  std::string label;
};
const std::vector<SchedulerChoice>& schedulerChoices();

}  // namespace latentshop
