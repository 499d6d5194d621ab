// safetensors reader (memory-mapped, no whole-file copy) and writer.
// Format: u64-LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [b, e]},
// "__metadata__": {str: str}}, then the data block; offsets are relative to the data block.
// Reference: huggingface/safetensors (safetensors/src/tensor.rs, the format's validation rules).
//
// Validation (each fault has its own message, always prefixed with the file path):
// file shorter than 8 bytes; header length past the end of the file; header not JSON / not an
// object; entry without dtype/shape/data_offsets or with wrong types; unknown dtype; negative shape;
// offsets reversed or past the data block; shape × itemsize ≠ byte range; overlapping ranges;
// bytes of the data block not covered by any tensor (a hole) are allowed only as trailing padding.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace latentshop {

struct SafetensorsEntry {
  std::string name;
  c10::ScalarType dtype = c10::kFloat;
  std::string dtypeName;          // as written in the file: "F32", "BF16", ...
  std::vector<int64_t> shape;
  std::uint64_t begin = 0;        // byte range inside the data block
  std::uint64_t end = 0;
};

class SafetensorsFile {
public:
  // Maps and validates the file; throws latentshop::Error("<path>: <problem>").
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  // Tensor names in header order.
  const std::vector<std::string>& names() const { return names_; }
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  // Throws Error("<path>: no tensor named '<name>'").
  const SafetensorsEntry& entry(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // Zero-copy CPU tensor over the mapped bytes, dtype as stored. Keeps the mapping alive for as
  // long as the tensor lives. Read-only memory: do not write into it (copies are made where the
  // data is misaligned for its dtype).
  torch::Tensor view(const std::string& name) const;
  // A new tensor converted to `dtype` on `device` (a copy; no mapping reference kept).
  torch::Tensor load(const std::string& name, c10::ScalarType dtype,
                     c10::Device device = c10::Device(c10::kCPU)) const;
  // Every tensor as a zero-copy view, by name.
  std::map<std::string, torch::Tensor> viewAll() const;

private:
  struct Mapping;
  std::string path_;
  std::shared_ptr<Mapping> mapping_;
  const std::uint8_t* data_ = nullptr;  // start of the data block
  std::vector<std::string> names_;
  std::map<std::string, SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

// Writes tensors (any CPU/GPU dtype among those the format knows; made contiguous, copied to CPU)
// in the given order, with optional string metadata. Written to "<path>.tmp" then renamed, so a
// failure never leaves a half-written file under `path`. Throws Error naming the path.
void writeSafetensors(const std::string& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// "F32" <-> c10::kFloat etc. Throws Error for an unknown name (the caller adds the file path).
c10::ScalarType safetensorsDtype(const std::string& name);
std::string safetensorsDtypeName(c10::ScalarType type);

}  // namespace latentshop
