// SHA-256 (FIPS 180-4), to verify downloaded weights against the digest the Hugging Face Hub lists
// for each LFS file (its `lfs.oid`). Small and dependency-free so the engine and the CLI share it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace latentshop {

class Sha256 {
public:
  Sha256();
  void update(const void* data, size_t size);
  // Finishes and returns the digest as 64 lowercase hex digits; the object is then reset.
  std::string hexDigest();

private:
  void block(const unsigned char* p);
  uint32_t h_[8];
  unsigned char buffer_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

// The digest of a file, read in 1 MiB chunks. `progress(bytesDone)` may return false to stop
// (the function then throws JobCancelled). Throws Error naming the file when it cannot be read.
std::string sha256OfFile(const std::string& path, const std::function<bool(uint64_t)>& progress = {});

}  // namespace latentshop
