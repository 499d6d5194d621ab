// `latentshop-cli drag`: DragDiffusion drag editing of an image.
//
//   latentshop-cli drag --model M --image I --points "x1,y1>x2,y2;..." --out O [--mask K]
//                       [--prompt P] [--lora-steps N] [--steps N] [--seed S] [--json J] [--project P.ora]
//                       [--inversion-strength S] [--latent-lr LR] [--feature-layer L] [--working-size PX]
//                       [--lora-file F] [--save-lora F] [--lora-cache DIR|none] [--taesd T]
//                       [--device cpu|cuda] [--dtype fp32|bf16|fp16]
//
// Points are handle>target pairs in image pixels (x to the right, y down, as an image viewer shows
// them); the engine converts them to the model's feature grid (engine/pipelines/drag_geometry.h).
// The mask (white = the region allowed to move) must have the image's size. Progress goes to
// stderr; the result image (same size as the input) to --out.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/cli/cli_checks.h"
#include "app/cli/command_registry.h"
#include "engine/core/error.h"
#include "engine/io/image_io.h"
#include "engine/io/project_edit.h"
#include "engine/pipelines/drag_job.h"
#include "engine/pipelines/drag_lora_cache.h"
#include "engine/runtime/model_cache.h"
#include "engine/io/project_atomic_file.h"

