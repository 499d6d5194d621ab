// `latentshop-cli export P.ora --to OUT`: converts a project to a flattened image (OUT ending in
// .png/.jpg/.jpeg/.webp), a layered .psd, an .ora copy, or a folder of PNG layers (OUT ending in
// '/', an existing folder, or a path without extension). Engine side: engine/io/layer_export.h.
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/command_registry.h"
#include "engine/io/layer_export.h"
#include "engine/io/ora_reader.h"

namespace {

struct ExportArgs {
  std::string project;
  std::string out;
  latentshop::ExportOptions options;
};

void runExport(const ExportArgs& args) {
  const latentshop::Project project = latentshop::loadOra(args.project);
  const latentshop::ExportFormat format = latentshop::exportFormatFor(args.out);
  const auto written = latentshop::exportProject(project, args.out, args.options);
  for (const auto& path : written) std::printf("%s\n", path.c_str());
  std::fprintf(stderr, "exported %zu layer%s (%dx%d) as %s: %zu file%s\n", project.layers.size(),
               project.layers.size() == 1 ? "" : "s", project.width, project.height, latentshop::toString(format),
               written.size(), written.size() == 1 ? "" : "s");
}

void setup(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand(
      "export",
      "Convert a project (.ora) to a flattened PNG/JPEG/WebP, a layered PSD, an ORA copy or a folder of PNG layers");
  cmd->add_option("project", args->project, "The project file (.ora)")->required();
  cmd->add_option("--to", args->out,
                  "Output: file.png|.jpg|.jpeg|.webp (flattened), file.psd (layered), file.ora, or a folder "
                  "(ends with '/', exists, or has no extension) for one PNG per layer")
      ->required();
  cmd->add_option("--jpeg-quality", args->options.jpegQuality, "JPEG quality 1-100")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--webp-quality", args->options.webpQuality, "WebP quality 1-100, 101 = lossless")
      ->check(CLI::Range(1, 101))
      ->capture_default_str();
  cmd->add_option("--png-compression", args->options.pngCompression, "PNG compression 0-9: 1-5 fast, 6-9 smaller but slower")
      ->check(CLI::Range(0, 9))
      ->capture_default_str();
  cmd->add_flag("--masks", args->options.layerMasks, "Folder export: also write each layer's mask");
  cmd->callback([args] { runExport(*args); });
}

}  // namespace

LATENTSHOP_CLI_COMMAND(export, setup)
