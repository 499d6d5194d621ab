// `latentshop-cli models list|install ID|remove ID`: the checkpoints of models/manifest.json,
// installed into the models folder the editor lists ($XDG_DATA_HOME/latentshop/models). `install`
// uses the same downloader as the editor's model manager (Qt Network, app/download), resumes an
// interrupted download and verifies every file before the model's folder appears.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/cli/command_registry.h"
#include "engine/core/error.h"
#include "engine/io/model_install.h"
#include "engine/io/model_manifest.h"

#ifdef LATENTSHOP_HAVE_DOWNLOADER
#include <QCoreApplication>
#include <QEventLoop>

#include "app/download/model_downloader.h"
#endif

namespace fs = std::filesystem;

namespace {

struct ModelsOptions {
  std::string manifest;   // empty: found beside the program
  std::string modelsDir;  // empty: $XDG_DATA_HOME/latentshop/models
  std::string endpoint;   // empty: $HF_ENDPOINT or https://huggingface.co
  std::string token;      // empty: $HF_TOKEN
  std::string id;
  bool json = false;
};

std::string programDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::string manifestPath(const ModelsOptions& o) {
  if (!o.manifest.empty()) return o.manifest;
  if (const char* env = std::getenv("LATENTSHOP_MODEL_MANIFEST"); env && *env) return env;
  const std::string dir = programDir();
  for (const fs::path& c : {fs::path(dir) / "../share/latentshop/models/manifest.json",
                            fs::path(LATENTSHOP_SOURCE_DIR) / "models/manifest.json"}) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return fs::weakly_canonical(c, ec).string();
  }
  throw latentshop::Error("models/manifest.json not found beside " + dir + " (pass --manifest FILE)");
}

std::string modelsDir(const ModelsOptions& o) {
  if (!o.modelsDir.empty()) return o.modelsDir;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const fs::path base = xdg && *xdg ? fs::path(xdg) : fs::path(home ? home : ".") / ".local/share";
  return (base / "latentshop/models").string();
}

const latentshop::ManifestModel& findModel(const latentshop::ModelManifest& m, const std::string& id,
                                           const std::string& source) {
  if (const auto* model = m.find(id)) return *model;
  std::string known;
  for (const auto& e : m.models) known += (known.empty() ? "" : ", ") + e.id;
  throw latentshop::Error("unknown model '" + id + "' (" + source + " knows: " + known + ")");
}

void list(const ModelsOptions& o) {
  const std::string source = manifestPath(o);
  const auto manifest = latentshop::readModelManifest(source);
  const std::string dir = modelsDir(o);
  nlohmann::json out = nlohmann::json::array();
  if (!o.json) std::printf("%-18s %-12s %8s  %-10s %-24s %s\n", "ID", "USED BY", "SIZE", "STATE", "LICENCE", "REPOSITORY");
  for (const auto& m : manifest.models) {
    const auto state = latentshop::findInstalledModel(dir, m.id);
    const std::string stateText = !state ? "-" : state->partial ? "partial" : "installed";
    std::string uses;
    for (const auto& u : m.uses) uses += (uses.empty() ? "" : ",") + u;
    if (o.json) {
      out.push_back({{"id", m.id}, {"name", m.name}, {"repo", m.repo}, {"kind", m.kind}, {"uses", m.uses},
                     {"size_gb", m.sizeGb}, {"licence", m.licence}, {"licence_url", m.licenceUrl}, {"state", stateText},
                     {"folder", state && !state->partial ? state->folder : std::string()}});
    } else {
      std::printf("%-18s %-12s %6.2f GB  %-10s %-24s %s\n", m.id.c_str(), uses.c_str(), m.sizeGb, stateText.c_str(),
                  m.licence.c_str(), m.repo.c_str());
    }
  }
  if (o.json) std::printf("%s\n", nlohmann::json{{"models_dir", dir}, {"models", out}}.dump(2).c_str());
  else std::printf("models folder: %s\n", dir.c_str());
}

void remove(const ModelsOptions& o) {
  const std::string source = manifestPath(o);
  const auto manifest = latentshop::readModelManifest(source);
  const auto& model = findModel(manifest, o.id, source);
  const std::string dir = modelsDir(o);
  const auto state = latentshop::findInstalledModel(dir, model.id);
  if (!state) {
    if (fs::exists(fs::path(dir) / model.id)) latentshop::removeInstalledModel(dir, model.id);  // explains why not
    throw latentshop::Error(model.id + ": not installed in " + dir);
  }
  if (state->partial) {
    latentshop::discardPartialInstall(dir, model.id);
    std::printf("removed the partial download of %s\n", model.id.c_str());
    return;
  }
  latentshop::removeInstalledModel(dir, model.id);
  std::printf("removed %s\n", state->folder.c_str());
}

