// Shared by the scheduler tests: load a golden scheduler case and compare produced quantities with
// it under ../shared/golden/README.md's tolerances (steps 1e-5 relative, integer timesteps exact).
#pragma once
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "engine/io/safetensors.h"
#include "support/tensor_compare.h"

namespace lstest {

inline std::map<std::string, torch::Tensor> loadTensors(const std::string& path) {
  latentshop::SafetensorsFile f(path);
  std::map<std::string, torch::Tensor> out;
  for (const auto& name : f.names()) out.emplace(name, f.view(name).clone());
  return out;
}

// Integer tensors must be equal; float tensors within 1e-5 relative to the tensor's scale
// (atol = 1e-5 * max|expected|, plus rtol 1e-5 elementwise).
inline Closeness schedulerClose(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& name) {
  if (!expected.is_floating_point()) {
    Closeness r;
    r.ok = actual.scalar_type() == expected.scalar_type() && actual.sizes() == expected.sizes() &&
           torch::equal(actual, expected);
    r.message = name + (r.ok ? ": equal" : ": integer tensors differ (dtype/shape/values)");
    return r;
  }
  const double scale = expected.numel() ? expected.abs().max().item<double>() : 0.0;
  return allClose(actual.to(torch::kFloat32), expected, 1e-5 * std::max(scale, 1e-30), 1e-5, name);
}

// Every golden tensor except `inputNames` must be among `outputs` and match. Returns "" when all
// match, else one line per fault.
inline std::string compareWithGolden(const std::vector<std::pair<std::string, torch::Tensor>>& outputs,
                                     const std::map<std::string, torch::Tensor>& golden,
                                     const std::set<std::string>& inputNames, int* compared = nullptr) {
  std::map<std::string, torch::Tensor> produced(outputs.begin(), outputs.end());
  std::string faults;
  int n = 0;
  for (const auto& [name, expected] : golden) {
    if (inputNames.count(name)) continue;
    auto it = produced.find(name);
    if (it == produced.end()) {
      faults += name + ": not produced\n";
      continue;
    }
    ++n;
    const auto c = schedulerClose(it->second, expected, name);
    if (!c.ok) faults += c.message + "\n";
  }
  if (compared) *compared = n;
  return faults;
}

// The inputs of the golden scheduler format (everything else is an output).
inline std::set<std::string> schedulerInputNames(const std::map<std::string, torch::Tensor>& golden) {
  std::set<std::string> names{"step.sample", "step.model_output", "add_noise.original", "add_noise.noise"};
  for (const auto& kv : golden) {
    const auto& k = kv.first;
    if (k.size() > 14 && k.compare(k.size() - 14, 14, ".model_outputs") == 0) names.insert(k);
  }
  return names;
}

}  // namespace lstest
