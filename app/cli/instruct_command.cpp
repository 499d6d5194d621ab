// `latentshop-cli instruct`: edit an image by an instruction with an InstructPix2Pix model.
//
//   latentshop-cli instruct --model M --image I --instruction TEXT --out O [--text-guidance 7.5]
//                           [--image-guidance 1.5] [--steps 20] [--seed N] [--scheduler S]
//                           [--negative-prompt T] [--dtype fp32|bf16] [--device cpu|cuda]
//                           [--taesd DIR] [--json P.json] [--project P.ora] [--mask M [--feather 8]] [--batch N]
//
// Runs engine/pipelines/sd_instruct.h (diffusers' StableDiffusionInstructPix2PixPipeline) and writes
// the image (a PNG carries the parameters in its text chunks), the parameters as JSON and
// optionally a layered project. A model of another kind is refused with a message saying which kind
// it is and what instruct needs. With --mask only the white region changes (blended back with a
// soft edge of --feather pixels), as the GUI does with a painted mask.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "app/cli/cli_checks.h"
#include "app/cli/command_registry.h"
#include "app/cli/sd_cli_support.h"
#include "engine/core/error.h"
#include "engine/io/image_io.h"
#include "engine/io/model_defaults.h"
#include "engine/pipelines/sd_instruct.h"

namespace latentshop::cli {
namespace {

struct InstructOptions {
  SdInstructRequest request;
  std::string image;
  std::string mask;
  int batch = 1;
  std::string out;
  std::string json;
  std::string project;
  CLI::Option* textGuidanceOption = nullptr;
  CLI::Option* imageGuidanceOption = nullptr;
};

void run(InstructOptions& o) {
  requireWritableImage(o.out);
  checkOutputPaths({{"--out", o.out}, {"--json", o.json}, {"--project", o.project}},
                   {{"--image", o.image}, {"--mask", o.mask}, {"--model", o.request.model.path}, {"--taesd", o.request.taesdPath}});
  SdInstructRequest& r = o.request;
  const ModelDefaults defaults = readModelDefaults(r.model.path);
  if (!o.textGuidanceOption->count() && defaults.guidanceScale) r.textGuidance = *defaults.guidanceScale;
  if (!o.imageGuidanceOption->count() && defaults.imageGuidanceScale) r.imageGuidance = *defaults.imageGuidanceScale;
  r.image = readImageRgb(o.image);
  if (!o.mask.empty()) r.mask = readMaskFor(o.mask, r.image.size(), o.image);
  validate(r);
  // --batch N: N variations with consecutive seeds, the model loaded once.
  const std::uint64_t firstSeed = r.seed;
  runWithContext([&](JobContext& ctx) {
    for (int i = 0; i < o.batch; ++i) {
      const auto start = std::chrono::steady_clock::now();
      r.seed = firstSeed + static_cast<std::uint64_t>(i);
      const SdInstructResult result = runSdInstruct(r, ctx);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      nlohmann::json params = result.params;
      params["image"] = o.image;
      if (!o.mask.empty()) params["mask"] = o.mask;
      EditRecord edit;
      edit.original = r.image;
      edit.result = result.image;
      edit.params = params;
      edit.sourcePath = o.image;
      const SdOutputs outputs = variationOutputs({o.out, o.json, o.project}, i, o.batch);
      writeSdOutputs(outputs, result.image, params, edit);
      std::printf("%s: %s; %.1f s in all\n", outputs.out.c_str(), result.message.c_str(), seconds);
    }
  });
}

void setup(CLI::App& app) {
  auto o = std::make_shared<InstructOptions>();
  auto& r = o->request;
  auto* cmd = app.add_subcommand("instruct", "Edit an image by an instruction (InstructPix2Pix)");
  cmd->add_option("--model", r.model.path, "InstructPix2Pix model (diffusers folder or single-file .safetensors)")->required();
  cmd->add_option("--image", o->image, "Image to edit (PNG, JPEG, WebP, TIFF, BMP)")->required();
  cmd->add_option("--instruction", r.instruction, "What to change, e.g. \"make it snowy\"")->required();
  cmd->add_option("--out", o->out, "Where to write the result; the extension picks the format")->required();
  o->textGuidanceOption = cmd->add_option("--text-guidance", r.textGuidance,
                                          "How strongly to follow the instruction (guidance_scale; default: the "
                                          "model's latentshop.json, else 7.5)");
  o->imageGuidanceOption = cmd->add_option("--image-guidance", r.imageGuidance,
                                           "How closely to keep the image (image_guidance_scale; default: the "
                                           "model's latentshop.json, else 1.5)");
  cmd->add_option("--steps", r.steps, "Denoising steps")->capture_default_str();
  addSeedOption(cmd, "--seed", r.seed, "Seed of torch's CPU generator (same seed, same result)");
  cmd->add_option("--scheduler", r.scheduler, "default (the model's: Euler a), ddim, pndm, euler, euler-karras, euler-a, "
                                              "dpmpp2m, dpmpp2m-karras")
      ->capture_default_str();
  cmd->add_option("--negative-prompt", r.negativePrompt, "What to avoid (optional)");
  cmd->add_option("--dtype", r.model.dtype, "fp32 (CPU default), bf16, fp16 (CUDA)");
  cmd->add_option("--device", r.model.device, "cpu or cuda (default: cuda when available)");
  cmd->add_option("--taesd", r.taesdPath, "TAESD decoder folder for previews");
  cmd->add_option("--mask", o->mask, "Only change this region (white), same size as the image; default: the whole image");
  cmd->add_option("--feather", r.featherPx, "Soft edge outside the mask, pixels (with --mask)")->capture_default_str()->check(CLI::Range(0, 256));
  cmd->add_option("--batch", o->batch, "Make N variations with consecutive seeds, written as OUT-1.png … OUT-N.png")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--json", o->json, "Also write the edit's parameters as JSON to this file");
  cmd->add_option("--project", o->project, "Also write a layered project (.ora): original and result with parameters");
  cmd->callback([o] { run(*o); });
}

}  // namespace
}  // namespace latentshop::cli

LATENTSHOP_CLI_COMMAND(instruct, latentshop::cli::setup)
