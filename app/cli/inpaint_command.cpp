// `latentshop-cli inpaint`: fill a masked region of an image.
//
//   latentshop-cli inpaint --image I --mask M --out O [--method telea|ns] [--grow N] [--feather N]
//                          [--radius R] [--json P]
//   latentshop-cli inpaint --model M --image I --mask K --prompt TEXT --out O [--negative-prompt T]
//                          [--steps N] [--guidance G] [--strength S] [--seed N] [--scheduler S]
//                          [--crop-to-mask] [--padding N] [--feather N] [--grow N] [--dtype fp32|bf16]
//                          [--device cpu|cuda] [--taesd DIR] [--json P.json] [--project P.ora]
//
// The command is split into the options every inpaint backend shares (input, mask, output, mask
// grow/feather, parameters file), the options of a backend, and a dispatch: a given --model selects
// Stable Diffusion inpainting (engine/pipelines/sd_inpaint.h: a 9-channel inpainting model, or a
// plain 4-channel one with blended latents), else classical (OpenCV Telea / Navier–Stokes,
// engine/pipelines/classical_inpaint.h). The diffusion result is written with its parameters (PNG
// text chunks, --json, --project).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli/command_registry.h"
#include "app/cli/sd_cli_support.h"
#include "engine/core/error.h"
#include "engine/io/image_io.h"
#include "engine/pipelines/classical_inpaint.h"
#include "engine/pipelines/mask_ops.h"
#include "engine/pipelines/sd_inpaint.h"

namespace latentshop::cli {
namespace {

struct InpaintOptions {
  // Shared by every backend.
  std::string image;
  std::string mask;
  std::string out;
  std::string json;  // optional: where to write the edit's parameters
  int grow = 4;
  int feather = 6;
  // Classical backend.
  std::string method = "telea";
  double radius = 5.0;
  // Diffusion backend (selected by --model).
  SdInpaintRequest sd;
  std::string project;
  // Which options were given (the backends' defaults differ).
  CLI::Option* growOption = nullptr;
  CLI::Option* featherOption = nullptr;
  CLI::Option* methodOption = nullptr;
  CLI::Option* radiusOption = nullptr;
  CLI::Option* promptOption = nullptr;
};

void addSharedOptions(CLI::App* cmd, InpaintOptions& o) {
  cmd->add_option("--image", o.image, "Image to edit (PNG, JPEG, WebP, TIFF, BMP)")->required();
  cmd->add_option("--mask", o.mask,
                  "Mask of the same size: white (or opaque, for a PNG with alpha) marks what to fill")
      ->required();
  cmd->add_option("--out", o.out, "Where to write the result; the extension picks the format")->required();
  o.growOption = cmd->add_option("--grow", o.grow, "Grow (> 0) or shrink (< 0) the mask by N pixels first "
                                                   "(classical default 4; diffusion: only when given)")
                     ->capture_default_str();
  o.featherOption = cmd->add_option("--feather", o.feather, "Soft edge outside the mask, in pixels (0: hard edge; "
                                                            "classical default 6, diffusion 8)")
                        ->capture_default_str();
  cmd->add_option("--json", o.json, "Also write the edit's parameters as JSON to this file");
}

void addClassicalOptions(CLI::App* cmd, InpaintOptions& o) {
  o.methodOption = cmd->add_option("--method", o.method, "Classical: telea (fast marching) or ns (Navier-Stokes)")
                       ->check(CLI::IsMember({"telea", "ns"}))
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
  cmd->add_option("--guidance", r.guidanceScale, "Diffusion: classifier-free guidance scale (<= 1: off)")->capture_default_str();
  cmd->add_option("--strength", r.strength, "Diffusion: 1 repaints from noise, lower keeps more of the original")
      ->capture_default_str();
  cmd->add_option("--seed", r.seed, "Diffusion: seed of torch's CPU generator (same seed, same result)")->capture_default_str();
  cmd->add_option("--scheduler", r.scheduler, "Diffusion: default, ddim, euler, euler-karras, euler-a, dpmpp2m, dpmpp2m-karras")
      ->capture_default_str();
  cmd->add_flag("--crop-to-mask", r.cropToMask, "Diffusion: edit the mask's box (+ padding) at the model's resolution");
  cmd->add_option("--padding", r.padding, "Diffusion: context around the mask's box with --crop-to-mask, in pixels")
      ->capture_default_str();
  cmd->add_option("--dtype", r.model.dtype, "Diffusion: fp32 (CPU default), bf16, fp16 (CUDA)");
  cmd->add_option("--device", r.model.device, "Diffusion: cpu or cuda (default: cuda when available)");
  cmd->add_option("--taesd", r.taesdPath, "Diffusion: TAESD decoder folder for previews (-v logs their cost)");
  cmd->add_option("--project", o.project, "Also write a layered project (.ora): original, mask, result with parameters");
}

void writeParams(const std::string& path, const nlohmann::json& params) {
  std::ofstream f(path);
  if (!f) throw fileError(path, "cannot be written");
  f << params.dump(2) << "\n";
  if (!f) throw fileError(path, "write failed");
}

void runClassical(const InpaintOptions& o) {
  // Fail on the output path before any work.
  if (!isWritableImagePath(o.out))
    throw fileError(o.out, "unknown image extension (use .png, .jpg, .jpeg, .webp, .bmp, .tif or .tiff)");
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
  writeImage(o.out, result.composite);

  nlohmann::json params = classicalInpaintParams(request);
  params["image"] = o.image;
  params["mask"] = o.mask;
  params["placement"] = {result.placement.x, result.placement.y, result.placement.width, result.placement.height};
  if (!o.json.empty()) writeParams(o.json, params);
  std::printf("%s: %s inpainting filled %d px (region %dx%d at %d,%d) in %.2f s\n", o.out.c_str(),
              displayName(request.method), result.holeArea, result.placement.width, result.placement.height,
              result.placement.x, result.placement.y, seconds);
}

void runDiffusion(InpaintOptions& o) {
  if (o.methodOption->count() || o.radiusOption->count())
    throw Error("--method and --radius apply to classical inpainting only (drop --model for it)");
  if (!o.promptOption->count()) throw Error("--prompt is required with --model (say what to paint; \"\" for nothing)");
  requireWritableImage(o.out);
  SdInpaintRequest& r = o.sd;
  r.image = readImageRgb(o.image);
  r.mask = readMaskFor(o.mask, r.image.size(), o.image);
  if (o.growOption->count() && o.grow != 0) r.mask = growShrinkMask(r.mask, o.grow);
  if (o.featherOption->count()) r.featherPx = o.feather;
  validate(r);

  const auto start = std::chrono::steady_clock::now();
  SdInpaintResult result;
  runWithContext([&](JobContext& ctx) { result = runSdInpaint(r, ctx); });
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
  writeSdOutputs({o.out, o.json, o.project}, result.composite, params, edit);
  std::printf("%s: %s; %.1f s in all\n", o.out.c_str(), result.message.c_str(), seconds);
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
