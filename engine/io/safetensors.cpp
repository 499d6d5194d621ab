#include "engine/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/core/error.h"
#include "engine/io/project_atomic_file.h"

namespace latentshop {

namespace {

struct DtypeRow {
  const char* name;
  c10::ScalarType type;
};
constexpr DtypeRow kDtypes[] = {
    {"F64", c10::kDouble}, {"F32", c10::kFloat},  {"F16", c10::kHalf},  {"BF16", c10::kBFloat16},
    {"I64", c10::kLong},   {"I32", c10::kInt},    {"I16", c10::kShort}, {"I8", c10::kChar},
    {"U8", c10::kByte},    {"BOOL", c10::kBool},
};

std::string human(std::uint64_t bytes) {
  char buf[64];
  if (bytes >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / double(1ull << 30));
  else if (bytes >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.2f MiB", bytes / double(1ull << 20));
  else std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
  return buf;
}

}  // namespace

c10::ScalarType safetensorsDtype(const std::string& name) {
  for (const auto& row : kDtypes)
    if (name == row.name) return row.type;
  throw Error("unknown dtype '" + name + "'");
}

std::string safetensorsDtypeName(c10::ScalarType type) {
  for (const auto& row : kDtypes)
    if (type == row.type) return row.name;
  throw Error(std::string("dtype ") + c10::toString(type) + " cannot be stored in safetensors");
}

struct SafetensorsFile::Mapping {
  void* addr = nullptr;
  std::size_t size = 0;
  ~Mapping() {
    if (addr && addr != MAP_FAILED) ::munmap(addr, size);
  }
};

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fileError(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw fileError(path, "not a regular file");
  }
  const auto fileSize = static_cast<std::uint64_t>(st.st_size);
  if (fileSize < 8) {
    ::close(fd);
    throw fileError(path, "file is " + std::to_string(fileSize) +
                              " bytes, too short for a safetensors header (truncated or not safetensors)");
  }
  mapping_ = std::make_shared<Mapping>();
  mapping_->size = fileSize;
  mapping_->addr = ::mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapping_->addr == MAP_FAILED) throw fileError(path, std::string("cannot map: ") + std::strerror(errno));
  const auto* bytes = static_cast<const std::uint8_t*>(mapping_->addr);

  std::uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | bytes[i];
  if (headerLen > fileSize - 8) {
    throw fileError(path, "header length " + std::to_string(headerLen) + " runs past the end of the " +
                              human(fileSize) + " file (truncated or not safetensors)");
  }
  if (headerLen < 2) throw fileError(path, "header of " + std::to_string(headerLen) + " bytes is too short");
  const std::string headerText(reinterpret_cast<const char*>(bytes + 8), headerLen);
  nlohmann::ordered_json header;  // ordered: names() keeps the file's order
  try {
    header = nlohmann::ordered_json::parse(headerText);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
    throw fileError(path, std::string("header is not well-formed JSON (") + e.what() + ")");
  }
  if (!header.is_object()) throw fileError(path, "header JSON is not an object");

  data_ = bytes + 8 + headerLen;
  const std::uint64_t dataSize = fileSize - 8 - headerLen;

