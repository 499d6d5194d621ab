// Atomic file replacement for project saves, autosave and exports: data goes to a temporary file
// beside the target, which commit() flushes, fsyncs, renames over the target and then fsyncs the
// directory, so a crash or kill at any moment leaves either the old file or the new one — never a
// torn one. Until commit() the target is untouched; destroying an uncommitted AtomicFile removes
// the temporary file.
#pragma once
#include <cstdio>
#include <string>

namespace latentshop {

class AtomicFile {
public:
  // Creates and opens "<dir>/.<name>.tmp-<pid>-<n>" beside `target`. Throws Error("<target>: ...")
  // when the folder does not exist or is not writable.
  explicit AtomicFile(std::string target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& target() const { return target_; }
  const std::string& tempPath() const { return temp_; }

  // The open temporary file, for streaming writes (seekable). Null after closeStream().
  std::FILE* stream() { return file_; }
  // Appends bytes; throws Error naming the target on a write failure (disk full, ...).
  void write(const void* data, size_t size);
  // Closes the stream so another library can write tempPath() by name (libzip does).
  void closeStream();

  // Flush, fsync, rename over the target, fsync the directory. Throws Error on any failure (the
  // target is then unchanged and the temporary file removed).
  void commit();

private:
  std::string target_;
  std::string temp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

// Writes `size` bytes to `path` atomically.
void writeFileAtomically(const std::string& path, const void* data, size_t size);

}  // namespace latentshop
