// Staged, verified installation of manifest models into the models folder (see model_install.h).
#include "engine/io/model_install.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/core/sha256.h"
#include "engine/io/project_atomic_file.h"

namespace fs = std::filesystem;

namespace latentshop {

namespace {

// The same rule as manifest ids: [A-Za-z0-9._-]+, not starting with '.'.
void requireSafeId(const std::string& id) {
  const bool ok = !id.empty() && id[0] != '.' && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (!ok) throw Error("model id \"" + id + "\": not a safe folder name (letters, digits, '.', '_', '-'; no leading '.')");
}

// Relative, no empty, "." or ".." segment, no backslash (parseHubTree's rule, checked again here
// because the plan turns these into paths on disk).
bool isSafeRelativePath(const std::string& path) {
  if (path.empty() || path[0] == '/' || path.find('\\') != std::string::npos) return false;
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string seg = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

std::string folderOf(const std::string& modelsDir, const std::string& id) { return modelsDir + "/" + id; }
std::string stagingOf(const std::string& modelsDir, const std::string& id) { return modelsDir + "/." + id + ".download"; }

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

// Size of a regular file, or nullopt when there is none.
std::optional<uint64_t> regularFileSize(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  const auto size = fs::file_size(path, ec);
  if (ec) return std::nullopt;
  return size;
}

// Sum of the regular files under `dir` (symlinks are not followed).
uint64_t bytesUnder(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code sizeEc;
    if (it->is_regular_file(sizeEc)) {
      const auto size = it->file_size(sizeEc);
      if (!sizeEc) total += size;
    }
  }
  return total;
}

void removeFile(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

void renameOrThrow(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw fileError(from, "cannot rename to " + to + ": " + ec.message());
}

std::string abbreviated(const std::string& digest) { return digest.size() > 12 ? digest.substr(0, 12) + "…" : digest; }

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string utcNowIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

InstallPlan planInstall(const ManifestModel& model, const std::vector<HubFile>& files, const std::string& modelsDir) {
  requireSafeId(model.id);
  InstallPlan plan;
  plan.id = model.id;
  plan.folder = folderOf(modelsDir, model.id);
  plan.staging = stagingOf(modelsDir, model.id);
  if (exists(plan.folder)) throw Error(plan.folder + ": already installed");

  std::set<std::string> paths;
  for (const auto& remote : files) {
    if (!isSafeRelativePath(remote.path)) throw Error(model.repo + ": refusing the file path \"" + remote.path + "\"");
    if (remote.path == kInstallRecordName) {
      throw Error(model.repo + ": the repository has a file named " + remote.path + ", which Latentshop writes itself");
    }
    if (!paths.insert(remote.path).second) throw Error(model.repo + ": " + remote.path + " is listed twice");
  }

  for (const auto& remote : files) {
    InstallFile f;
    f.remote = remote;
    f.target = plan.staging + "/" + remote.path;
    f.part = f.target + ".part";
    std::error_code ec;
    fs::create_directories(fs::path(f.target).parent_path(), ec);
    if (ec) throw fileError(fs::path(f.target).parent_path().string(), "cannot create the folder: " + ec.message());

    f.done = regularFileSize(f.target) == remote.size;
    if (f.done) {
      removeFile(f.part);  // a stale part beside a verified file
    } else if (const auto partSize = regularFileSize(f.part)) {
      if (*partSize > remote.size) {
        removeFile(f.part);  // longer than the file: start again
      } else {
        f.partBytes = *partSize;
      }
    }
    plan.totalBytes += remote.size;
    plan.doneBytes += f.done ? remote.size : f.partBytes;
    plan.files.push_back(std::move(f));
  }
  std::error_code ec;
  fs::create_directories(plan.staging, ec);  // also when there are no files
  if (ec) throw fileError(plan.staging, "cannot create the folder: " + ec.message());
  return plan;
}

void finishDownloadedFile(const InstallFile& file, const std::function<bool(uint64_t)>& progress) {
  const std::string& name = file.remote.path;
  const auto size = regularFileSize(file.part);
  if (!size) throw fileError(file.part, "the download is missing");
  if (*size != file.remote.size) {
    removeFile(file.part);
    throw Error(name + ": the download has " + std::to_string(*size) + " bytes, the Hub lists " +
                std::to_string(file.remote.size) + "; the file was removed (" + file.part + ")");
  }
  if (!file.remote.sha256.empty()) {
    const std::string got = sha256OfFile(file.part, progress);
    const std::string want = lowercase(file.remote.sha256);
    if (got != want) {
      removeFile(file.part);
      throw Error(name + ": the download's sha256 is " + abbreviated(got) + ", the Hub lists " + abbreviated(want) +
                  "; the file was removed (" + file.part + ")");
    }
  }
  renameOrThrow(file.part, file.target);
}

void completeInstall(const InstallPlan& plan, const ManifestModel& model) {
  requireSafeId(plan.id);
  if (model.id != plan.id) throw Error("model " + model.id + ": the install plan is for " + plan.id);
  std::vector<std::string> missing;
  for (const auto& f : plan.files) {
    if (regularFileSize(f.target) != f.remote.size) missing.push_back(f.remote.path);
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 3; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 3) list += " and " + std::to_string(missing.size() - 3) + " more";
    throw Error(plan.folder + ": the download is not complete (missing " + list + ")");
  }
  if (exists(plan.folder)) throw Error(plan.folder + ": already installed");

  nlohmann::json record;
  record["id"] = model.id;
  record["name"] = model.name;
  record["repo"] = model.repo;
  record["revision"] = model.revision;
  record["files"] = nlohmann::json::array();
  for (const auto& f : plan.files) {
    removeFile(f.part);
    record["files"].push_back({{"path", f.remote.path}, {"size", f.remote.size}, {"sha256", f.remote.sha256}});
  }
  record["installed_at"] = utcNowIso8601();
  writeTextFileAtomically(plan.staging + "/" + kInstallRecordName, record.dump(2) + "\n");
  renameOrThrow(plan.staging, plan.folder);
}

void discardPartialInstall(const std::string& modelsDir, const std::string& id) {
  requireSafeId(id);
  const std::string staging = stagingOf(modelsDir, id);
  std::error_code ec;
  fs::remove_all(staging, ec);
  if (ec) throw fileError(staging, "cannot remove the partial download: " + ec.message());
}

std::optional<InstalledModel> findInstalledModel(const std::string& modelsDir, const std::string& id) {
  requireSafeId(id);
  const std::string folder = folderOf(modelsDir, id);
  std::error_code ec;
  if (fs::is_directory(folder, ec) && fs::is_regular_file(folder + "/" + kInstallRecordName, ec)) {
    InstalledModel m;
    m.id = id;
    m.folder = folder;
    m.bytes = bytesUnder(folder);
    return m;
  }
  const std::string staging = stagingOf(modelsDir, id);
  if (fs::is_directory(staging, ec)) {
    InstalledModel m;
    m.id = id;
    m.folder = staging;
    m.partial = true;
    m.partialBytes = bytesUnder(staging);
    m.bytes = m.partialBytes;
    return m;
  }
  return std::nullopt;
}

void removeInstalledModel(const std::string& modelsDir, const std::string& id) {
  requireSafeId(id);
  const std::string folder = folderOf(modelsDir, id);
  std::error_code ec;
  if (!exists(folder)) throw Error(folder + ": not installed");
  if (!fs::is_directory(fs::symlink_status(folder, ec)) || !fs::is_regular_file(folder + "/" + kInstallRecordName, ec)) {
    throw Error(folder + ": not installed by Latentshop (no " + std::string(kInstallRecordName) + "); remove it yourself");
  }
  fs::remove_all(folder, ec);
  if (ec) throw fileError(folder, "cannot remove the model: " + ec.message());
}

}  // namespace latentshop
