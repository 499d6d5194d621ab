#include "engine/io/project_atomic_file.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include "engine/core/error.h"

namespace fs = std::filesystem;

namespace latentshop {

namespace {

std::string errnoText() { return std::strerror(errno); }

// Makes the rename durable. A folder that cannot be opened for syncing is not a write failure.
void fsyncFolder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::string target) : target_(std::move(target)) {
  static std::atomic<unsigned> counter{0};
  const fs::path t(target_);
  if (t.filename().empty()) throw Error(target_ + ": not a file name");
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(target_ + ": folder '" + dir.string() + "' does not exist");
  temp_ = (dir / ("." + t.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                  std::to_string(counter++)))
              .string();
  file_ = std::fopen(temp_.c_str(), "w+b");
  if (!file_) throw Error(target_ + ": cannot create a file in '" + dir.string() + "': " + errnoText());
}

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::write(const void* data, size_t size) {
  if (!file_) throw Error(target_ + ": internal error: write after the stream was closed");
  if (size && std::fwrite(data, 1, size, file_) != size)
    throw Error(target_ + ": write failed: " + errnoText());
}

void AtomicFile::closeStream() {
  if (!file_) return;
  const bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok) throw Error(target_ + ": write failed: " + errnoText());
}

void AtomicFile::commit() {
  if (file_) {
    if (std::fflush(file_) != 0) throw Error(target_ + ": write failed: " + errnoText());
    if (::fsync(::fileno(file_)) != 0) throw Error(target_ + ": fsync failed: " + errnoText());
    closeStream();
  } else {
    // Written by name by another library: sync it by name.
    const int fd = ::open(temp_.c_str(), O_RDONLY);
    if (fd < 0) throw Error(target_ + ": the temporary file vanished: " + errnoText());
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) throw Error(target_ + ": fsync failed: " + errnoText());
  }
  if (std::rename(temp_.c_str(), target_.c_str()) != 0)
    throw Error(target_ + ": cannot replace the file: " + errnoText());
  committed_ = true;
  const fs::path t(target_);
  fsyncFolder(t.has_parent_path() ? t.parent_path().string() : std::string("."));
}

void writeFileAtomically(const std::string& path, const void* data, size_t size) {
  AtomicFile file(path);
  file.write(data, size);
  file.commit();
}

}  // namespace latentshop