namespace latentshop::cli {
namespace {

struct DragOptions {
  std::string model, image, points, mask, prompt, out, json, project;
  std::string loraFile, saveLora, loraCache, taesd, device, dtype;
  DragParams params;
};

void setup(CLI::App& app) {
  auto o = std::make_shared<DragOptions>();
  auto& p = o->params;
  auto* cmd = app.add_subcommand("drag", "Drag handle points to target points (DragDiffusion)");
  cmd->add_option("--model", o->model, "Stable Diffusion 1.x model: diffusers folder or .safetensors file")->required();
  cmd->add_option("--image", o->image, "Image to edit")->required();
  cmd->add_option("--points", o->points, "Handle>target pairs in image pixels: \"x1,y1>x2,y2;x3,y3>x4,y4\"")->required();
  cmd->add_option("--out", o->out, "Where to write the result; the extension picks the format")->required();
  cmd->add_option("--mask", o->mask, "Movable region, same size as the image (white = may move); default: all");
  cmd->add_option("--prompt", o->prompt, "A description of the image (used by the LoRA and every UNet call)");
  cmd->add_option("--lora-steps", p.loraSteps, "LoRA training steps on the image (0: no LoRA)")->capture_default_str();
  cmd->add_option("--steps", p.dragSteps, "Maximum drag (latent optimisation) steps")->capture_default_str();
  addSeedOption(cmd, "--seed", p.seed, "Seed of the LoRA training");
  cmd->add_option("--inversion-strength", p.inversionStrength, "Fraction of the 50 DDIM steps inverted")->capture_default_str();
  cmd->add_option("--latent-lr", p.latentLr, "Adam learning rate on the latent")->capture_default_str();
  cmd->add_option("--feature-layer", p.featureLayer, "UNet decoder feature map (0 = mid block, 1.. = up blocks)")
      ->capture_default_str();
  cmd->add_option("--start-layer", p.startLayer,
                  "Mutual self-attention in transformer blocks [N, 16) (SD 1.5 numbering; 16: none)")
      ->capture_default_str();
  cmd->add_option("--start-step", p.startStep, "Mutual self-attention from this denoising step")->capture_default_str();
  cmd->add_option("--lora-lr", p.loraLr, "Learning rate of the LoRA training")->capture_default_str();
  cmd->add_option("--lam", p.lam, "Weight of the term keeping the outside of the mask unchanged")->capture_default_str();
  cmd->add_option("--working-size", p.workingSize, "Long side of the work image in pixels (0: the model's)")
      ->capture_default_str();
  cmd->add_option("--lora-file", o->loraFile, "Use this LoRA (.safetensors) instead of training one");
  cmd->add_option("--save-lora", o->saveLora, "Also save the LoRA used to this .safetensors file");
  cmd->add_option("--lora-cache", o->loraCache, "Folder of cached LoRAs, or 'none' (default: " +
                                                     defaultDragLoraCacheDir() + ")");
  cmd->add_option("--taesd", o->taesd, "TAESD decoder for progress previews (unused by the CLI's output)");
  cmd->add_option("--json", o->json, "Also write the edit's parameters as JSON to this file");
  cmd->add_option("--project", o->project, "Also write an .ora project (original, mask, points, result)");
  cmd->add_option("--device", o->device, "cpu or cuda (default: $LATENTSHOP_DEVICE, else CUDA when available)");
  cmd->add_option("--dtype", o->dtype, "fp32, bf16 or fp16 (default: fp32 on CPU, fp16 on CUDA)");
  cmd->callback([o] {
    if (!isWritableImagePath(o->out))
      throw fileError(o->out, "unknown image extension (use .png, .jpg, .jpeg, .webp, .bmp, .tif or .tiff)");
    checkOutputPaths({{"--out", o->out}, {"--json", o->json}, {"--project", o->project}, {"--save-lora", o->saveLora}},
                     {{"--image", o->image}, {"--mask", o->mask}, {"--model", o->model}, {"--lora-file", o->loraFile},
                      {"--taesd", o->taesd}});
    o->params.validate();  // every number in range before the image is even read
    DragRequest r;
    r.points = parseDragPoints(o->points);
    r.image = readImageRgb(o->image);
    if (!o->mask.empty()) r.mask = readMaskFor(o->mask, r.image.size(), o->image);
    r.prompt = o->prompt;
    r.modelPath = o->model;
    r.params = o->params;
    r.device = o->device;
    r.dtype = o->dtype;
    r.loraFile = o->loraFile;
    r.saveLoraFile = o->saveLora;
    r.loraCacheDir = o->loraCache == "none" ? std::string() : (o->loraCache.empty() ? defaultDragLoraCacheDir() : o->loraCache);
    r.taesdPath = o->taesd;
    r.sourcePath = o->image;
    validateDragRequest(r);

    const bool tty = isatty(fileno(stderr)) != 0;
    std::string lastStage;
    JobCallbacks callbacks;
    callbacks.onProgress = [&](JobId, const JobProgress& pr) {
      if (pr.stage != lastStage) {
        if (tty && !lastStage.empty()) std::fprintf(stderr, "\n");
        lastStage = pr.stage;
        if (!tty) std::fprintf(stderr, "%s%s\n", pr.stage.c_str(), pr.total > 0 ? "..." : "");
      }
      if (tty) {
        if (pr.total > 0)
          std::fprintf(stderr, "\r%s %d/%d (%.0f s, %s)   ", pr.stage.c_str(), pr.step, pr.total, pr.elapsedSeconds,
                       pr.etaSeconds >= 0 ? ("~" + std::to_string(static_cast<int>(pr.etaSeconds)) + " s left").c_str() : "...");
        else
          std::fprintf(stderr, "\r%s...   ", pr.stage.c_str());
      }
    };
    ModelCache models(2);
    CancelToken token;
    JobContext job(1, token, models, callbacks);
    const JobResult result = runDragJob(job, r);
    if (tty) std::fprintf(stderr, "\n");

    cv::Mat full = r.image.clone();
    result.image.copyTo(full(result.placement));
    writeImage(o->out, full);
    nlohmann::json params = result.params;
    params["out"] = o->out;
    if (!o->mask.empty()) params["mask_file"] = o->mask;
    if (!o->json.empty()) {
      writeTextFileAtomically(o->json, params.dump(2) + "\n");
    }
    if (!o->project.empty()) {
      EditRecord edit;
      edit.original = r.image;
      edit.result = result.image;
      edit.placement = result.placement;
      edit.mask = r.mask;
      edit.points = r.points;
      edit.params = params;
      edit.sourcePath = o->image;
      saveEditProject(o->project, edit);
    }
    std::printf("%s: %s\n", o->out.c_str(), result.message.c_str());
  });
}

}  // namespace
}  // namespace latentshop::cli

LATENTSHOP_CLI_COMMAND(drag, latentshop::cli::setup)
