#include "engine/io/project_atomic_file.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include <csignal>

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include "engine/core/error.h"

namespace fs = std::filesystem;

namespace latentshop {

namespace {

std::string errnoText() { return std::strerror(errno); }

// "No space left on device (the disk is full)" and friends: the cause in words a user can act on.
std::string writeFailure(int err) {
  std::string text = std::strerror(err);
  switch (err) {
    case ENOSPC: return text + " (the disk is full; the previous file is unchanged)";
    case EDQUOT: return text + " (disk quota exceeded; the previous file is unchanged)";
    case EFBIG: return text + " (the file-size limit was reached; the previous file is unchanged)";
    case EIO: return text + " (the device reported an error; the previous file is unchanged)";
    default: return text + " (the previous file is unchanged)";
  }
}

// The PID in a temporary's name ".<name>.tmp-<pid>-<n>" (or libzip's own temporary beside it,
// ".<name>.tmp-<pid>-<n>.XXXXXX"), or 0 when `name` is not one.
pid_t temporaryOwner(const std::string& name) {
  if (name.size() < 8 || name[0] != '.') return 0;
  const size_t tag = name.rfind(".tmp-");
  if (tag == std::string::npos || tag == 0) return 0;
  const std::string rest = name.substr(tag + 5);
  const size_t dash = rest.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 >= rest.size()) return 0;
  const std::string pid = rest.substr(0, dash);
  std::string n = rest.substr(dash + 1);
  if (const size_t dot = n.find('.'); dot != std::string::npos) {
    const std::string suffix = n.substr(dot + 1);
    const bool alnum = suffix.size() == 6 && std::all_of(suffix.begin(), suffix.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
    if (!alnum) return 0;
    n.resize(dot);
  }
  auto digits = [](const std::string& t) { return t.size() <= 10 && t.find_first_not_of("0123456789") == std::string::npos; };
  if (!digits(pid) || !digits(n)) return 0;
  const long long v = std::stoll(pid);
  return v > 0 && v < (1LL << 31) ? static_cast<pid_t>(v) : 0;
}

// removeStaleTemporaries() for the folder of a save, at most once a minute per folder and process:
// a folder export writes thousands of files into one folder, and each need not rescan it.
void removeStaleTemporariesNow(const std::string& dir) {
  static std::mutex mutex;
  static std::map<std::string, std::chrono::steady_clock::time_point> lastScan;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = lastScan.find(dir);
    if (it != lastScan.end() && now - it->second < std::chrono::minutes(1)) return;
    lastScan[dir] = now;
  }
  removeStaleTemporaries(dir);
}

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
  if (fs::is_directory(t, ec)) throw Error(target_ + ": is a folder; cannot replace it with a file");
  removeStaleTemporariesNow(dir.string());
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
    throw Error(target_ + ": write failed: " + writeFailure(errno));
}

void AtomicFile::closeStream() {
  if (!file_) return;
  const bool ok = std::fflush(file_) == 0;
  const int err = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok) throw Error(target_ + ": write failed: " + writeFailure(err));
  if (!closed) throw Error(target_ + ": write failed: " + writeFailure(errno));
}

void AtomicFile::commit() {
  if (file_) {
    if (std::fflush(file_) != 0) throw Error(target_ + ": write failed: " + writeFailure(errno));
    if (::fsync(::fileno(file_)) != 0) throw Error(target_ + ": write failed: " + writeFailure(errno));
    closeStream();
  } else {
    // Written by name by another library: sync it by name.
    const int fd = ::open(temp_.c_str(), O_RDONLY);
    if (fd < 0) throw Error(target_ + ": the temporary file vanished: " + errnoText());
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) throw Error(target_ + ": write failed: " + writeFailure(errno));
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

void writeTextFileAtomically(const std::string& path, const std::string& text) {
  writeFileAtomically(path, text.data(), text.size());
}

int removeStaleTemporaries(const std::string& dir) {
  int removed = 0;
  std::error_code ec;
  fs::directory_iterator it(dir.empty() ? fs::path(".") : fs::path(dir), ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const pid_t owner = temporaryOwner(it->path().filename().string());
    if (owner == 0 || owner == ::getpid()) continue;
    if (::kill(owner, 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    std::error_code rm;
    std::error_code type;
    if (it->is_regular_file(type) && fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

void reportFileSizeLimitAsError() { std::signal(SIGXFSZ, SIG_IGN); }

}  // namespace latentshop
