// Strict binding of a state dict (name → tensor, e.g. views over a safetensors file) to a
// torch::nn::Module whose parameter/buffer names are diffusers' keys. Like PyTorch's
// `load_state_dict(strict=True)`: every model key must be present with the same shape, and every
// file key must be used. One error lists all the faults, prefixed with the source (file name).
#pragma once
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace latentshop {

using StateDict = std::map<std::string, torch::Tensor>;

struct BindOptions {
  // File keys that may be present without a model counterpart (exact key or suffix match), e.g.
  // "text_model.embeddings.position_ids" (a non-persistent buffer in newer transformers).
  std::vector<std::string> ignoreUnexpectedSuffixes;
  // Model keys that may be absent from the file (left as constructed).
  std::vector<std::string> allowMissingSuffixes;
};

struct BindReport {
  std::vector<std::string> missing;      // in the model, not in the file
  std::vector<std::string> unexpected;   // in the file, not in the model
  std::vector<std::string> mismatched;   // "name: file [a, b] vs model [c, d]"
  bool ok() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  // "3 missing keys: a, b, c; 1 unexpected key: x; 1 shape mismatch: w: file [..] vs model [..]"
  std::string describe(std::size_t maxListed = 12) const;
};

// Compares keys and shapes without copying anything.
BindReport checkStateDict(const torch::nn::Module& module, const StateDict& dict,
                          const BindOptions& options = {});

// Copies every tensor into the module's parameter/buffer of the same name, converting to that
// parameter's dtype and device. Throws latentshop::Error("<source>: cannot load <what>: <report>")
// when checkStateDict() finds any fault; nothing is copied in that case.
void bindStateDict(torch::nn::Module& module, const StateDict& dict, const std::string& source,
                   const std::string& what, const BindOptions& options = {});

}  // namespace latentshop
