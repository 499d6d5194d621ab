// Test support for the SD editing pipelines: diffusers model folders written by the test and loaded
// through the same loader users use.
//  - golden folders: the golden tiny components (UNet case, vae_tiny, clip_text_tiny), a tokenizer
//    built from ../shared/models/clip and a given scheduler config — for parity with the reference
//    (embeddings are given there, so the 1000-token tiny text encoder never sees real token ids);
//  - random folders: the golden tiny UNet of a kind and vae_tiny with a text encoder of the same
//    shape but CLIP's full 49408-token vocabulary and random weights (seeded), so prompts run end to
//    end through the real tokenizer.
// Use from a test with `// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp`.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runtime/job.h"
#include "engine/runtime/model_cache.h"

namespace lstest {

// ../shared/golden/<name>.config.json
nlohmann::json goldenJson(const std::string& name);
// The scheduler config recorded with a golden pipeline case ("pipeline_inpaint_tiny"), with its
// _class_name.
nlohmann::json goldenPipelineScheduler(const std::string& pipelineCase);
// The golden UNet case of a kind: "inpainting" → unet_inpaint_tiny, "instruct" → unet_ip2p_tiny,
// "plain" → unet_sd15_shaped_tiny.
std::string unetCaseFor(const std::string& kind);

// A diffusers folder of golden components under scratchDir()/name; returns its path.
std::string makeGoldenSdFolder(const std::string& name, const std::string& unetCase, const nlohmann::json& scheduler);
// A tiny random SD model folder of `kind` ("inpainting", "instruct", "plain") under
// scratchDir()/name. `scheduler` null: SD 1.5's own scheduler_config.json (PNDMScheduler).
std::string makeRandomSdFolder(const std::string& name, const std::string& kind, uint64_t seed = 1,
                               const nlohmann::json& scheduler = nullptr);

}  // namespace lstest

namespace lstest {

// A JobContext outside a queue, counting what a job reports; `onStep` runs at every progress
// report of the "Denoising" stage (e.g. to cancel after N steps).
struct TestJob {
  latentshop::CancelToken token;
  latentshop::ModelCache cache;
  latentshop::JobCallbacks callbacks;
  std::vector<latentshop::PreviewImage> previews;
  std::vector<latentshop::JobProgress> progress;
  std::function<void(int step)> onStep;
  std::unique_ptr<latentshop::JobContext> context;

  TestJob() {
    callbacks.onProgress = [this](latentshop::JobId, const latentshop::JobProgress& p) {
      progress.push_back(p);
      if (p.stage == "Denoising" && p.step > 0 && onStep) onStep(p.step);
    };
    callbacks.onPreview = [this](latentshop::JobId, const latentshop::PreviewImage& p) { previews.push_back(p); };
    context = std::make_unique<latentshop::JobContext>(1, token, cache, callbacks);
  }
  int denoisingSteps() const {
    int n = 0;
    for (const auto& p : progress) n += (p.stage == "Denoising" && p.step > 0) ? 1 : 0;
    return n;
  }
};

}  // namespace lstest
