#include "engine/schedulers/scheduler_factory.h"

#include "engine/core/error.h"
#include "engine/schedulers/ddim_scheduler.h"
#include "engine/schedulers/dpm_solver_multistep_scheduler.h"
#include "engine/schedulers/euler_ancestral_discrete_scheduler.h"
#include "engine/schedulers/euler_discrete_scheduler.h"
#include "engine/schedulers/pndm_scheduler.h"

namespace latentshop {

namespace {

std::unique_ptr<Scheduler> byClass(const std::string& cls, const nlohmann::json& config, const std::string& source) {
  if (cls == "DDIMScheduler") return std::make_unique<DDIMScheduler>(DDIMSchedulerConfig::fromJson(config, source), source);
  if (cls == "EulerDiscreteScheduler") {
    return std::make_unique<EulerDiscreteScheduler>(EulerDiscreteSchedulerConfig::fromJson(config, source), source);
  }
  if (cls == "EulerAncestralDiscreteScheduler") {
    return std::make_unique<EulerAncestralDiscreteScheduler>(EulerAncestralDiscreteSchedulerConfig::fromJson(config, source),
                                                             source);
  }
  if (cls == "DPMSolverMultistepScheduler") {
    return std::make_unique<DPMSolverMultistepScheduler>(DPMSolverMultistepSchedulerConfig::fromJson(config, source), source);
  }
  if (cls == "PNDMScheduler") return std::make_unique<PNDMScheduler>(PNDMSchedulerConfig::fromJson(config, source), source);
  throw fileError(source, "scheduler class " + cls +
                              " is not supported (supported: DDIMScheduler, PNDMScheduler, EulerDiscreteScheduler, "
                              "EulerAncestralDiscreteScheduler, DPMSolverMultistepScheduler; choose ddim, pndm, euler, "
                              "euler-a or dpmpp2m instead)");
}

std::string classNameOf(const nlohmann::json& config, const std::string& source) {
  if (!config.is_object()) throw fileError(source, "expected a JSON object");
  auto it = config.find("_class_name");
  if (it == config.end() || !it->is_string()) throw fileError(source, "no _class_name naming the scheduler class");
  return it->get<std::string>();
}

}  // namespace

std::unique_ptr<Scheduler> makeScheduler(const nlohmann::json& config, const std::string& source) {
  return byClass(classNameOf(config, source), config, source);
}

std::string schedulerClassForChoice(const std::string& choice) {
  if (choice.empty() || choice == "default") return "";
  if (choice == "ddim") return "DDIMScheduler";
  if (choice == "pndm") return "PNDMScheduler";
  if (choice == "euler" || choice == "euler-karras") return "EulerDiscreteScheduler";
  if (choice == "euler-a") return "EulerAncestralDiscreteScheduler";
  if (choice == "dpmpp2m" || choice == "dpmpp2m-karras") return "DPMSolverMultistepScheduler";
  std::string list;
  for (const auto& c : schedulerChoices()) list += (list.empty() ? "" : ", ") + c.id;
  throw Error("scheduler '" + choice + "' is not known (expected " + list + ")");
}

std::unique_ptr<Scheduler> makeScheduler(const nlohmann::json& config, const std::string& choice,
                                         const nlohmann::json& overrides, const std::string& source) {
  std::string cls = schedulerClassForChoice(choice);
  if (cls.empty()) cls = classNameOf(config, source);
  if (!config.is_object()) throw fileError(source, "expected a JSON object");
  nlohmann::json merged = config;
  merged["_class_name"] = cls;
  if (choice == "euler" || choice == "euler-karras") merged["use_karras_sigmas"] = choice == "euler-karras";
  if (choice == "dpmpp2m" || choice == "dpmpp2m-karras") {
    merged["algorithm_type"] = "dpmsolver++";
    merged["solver_order"] = 2;
    merged["use_karras_sigmas"] = choice == "dpmpp2m-karras";
  }
  if (!overrides.is_null()) {
    if (!overrides.is_object()) throw Error("scheduler overrides: expected a JSON object");
    for (auto it = overrides.begin(); it != overrides.end(); ++it) merged[it.key()] = it.value();
  }
  return byClass(cls, merged, source);
}

const std::vector<SchedulerChoice>& schedulerChoices() {
  static const std::vector<SchedulerChoice> choices = {
      {"ddim", "DDIM"},
      {"pndm", "PNDM (PLMS)"},
      {"euler", "Euler"},
      {"euler-karras", "Euler Karras"},
      {"euler-a", "Euler a (ancestral)"},
      {"dpmpp2m", "DPM++ 2M"},
      {"dpmpp2m-karras", "DPM++ 2M Karras"},
  };
  return choices;
}

}  // namespace latentshop
