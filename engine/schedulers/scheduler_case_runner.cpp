#include "engine/schedulers/scheduler_case_runner.h"

#include <algorithm>
#include <regex>
#include <set>

#include "engine/core/error.h"
#include "engine/schedulers/ddim_scheduler.h"

namespace latentshop {

namespace {

const torch::Tensor& need(const std::map<std::string, torch::Tensor>& inputs, const std::string& name,
                          const std::string& forWhat) {
  auto it = inputs.find(name);
  if (it == inputs.end()) throw Error("scheduler case: " + forWhat + " needs the input tensor '" + name + "'");
  return it->second;
}

torch::Tensor f32(const torch::Tensor& t) { return t.to(torch::kFloat32).contiguous(); }

// A timestep value as a 0-d tensor of the scheduler's timestep dtype.
torch::Tensor timestepTensor(const Scheduler& s, double value) {
  if (s.timesteps().is_floating_point()) return torch::tensor(value, torch::kFloat64).to(s.timesteps().scalar_type());
  return torch::tensor(static_cast<int64_t>(value), torch::kInt64);
}

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> runSchedulerCase(Scheduler& scheduler,
                                                                    const std::map<std::string, torch::Tensor>& inputs) {
  std::map<std::string, torch::Tensor> out;
  const bool isDdim = dynamic_cast<DDIMScheduler*>(&scheduler) != nullptr;
  out["betas"] = scheduler.betas().clone();
  out["alphas_cumprod"] = scheduler.alphasCumprod().clone();
  if (auto* ddim = dynamic_cast<DDIMScheduler*>(&scheduler)) out["final_alpha_cumprod"] = ddim->finalAlphaCumprod().clone();

  static const std::regex scheduleKey(R"((timesteps|sigmas)_(\d+))");
  static const std::regex stepKey(R"(step(\d+)\.t([0-9.]+)\.(prev_sample|pred_original_sample))");
  static const std::regex addNoiseKey(R"(add_noise\.t([0-9.]+))");
  static const std::regex seqKey(R"(seq(\d+)\.model_outputs)");

  std::set<int64_t> scheduleSteps, seqSteps;
  std::set<std::pair<int64_t, std::string>> steps;
  std::set<std::string> addNoise;
  for (const auto& kv : inputs) {
    std::smatch m;
    if (std::regex_match(kv.first, m, scheduleKey)) {
      scheduleSteps.insert(std::stoll(m[2]));
    } else if (std::regex_match(kv.first, m, stepKey)) {
      steps.insert({std::stoll(m[1]), m[2]});
    } else if (std::regex_match(kv.first, m, addNoiseKey)) {
      addNoise.insert(m[1]);
    } else if (std::regex_match(kv.first, m, seqKey)) {
      seqSteps.insert(std::stoll(m[1]));
    }
  }

  for (int64_t n : scheduleSteps) {
    scheduler.setTimesteps(n);
    out["timesteps_" + std::to_string(n)] = scheduler.timesteps().clone();
    if (scheduler.sigmas().defined()) out["sigmas_" + std::to_string(n)] = scheduler.sigmas().clone();
  }

  for (const auto& [n, tText] : steps) {
    const auto& sample = need(inputs, "step.sample", "step" + std::to_string(n));
    const auto& modelOutput = need(inputs, "step.model_output", "step" + std::to_string(n));
    scheduler.setTimesteps(n);  // independent steps: fresh state for each
    const auto t = timestepTensor(scheduler, std::stod(tText));
    scheduler.scaleModelInput(f32(sample), t);
    const auto r = scheduler.step(f32(modelOutput), t, f32(sample));
    const std::string prefix = "step" + std::to_string(n) + ".t" + tText + ".";
    out[prefix + "prev_sample"] = r.prevSample;
    out[prefix + "pred_original_sample"] = r.predOriginalSample;
  }

  if (!addNoise.empty()) {
    const auto& original = need(inputs, "add_noise.original", "add_noise");
    const auto& noise = need(inputs, "add_noise.noise", "add_noise");
    if (!isDdim) scheduler.setTimesteps(scheduleSteps.empty() ? 50 : *scheduleSteps.rbegin());
    for (const auto& tText : addNoise) {
      const auto t = timestepTensor(scheduler, std::stod(tText)).reshape({1});
      out["add_noise.t" + tText] = scheduler.addNoise(f32(original), f32(noise), t);
    }
  }

  for (int64_t n : seqSteps) {
    const std::string p = "seq" + std::to_string(n) + ".";
    const auto modelOutputs = f32(need(inputs, p + "model_outputs", p + "*"));
    const auto recordedSamples = need(inputs, p + "samples", p + "* (samples[0] is the initial sample)");
    scheduler.setTimesteps(n);
    const int64_t count = scheduler.timesteps().size(0);
    if (modelOutputs.size(0) < count) {
      throw Error("scheduler case: " + p + "model_outputs has " + std::to_string(modelOutputs.size(0)) +
                  " entries for " + std::to_string(count) + " timesteps");
    }
    std::vector<torch::Tensor> samples{f32(recordedSamples[0])}, modelInputs, predOriginals;
    for (int64_t i = 0; i < count; ++i) {
      const auto t = scheduler.timestepAt(i);
      modelInputs.push_back(scheduler.scaleModelInput(samples.back(), t));
      const auto r = scheduler.step(modelOutputs[i], t, samples.back());
      samples.push_back(r.prevSample);
      predOriginals.push_back(r.predOriginalSample);
    }
    out[p + "timesteps"] = scheduler.timesteps().clone();
    if (scheduler.sigmas().defined()) out[p + "sigmas"] = scheduler.sigmas().clone();
    out[p + "init_noise_sigma"] = torch::tensor(scheduler.initNoiseSigma(), torch::kFloat64).to(torch::kFloat32);
    out[p + "samples"] = torch::stack(samples);
    out[p + "model_inputs"] = torch::stack(modelInputs);
    // diffusers 0.26 returns x0 from DDIM and Euler steps only (not DPM-Solver, not PNDM).
    if (scheduler.className() != "DPMSolverMultistepScheduler" && scheduler.className() != "PNDMScheduler")
      out[p + "pred_original_samples"] = torch::stack(predOriginals);
  }

  return {out.begin(), out.end()};
}

}  // namespace latentshop