void install(const ModelsOptions& o) {
  const std::string source = manifestPath(o);
  const auto manifest = latentshop::readModelManifest(source);
  const auto& model = findModel(manifest, o.id, source);
#ifdef LATENTSHOP_HAVE_DOWNLOADER
  using latentshop::ui::DownloadProgress;
  using latentshop::ui::ModelDownloader;
  int argc = 1;
  char name[] = "latentshop-cli";
  char* argv[] = {name, nullptr};
  std::unique_ptr<QCoreApplication> app;
  if (!QCoreApplication::instance()) app = std::make_unique<QCoreApplication>(argc, argv);
  latentshop::ui::DownloadSettings settings;
  settings.endpoint = QString::fromStdString(o.endpoint);
  const char* envToken = std::getenv("HF_TOKEN");
  settings.token = QString::fromStdString(!o.token.empty() ? o.token : envToken ? envToken : "");
  settings.modelsDir = QString::fromStdString(modelsDir(o));
  std::printf("%s (%s), licence %s: %s\n", model.name.c_str(), model.repo.c_str(), model.licence.c_str(),
              model.licenceUrl.c_str());
  std::fflush(stdout);
  ModelDownloader downloader(settings);
  QEventLoop loop;
  QString error, folder;
  const bool tty = ::isatty(2);
  QString lastLine;
  QObject::connect(&downloader, &ModelDownloader::progressChanged, &loop, [&](const DownloadProgress& p) {
    const int percent = p.total > 0 ? int(100 * p.done / p.total) : 0;
    const QString line = QStringLiteral("%1 %2 % of %3, %4/s %5")
                             .arg(p.stage)
                             .arg(percent)
                             .arg(ModelDownloader::formatBytes(p.total))
                             .arg(ModelDownloader::formatBytes(qint64(p.bytesPerSecond)))
                             .arg(p.file);
    const QString key = p.stage + p.file;
    if (tty) {
      std::fprintf(stderr, "\r%-100s", qPrintable(line.left(100)));
    } else if (key != lastLine) {  // a log: one line per stage or file, not per chunk
      std::fprintf(stderr, "%s\n", qPrintable(line));
    }
    lastLine = key;
  });
  QObject::connect(&downloader, &ModelDownloader::installed, &loop, [&](const QString& f) {
    folder = f;
    loop.quit();
  });
  QObject::connect(&downloader, &ModelDownloader::failed, &loop, [&](const QString& e) {
    error = e;
    loop.quit();
  });
  downloader.start(model);
  if (downloader.isRunning()) loop.exec();
  if (tty) std::fprintf(stderr, "\n");
  if (!error.isEmpty()) throw latentshop::Error(error.toStdString());
  std::printf("installed: %s\nThe editor lists it in every model picker; the CLI takes --model %s\n",
              qPrintable(folder), qPrintable(folder));
#else
  throw latentshop::Error("this latentshop-cli was built without Qt Network, so it cannot download " + model.id +
                          "; build with Qt 6 or copy the model's folder into " + modelsDir(o));
#endif
}

void setup(CLI::App& app) {
  auto* cmd = app.add_subcommand("models", "List, install and remove the checkpoints Latentshop knows");
  cmd->require_subcommand(1);
  auto o = std::make_shared<ModelsOptions>();
  auto common = [o](CLI::App* sub) {
    sub->add_option("--manifest", o->manifest, "The manifest (default: models/manifest.json beside the program)");
    sub->add_option("--models-dir", o->modelsDir, "Models folder (default $XDG_DATA_HOME/latentshop/models)");
  };
  auto* ls = cmd->add_subcommand("list", "The known checkpoints, their size, licence and whether installed");
  common(ls);
  ls->add_flag("--json", o->json, "Print JSON");
  ls->callback([o] { list(*o); });
  auto* in = cmd->add_subcommand("install", "Download and verify a checkpoint (resumes an interrupted download)");
  common(in);
  in->add_option("id", o->id, "Manifest id, e.g. sd15-inpainting")->required();
  in->add_option("--endpoint", o->endpoint, "Hub endpoint or mirror (default $HF_ENDPOINT or https://huggingface.co)");
  in->add_option("--token", o->token, "Hugging Face access token for gated repositories (default $HF_TOKEN)");
  in->callback([o] { install(*o); });
  auto* rm = cmd->add_subcommand("remove", "Delete an installed checkpoint (or a partial download)");
  common(rm);
  rm->add_option("id", o->id, "Manifest id")->required();
  rm->callback([o] { remove(*o); });
}

}  // namespace
LATENTSHOP_CLI_COMMAND(models, setup)
