// `latentshop-cli inpaint`: fill a masked region of an image.
//
//   latentshop-cli inpaint --image I --mask M (--out O | --project P.ora) [--method telea|ns]
//                          [--grow N] [--feather N] [--radius R] [--json P]
//
// --project writes a layered project (engine/io/project_edit.h): the original, the mask (a hidden
// mask layer) and the result (a layer over the filled region, with its parameters and mask), which
// the GUI opens and `latentshop-cli export` converts.
//
// The command is split into the options every inpaint backend shares (input, mask, output, mask
// grow/feather, parameters file), the options of a backend, and a dispatch. Today the only backend
// is classical (OpenCV Telea / Navier–Stokes, engine/pipelines/classical_inpaint.h). The diffusion
// backend adds its options (--model, --prompt, ...) in addDiffusionOptions() beside
// addClassicalOptions() and a branch in run(): a given --model selects it.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/command_registry.h"
#include "engine/core/error.h"
#include "engine/io/image_io.h"
#include "engine/io/project_edit.h"
#include "engine/pipelines/classical_inpaint.h"

namespace latentshop::cli {
namespace {

struct InpaintOptions {
  // Shared by every backend.
  std::string image;
  std::string mask;
  std::string out;
  std::string project;  // optional: a layered .ora with the original, the mask and the result
  std::string json;     // optional: where to write the edit's parameters
  int grow = 4;
  int feather = 6;
  // Classical backend.
  std::string method = "telea";
  double radius = 5.0;
};

void addSharedOptions(CLI::App* cmd, InpaintOptions& o) {
  cmd->add_option("--image", o.image, "Image to edit (PNG, JPEG, WebP, TIFF, BMP)")->required();
  cmd->add_option("--mask", o.mask,
                  "Mask of the same size: white (or opaque, for a PNG with alpha) marks what to fill")
      ->required();
  cmd->add_option("--out", o.out, "Where to write the result; the extension picks the format");
  cmd->add_option("--project", o.project,
                  "Also (or instead) write a layered project (.ora): original, mask and result with its parameters");
  cmd->add_option("--grow", o.grow, "Grow (> 0) or shrink (< 0) the mask by N pixels first")
      ->capture_default_str();
  cmd->add_option("--feather", o.feather, "Soft edge outside the mask, in pixels (0: hard edge)")
      ->capture_default_str();
  cmd->add_option("--json", o.json, "Also write the edit's parameters as JSON to this file");
}

void addClassicalOptions(CLI::App* cmd, InpaintOptions& o) {
  cmd->add_option("--method", o.method, "telea (fast marching) or ns (Navier-Stokes)")
      ->check(CLI::IsMember({"telea", "ns"}))
      ->capture_default_str();
  cmd->add_option("--radius", o.radius, "Neighbourhood radius the fill looks at, in pixels")
      ->capture_default_str();
}

void writeParams(const std::string& path, const nlohmann::json& params) {
  std::ofstream f(path);
  if (!f) throw fileError(path, "cannot be written");
  f << params.dump(2) << "\n";
  if (!f) throw fileError(path, "write failed");
}

// Fails on the output paths before any work.
void checkOutputs(const InpaintOptions& o) {
  if (o.out.empty() && o.project.empty()) throw Error("inpaint: give --out (an image), --project (an .ora project) or both");
  if (!o.out.empty() && !isWritableImagePath(o.out))
    throw fileError(o.out, "unknown image extension (use .png, .jpg, .jpeg, .webp, .bmp, .tif or .tiff)");
  if (!o.project.empty()) {
    std::string ext = o.project.size() >= 4 ? o.project.substr(o.project.size() - 4) : std::string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".ora") throw fileError(o.project, "a project must be an OpenRaster file ending in .ora");
  }
}

void runClassical(const InpaintOptions& o) {
  checkOutputs(o);
  ClassicalInpaintRequest request;
  request.image = readImageRgb(o.image);
  request.mask = readMaskFor(o.mask, request.image.size(), o.image);
  request.method = *parseClassicalInpaintMethod(o.method);
  request.growPx = o.grow;
  request.featherPx = o.feather;
  request.radius = o.radius;

  const auto start = std::chrono::steady_clock::now();
  const ClassicalInpaintOutput result = runClassicalInpaint(request);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!o.out.empty()) writeImage(o.out, result.composite);

  nlohmann::json params = classicalInpaintParams(request);
  params["image"] = o.image;
  params["mask"] = o.mask;
  params["placement"] = {result.placement.x, result.placement.y, result.placement.width, result.placement.height};
  if (!o.json.empty()) writeParams(o.json, params);
  if (!o.project.empty()) {
    // The result layer covers the filled region only, as in the GUI: the fill with the feathered
    // composite weight as its alpha, at the region's position.
    EditRecord edit;
    edit.original = request.image;
    std::vector<cv::Mat> planes;
    cv::split(result.filled, planes);
    planes.push_back(result.alpha);
    cv::merge(planes, edit.result);
    edit.placement = result.placement;
    edit.mask = request.mask;
    edit.params = params;
    edit.sourcePath = o.image;
    saveEditProject(o.project, edit);
  }
  const std::string& written = o.out.empty() ? o.project : o.out;
  std::printf("%s: %s inpainting filled %d px (region %dx%d at %d,%d) in %.2f s\n", written.c_str(),
              displayName(request.method), result.holeArea, result.placement.width, result.placement.height,
              result.placement.x, result.placement.y, seconds);
}

void run(const InpaintOptions& o) { runClassical(o); }

void setup(CLI::App& app) {
  auto opts = std::make_shared<InpaintOptions>();
  auto* cmd = app.add_subcommand("inpaint", "Fill the masked region of an image");
  addSharedOptions(cmd, *opts);
  addClassicalOptions(cmd, *opts);
  cmd->callback([opts] { run(*opts); });
}

}  // namespace
}  // namespace latentshop::cli

LATENTSHOP_CLI_COMMAND(inpaint, latentshop::cli::setup)
