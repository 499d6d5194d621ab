// `latentshop-cli inpaint`: fill a masked region of an image.
//
//   latentshop-cli inpaint --image I --mask M (--out O | --project P.ora) [--method remove|patchmatch|telea|ns]
//                          [--grow N] [--feather N] [--radius R] [--keep-out K] [--seed N] [--patch-size N] [--json P]
//   latentshop-cli inpaint --model M --image I --mask K --prompt TEXT (--out O | --project P.ora)
//                          [--negative-prompt T] [--steps N] [--guidance G] [--strength S] [--seed N]
//                          [--scheduler S] [--crop-to-mask] [--padding N] [--feather N] [--grow N]
//                          [--dtype fp32|bf16] [--device cpu|cuda] [--taesd DIR] [--json P.json] [--batch N]
//
// --project writes a layered project (engine/io/project_edit.h): the original, the mask (a hidden
// mask layer) and the result (a layer over the filled region, with its parameters and mask), which
// the GUI opens and `latentshop-cli export` converts.
//
// The command is split into the options every inpaint backend shares (input, mask, output, mask
// grow/feather, parameters file), the options of a backend, and a dispatch: a given --model selects
// Stable Diffusion inpainting (engine/pipelines/sd_inpaint.h: a 9-channel inpainting model, or a
// plain 4-channel one with blended latents), else classical (OpenCV Telea / Navier–Stokes,
// engine/pipelines/classical_inpaint.h). The diffusion result is written with its parameters (PNG
// text chunks, --json, --project).
#include <cctype>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/cli_checks.h"
#include "app/cli/command_registry.h"
#include "app/cli/sd_cli_support.h"
#include "engine/core/error.h"
#include "engine/io/model_defaults.h"
#include "engine/io/image_io.h"
#include "engine/io/project_edit.h"
#include "engine/pipelines/classical_inpaint.h"
#include "engine/pipelines/mask_ops.h"
#include "engine/pipelines/sd_inpaint.h"
#include "engine/io/project_atomic_file.h"

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
  std::string keepOut;  // PatchMatch: never copy from here
  int patchSize = 7;
  int sourceMargin = 0;  // PatchMatch: copy only from within this many px of the hole (0: anywhere)
  int batch = 1;  // --batch N: variations with consecutive seeds (diffusion)
  // Diffusion backend (selected by --model).
  SdInpaintRequest sd;
  // Which options were given (the backends' defaults differ).
  CLI::Option* growOption = nullptr;
  CLI::Option* featherOption = nullptr;
  CLI::Option* methodOption = nullptr;
  CLI::Option* radiusOption = nullptr;
  CLI::Option* promptOption = nullptr;
  CLI::Option* guidanceOption = nullptr;
};

void addSharedOptions(CLI::App* cmd, InpaintOptions& o) {
  cmd->add_option("--image", o.image, "Image to edit (PNG, JPEG, WebP, TIFF, BMP)")->required();
  cmd->add_option("--mask", o.mask,
                  "Mask of the same size: white (or opaque, for a PNG with alpha) marks what to fill")
      ->required();
  cmd->add_option("--out", o.out, "Where to write the result; the extension picks the format");
  cmd->add_option("--project", o.project,
                  "Also (or instead) write a layered project (.ora): original, mask and result with its parameters");
  o.growOption = cmd->add_option("--grow", o.grow, "Grow (> 0) or shrink (< 0) the mask by N pixels first "
                                                   "(classical default 4; diffusion: only when given)")
                     ->check(CLI::Range(-256, 256))
                     ->capture_default_str();
  o.featherOption = cmd->add_option("--feather", o.feather, "Soft edge outside the mask, in pixels (0: hard edge; "
                                                            "classical default 6, diffusion 8)")
                        ->check(CLI::Range(0, 256))
                        ->capture_default_str();
  cmd->add_option("--json", o.json, "Also write the edit's parameters as JSON to this file");
}

