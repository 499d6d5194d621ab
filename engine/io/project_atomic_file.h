// The one writer for every file Latentshop writes (images, projects, exports, autosave, JSON,
// safetensors weights and LoRA caches): data goes to a temporary file beside the target, every
// write and the close are checked, commit() flushes, fsyncs, renames over the target and fsyncs the
// directory, so a crash, kill -9, full disk (ENOSPC) or file-size limit (EFBIG) at any moment leaves
// either the old file or the new one, never a torn one, and the error names the file and the cause.
// Until commit() the target is untouched; destroying an uncommitted AtomicFile removes the
// temporary. Temporaries left by dead processes are removed at the next save to their folder.
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
// Writes `text` to `path` atomically.
void writeTextFileAtomically(const std::string& path, const std::string& text);

// Removes "<dir>/.<name>.tmp-<pid>-<n>" files whose process <pid> no longer runs (a save that was
// killed). Files of live processes, and everything else, are left alone. Returns how many it
// removed; never throws.
int removeStaleTemporaries(const std::string& dir);

// Makes a write past RLIMIT_FSIZE fail with EFBIG (reported as an error naming the file) instead
// of killing the process with SIGXFSZ. Called by the GUI's and the CLI's main().
void reportFileSizeLimitAsError();

}  // namespace latentshop