  std::vector<const SafetensorsEntry*> byOffset;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) throw fileError(path, "__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          throw fileError(path, "__metadata__ value for '" + m.key() + "' is not a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "'";
    if (!v.is_object()) throw fileError(path, where + ": entry is not an object");
    if (!v.contains("dtype") || !v["dtype"].is_string())
      throw fileError(path, where + ": missing or non-string dtype");
    if (!v.contains("shape") || !v["shape"].is_array())
      throw fileError(path, where + ": missing or non-array shape");
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
      throw fileError(path, where + ": data_offsets must be an array of two integers");
    SafetensorsEntry e;
    e.name = name;
    e.dtypeName = v["dtype"].get<std::string>();
    try {
      e.dtype = safetensorsDtype(e.dtypeName);
    } catch (const Error&) {
      throw fileError(path, where + ": unknown dtype '" + e.dtypeName + "'");
    }
    // numel and its byte size are checked for overflow: a shape like [2^32, 2^32] must not wrap
    // around to a size that matches the offsets (torch would then be asked for 2^64 elements).
    std::uint64_t numel = 1;
    bool tooLarge = false, hasZero = false;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
        throw fileError(path, where + ": shape entries must be non-negative integers");
      const auto n = static_cast<std::uint64_t>(d.get<std::int64_t>());
      e.shape.push_back(d.get<std::int64_t>());
      if (n == 0) hasZero = true;
      else if (numel > std::numeric_limits<std::uint64_t>::max() / n) tooLarge = true;
      numel *= n;
    }
    const auto& offs = v["data_offsets"];
    if (!offs[0].is_number_unsigned() && !(offs[0].is_number_integer() && offs[0].get<std::int64_t>() >= 0))
      throw fileError(path, where + ": data_offsets must be non-negative integers");
    if (!offs[1].is_number_unsigned() && !(offs[1].is_number_integer() && offs[1].get<std::int64_t>() >= 0))
      throw fileError(path, where + ": data_offsets must be non-negative integers");
    e.begin = offs[0].get<std::uint64_t>();
    e.end = offs[1].get<std::uint64_t>();
    if (e.end < e.begin)
      throw fileError(path, where + ": data_offsets [" + std::to_string(e.begin) + ", " +
                                std::to_string(e.end) + "] are reversed");
    if (e.end > dataSize)
      throw fileError(path, where + ": data_offsets end " + std::to_string(e.end) +
                                " is past the end of the data (" + std::to_string(dataSize) +
                                " bytes; file truncated?)");
    const std::uint64_t itemsize = c10::elementSize(e.dtype);
    if (hasZero) numel = 0, tooLarge = false;  // a zero dimension makes any other product empty
    if (tooLarge || numel > std::numeric_limits<std::uint64_t>::max() / itemsize)
      throw fileError(path, where + ": shape has more elements than any file can hold (corrupt header)");
    const std::uint64_t expected = numel * itemsize;
    if (expected != e.end - e.begin)
      throw fileError(path, where + ": shape × itemsize is " + std::to_string(expected) +
                                " bytes but data_offsets cover " + std::to_string(e.end - e.begin));
    names_.push_back(name);
    entries_.emplace(name, std::move(e));
  }
  for (const auto& kv : entries_) byOffset.push_back(&kv.second);
  std::sort(byOffset.begin(), byOffset.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  for (std::size_t i = 1; i < byOffset.size(); ++i) {
    if (byOffset[i]->begin < byOffset[i - 1]->end)
      throw fileError(path, "tensors '" + byOffset[i - 1]->name + "' and '" + byOffset[i]->name +
                                "' have overlapping data_offsets");
  }
}

SafetensorsFile::~SafetensorsFile() = default;

const SafetensorsEntry& SafetensorsFile::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw fileError(path_, "no tensor named '" + name + "'");
  return it->second;
}

torch::Tensor SafetensorsFile::view(const std::string& name) const {
  const auto& e = entry(name);
  void* ptr = const_cast<std::uint8_t*>(data_ + e.begin);
  auto options = torch::TensorOptions().dtype(e.dtype).device(torch::kCPU);
  const auto itemsize = c10::elementSize(e.dtype);
  if (reinterpret_cast<std::uintptr_t>(ptr) % itemsize != 0 || e.begin == e.end) {
    auto t = torch::empty(e.shape, options);
    if (e.end > e.begin) std::memcpy(t.data_ptr(), ptr, e.end - e.begin);
    return t;
  }
  auto keep = mapping_;
  return torch::from_blob(ptr, e.shape, [keep](void*) {}, options);
}

torch::Tensor SafetensorsFile::load(const std::string& name, c10::ScalarType dtype, c10::Device device) const {
  auto v = view(name);
  auto out = v.to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
  return out;
}

std::map<std::string, torch::Tensor> SafetensorsFile::viewAll() const {
  std::map<std::string, torch::Tensor> out;
  for (const auto& n : names_) out.emplace(n, view(n));
  return out;
}

void writeSafetensors(const std::string& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& kv : metadata) meta[kv.first] = kv.second;
    header["__metadata__"] = meta;
  }
  std::vector<torch::Tensor> cpu;
  cpu.reserve(tensors.size());
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__") throw fileError(path, "'__metadata__' is not a valid tensor name");
    if (header.contains(name)) throw fileError(path, "tensor '" + name + "' given twice");
    auto c = t.detach().to(torch::kCPU).contiguous();
    std::string dt;
    try {
      dt = safetensorsDtypeName(c.scalar_type());
    } catch (const Error& e) {
      throw fileError(path, "tensor '" + name + "': " + e.what());
    }
    const std::uint64_t bytes = c.numel() * c.element_size();
    header[name] = {{"dtype", dt}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    cpu.push_back(std::move(c));
  }
  std::string text = header.dump();
  while ((text.size() + 8) % 8 != 0) text.push_back(' ');  // align the data block to 8 bytes
  AtomicFile file(path);  // a kill or full disk mid-write leaves the previous weights intact
  std::uint8_t len[8];
  const std::uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>((n >> (8 * i)) & 0xff);
  file.write(len, 8);
  file.write(text.data(), text.size());
  for (const auto& c : cpu) file.write(c.data_ptr(), c.numel() * c.element_size());
  file.commit();
}

}  // namespace latentshop