void addClassicalOptions(CLI::App* cmd, InpaintOptions& o) {
  o.methodOption = cmd->add_option("--method", o.method,
                                   "Classical: remove (content-aware removal: PatchMatch, texture from the photo "
                                   "itself), patchmatch (the same), telea (fast marching: scratches, wires), ns "
                                   "(Navier-Stokes), shiftmap or fsr (OpenCV contrib's xphoto, for comparison)")
                       ->check(CLI::IsMember({"remove", "patchmatch", "telea", "ns", "shiftmap", "fsr"}))
                       ->capture_default_str();
  cmd->add_option("--keep-out", o.keepOut,
                  "PatchMatch: mask of the image's size, white where the fill must never copy from");
  cmd->add_option("--source-margin", o.sourceMargin,
                  "PatchMatch: copy only from within this many pixels of the hole's box (0: from the whole image)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--patch-size", o.patchSize, "PatchMatch: patch width in pixels (odd)")
      ->check(CLI::Range(3, 15))
      ->capture_default_str();
  o.radiusOption = cmd->add_option("--radius", o.radius, "Classical: neighbourhood radius the fill looks at, in pixels")
                       ->capture_default_str();
}

void addDiffusionOptions(CLI::App* cmd, InpaintOptions& o) {
  auto& r = o.sd;
  cmd->add_option("--model", r.model.path,
                  "Stable Diffusion model (diffusers folder or single-file .safetensors): selects diffusion inpainting");
  o.promptOption = cmd->add_option("--prompt", r.prompt, "Diffusion: what to paint in the masked region");
  cmd->add_option("--negative-prompt", r.negativePrompt, "Diffusion: what to avoid");
  cmd->add_option("--steps", r.steps, "Diffusion: denoising steps")->capture_default_str();
  o.guidanceOption = cmd->add_option("--guidance", r.guidanceScale,
                                     "Diffusion: classifier-free guidance scale (<= 1: off; default: the model's "
                                     "latentshop.json, else 7.5)");
  cmd->add_option("--strength", r.strength, "Diffusion: 1 repaints from noise, lower keeps more of the original")
      ->capture_default_str();
  addSeedOption(cmd, "--seed", r.seed,
                "Diffusion: seed of torch's CPU generator; PatchMatch: seed of its search (same seed, same result)");
  cmd->add_option("--scheduler", r.scheduler, "Diffusion: default (the model's, PNDM for SD 1.5), ddim, pndm, euler, euler-karras, euler-a, dpmpp2m, dpmpp2m-karras")
      ->capture_default_str();
  cmd->add_flag("--crop-to-mask", r.cropToMask, "Diffusion: edit the mask's box (+ padding) at the model's resolution");
  cmd->add_flag("--prefill", r.prefill,
                "Diffusion: first fill the hole with texture from around it (content-aware), so the model starts "
                "from plausible surroundings (with --strength < 1 or a plain model)");
  cmd->add_option("--padding", r.padding, "Diffusion: context around the mask's box with --crop-to-mask, in pixels")
      ->capture_default_str();
  cmd->add_option("--dtype", r.model.dtype, "Diffusion: fp32 (CPU default), bf16, fp16 (CUDA)");
  cmd->add_option("--device", r.model.device, "Diffusion: cpu or cuda (default: cuda when available)");
  cmd->add_option("--taesd", r.taesdPath, "Diffusion: TAESD decoder folder for previews (-v logs their cost)");
  cmd->add_option("--batch", o.batch,
                  "Diffusion: make N variations with consecutive seeds, written as OUT-1.png … OUT-N.png")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
}

void writeParams(const std::string& path, const nlohmann::json& params) {
  writeTextFileAtomically(path, params.dump(2) + "\n");
}

