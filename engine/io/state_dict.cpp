#include "engine/io/state_dict.h"

#include <sstream>

#include "engine/core/error.h"

namespace latentshop {

namespace {

bool matchesSuffix(const std::string& key, const std::vector<std::string>& suffixes) {
  for (const auto& s : suffixes) {
    if (key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0) return true;
  }
  return false;
}

std::string shapeText(c10::IntArrayRef s) {
  std::ostringstream o;
  o << '[';
  for (std::size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << ']';
  return o.str();
}

void list(std::ostringstream& o, const std::vector<std::string>& items, const char* singular,
          const char* plural, std::size_t maxListed, bool& first) {
  if (items.empty()) return;
  o << (first ? "" : "; ") << items.size() << ' ' << (items.size() == 1 ? singular : plural) << ": ";
  first = false;
  for (std::size_t i = 0; i < items.size() && i < maxListed; ++i) o << (i ? ", " : "") << items[i];
  if (items.size() > maxListed) o << ", … and " << (items.size() - maxListed) << " more";
}

// Parameters and buffers by their full dotted name.
std::map<std::string, torch::Tensor> namedTensors(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) out.emplace(p.key(), p.value());
  for (const auto& b : module.named_buffers(/*recurse=*/true)) out.emplace(b.key(), b.value());
  return out;
}

}  // namespace

std::string BindReport::describe(std::size_t maxListed) const {
  std::ostringstream o;
  bool first = true;
  list(o, missing, "missing key", "missing keys", maxListed, first);
  list(o, unexpected, "unexpected key", "unexpected keys", maxListed, first);
  list(o, mismatched, "shape mismatch", "shape mismatches", maxListed, first);
  return o.str();
}

BindReport checkStateDict(const torch::nn::Module& module, const StateDict& dict, const BindOptions& options) {
  BindReport r;
  const auto model = namedTensors(module);
  for (const auto& [name, t] : model) {
    auto it = dict.find(name);
    if (it == dict.end()) {
      if (!matchesSuffix(name, options.allowMissingSuffixes)) r.missing.push_back(name);
      continue;
    }
    if (it->second.sizes() != t.sizes())
      r.mismatched.push_back(name + ": file " + shapeText(it->second.sizes()) + " vs model " + shapeText(t.sizes()));
  }
  for (const auto& [name, t] : dict) {
    if (!model.count(name) && !matchesSuffix(name, options.ignoreUnexpectedSuffixes)) r.unexpected.push_back(name);
  }
  return r;
}

void bindStateDict(torch::nn::Module& module, const StateDict& dict, const std::string& source,
                   const std::string& what, const BindOptions& options) {
  const auto report = checkStateDict(module, dict, options);
  if (!report.ok()) throw fileError(source, "cannot load " + what + ": " + report.describe());
  torch::NoGradGuard noGrad;
  for (auto& [name, t] : namedTensors(module)) {
    auto it = dict.find(name);
    if (it == dict.end()) continue;
    t.copy_(it->second);  // copy_ converts dtype and device
  }
}

}  // namespace latentshop
