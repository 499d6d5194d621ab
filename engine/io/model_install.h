// Installing a manifest model into the user's models folder so that no loader ever sees a
// half-written file: everything is downloaded into a hidden staging folder
// `<models>/.<id>.download/`, each file first as `<path>.part`, verified (size, and sha256 where the
// Hub lists one) and renamed; when every file is there, `latentshop-install.json` is written and
// the staging folder is renamed to `<models>/<id>`. Pickers list only non-hidden folders, so a
// model appears complete or not at all. A paused or interrupted download resumes from the .part
// files (HTTP Range). The transport (Qt Network) lives in the app; this is the part the GUI and the
// CLI share.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/io/hub_listing.h"
#include "engine/io/model_manifest.h"

namespace latentshop {

inline constexpr const char* kInstallRecordName = "latentshop-install.json";

struct InstallFile {
  HubFile remote;
  std::string target;  // staging/<path>: where the verified file goes
  std::string part;    // target + ".part": where bytes are written
  bool done = false;   // target exists with the listed size (verified before)
  uint64_t partBytes = 0;  // bytes already in the .part (resume from here); 0 when none
};

struct InstallPlan {
  std::string id;
  std::string folder;   // <models>/<id>: the final folder
  std::string staging;  // <models>/.<id>.download
  std::vector<InstallFile> files;
  uint64_t totalBytes = 0;  // sum of the listed sizes
  uint64_t doneBytes = 0;   // verified files plus .part bytes
};

// Builds the plan for `files` (from selectModelFiles) and looks at what the staging folder
// already holds (a .part larger than the listed size is removed and starts again). Creates the
// staging folder and the subfolders. Throws Error when <models>/<id> already exists.
InstallPlan planInstall(const ManifestModel& model, const std::vector<HubFile>& files, const std::string& modelsDir);

// Verifies a fully downloaded `file.part` (size, then sha256 where listed) and renames it to
// `file.target`. On a mismatch the .part is removed and Error is thrown:
// "unet/diffusion_pytorch_model.fp16.safetensors: the download's sha256 is 12ab…, the Hub lists
// 34cd…; the file was removed". `progress(bytes hashed)` may return false to stop (JobCancelled).
void finishDownloadedFile(const InstallFile& file, const std::function<bool(uint64_t)>& progress = {});

// When every file of the plan is done: writes the install record (id, repo, revision, files with
// sizes and digests, time) and renames staging → folder. Throws Error naming what is missing.
void completeInstall(const InstallPlan& plan, const ManifestModel& model);

// Removes the staging folder of `id` (a cancelled download); no error when there is none.
void discardPartialInstall(const std::string& modelsDir, const std::string& id);

struct InstalledModel {
  std::string id;
  std::string folder;
  uint64_t bytes = 0;   // on disk
  bool partial = false; // only a staging folder exists (paused or interrupted download)
  uint64_t partialBytes = 0;
};

// The state of `id` under `modelsDir`: installed (its folder has the install record), partial
// (a staging folder exists), or nothing.
std::optional<InstalledModel> findInstalledModel(const std::string& modelsDir, const std::string& id);

// Deletes an installed model's folder. Refuses (Error) a folder without the install record: a
// folder the user put there is never deleted by Latentshop.
void removeInstalledModel(const std::string& modelsDir, const std::string& id);

}  // namespace latentshop