// Fails on the output paths before any work.
void checkOutputs(const InpaintOptions& o) {
  checkOutputPaths({{"--out", o.out}, {"--json", o.json}, {"--project", o.project}},
                   {{"--image", o.image}, {"--mask", o.mask}, {"--keep-out", o.keepOut}, {"--model", o.sd.model.path},
                    {"--taesd", o.sd.taesdPath}});
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
  if (o.batch != 1) throw Error("--batch applies to diffusion inpainting only (with --model): a classical fill is the same every time");
  checkOutputs(o);
  ClassicalInpaintRequest request;
  request.image = readImageRgb(o.image);
  request.mask = readMaskFor(o.mask, request.image.size(), o.image);
  request.method = *parseClassicalInpaintMethod(o.method);
  request.growPx = o.grow;
  request.featherPx = o.feather;
  request.radius = o.radius;
  request.seed = o.sd.seed;
  request.patchSize = o.patchSize;
  request.sourceMarginPx = o.sourceMargin;
  if (!o.keepOut.empty()) request.keepOut = readMaskFor(o.keepOut, request.image.size(), o.image);

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

void runDiffusion(InpaintOptions& o) {
  if (o.methodOption->count() || o.radiusOption->count() || !o.keepOut.empty() || o.sourceMargin > 0)
    throw Error("--method, --radius, --keep-out and --source-margin apply to classical inpainting only (drop --model for it)");
  if (!o.promptOption->count()) throw Error("--prompt is required with --model (say what to paint; \"\" for nothing)");
  checkOutputs(o);
  SdInpaintRequest& r = o.sd;
  const ModelDefaults defaults = readModelDefaults(r.model.path);
  if (!o.guidanceOption->count() && defaults.guidanceScale) r.guidanceScale = *defaults.guidanceScale;
  r.image = readImageRgb(o.image);
  r.mask = readMaskFor(o.mask, r.image.size(), o.image);
  if (o.growOption->count() && o.grow != 0) r.mask = growShrinkMask(r.mask, o.grow);
  if (o.featherOption->count()) r.featherPx = o.feather;
  validate(r);

  // --batch N: N variations with consecutive seeds, the model loaded once.
  const std::uint64_t firstSeed = r.seed;
  runWithContext([&](JobContext& ctx) {
    for (int i = 0; i < o.batch; ++i) {
      const auto start = std::chrono::steady_clock::now();
      r.seed = firstSeed + static_cast<std::uint64_t>(i);
      const SdInpaintResult result = runSdInpaint(r, ctx);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      nlohmann::json params = result.params;
      params["image"] = o.image;
      params["mask"] = o.mask;
      params["placement"] = {result.placement.x, result.placement.y, result.placement.width, result.placement.height};
      EditRecord edit;
      edit.original = r.image;
      edit.result = result.rgba;
      edit.placement = result.placement;
      edit.mask = r.mask;
      edit.params = params;
      edit.sourcePath = o.image;
      const SdOutputs outputs = variationOutputs({o.out, o.json, o.project}, i, o.batch);
      writeSdOutputs(outputs, result.composite, params, edit);
      const std::string& written = outputs.out.empty() ? outputs.project : outputs.out;
      std::printf("%s: %s; %.1f s in all\n", written.c_str(), result.message.c_str(), seconds);
    }
  });
}

void run(InpaintOptions& o) {
  if (o.sd.model.path.empty() && o.promptOption->count())
    throw Error("--prompt needs --model (a Stable Diffusion model); without it the inpainting is classical");
  if (!o.sd.model.path.empty()) {
    runDiffusion(o);
  } else {
    runClassical(o);
  }
}

void setup(CLI::App& app) {
  auto opts = std::make_shared<InpaintOptions>();
  auto* cmd = app.add_subcommand("inpaint", "Fill the masked region of an image");
  addSharedOptions(cmd, *opts);
  addClassicalOptions(cmd, *opts);
  addDiffusionOptions(cmd, *opts);
  cmd->callback([opts] { run(*opts); });
}

}  // namespace
}  // namespace latentshop::cli

LATENTSHOP_CLI_COMMAND(inpaint, latentshop::cli::setup)
