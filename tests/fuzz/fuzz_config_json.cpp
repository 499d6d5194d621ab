// libFuzzer harness: the diffusers JSON readers on arbitrary bytes — model_index.json
// (DiffusersFolder::open on a folder holding the input), the UNet / VAE / CLIP text encoder
// config.json readers and the four scheduler_config.json readers, through the file entry points
// the loader uses and through fromJson on the parsed value.
#include <filesystem>

#include "engine/io/diffusers_folder.h"
#include "engine/models/autoencoder_kl_config.h"
#include "engine/models/clip_text_model_config.h"
#include "engine/models/model_config_reader.h"
#include "engine/models/unet_2d_condition_config.h"
#include "engine/schedulers/ddim_scheduler.h"
#include "engine/schedulers/dpm_solver_multistep_scheduler.h"
#include "engine/schedulers/euler_ancestral_discrete_scheduler.h"
#include "engine/schedulers/euler_discrete_scheduler.h"
#include "engine/schedulers/pndm_scheduler.h"
#include "engine/schedulers/scheduler_config.h"
#include "tests/fuzz/fuzz_common.h"

using namespace latentshop;

namespace {
const std::vector<std::string> kPredictionTypes = {"epsilon", "sample", "v_prediction"};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string root = fuzz::scratchDir() + "/model";
  static const bool made = std::filesystem::create_directories(root) || true;
  (void)made;
  const std::string index = fuzz::writeScratch("model/model_index.json", data, size);
  const std::string config = fuzz::writeScratch("config.json", data, size);

  // model_index.json
  LATENTSHOP_FUZZ_EXPECT_ERROR(root, {
    const DiffusersFolder f = DiffusersFolder::open(root);
    (void)f.pipelineClass();
    for (const auto& [name, c] : f.components()) {
      try {
        (void)f.require(name);
      } catch (const Error& e) {
        fuzz::checkNamesFile(e, root);
      }
    }
    (void)f.require("unet", false);
  });

  // Model configs, from the file (as the loader reads them) and from parsed JSON.
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)UNet2DConditionConfig::fromFile(config));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)AutoencoderKLConfig::fromFile(config));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)ClipTextConfig::fromFile(config));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)modelcfg::readJsonFile(config));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)readJsonFile(config, "config"));

  // Scheduler configs (NaN / Infinity allowed, as Python writes them).
  nlohmann::json j;
  try {
    j = parseDiffusersJson(text, config);
  } catch (const Error& e) {
    fuzz::checkNamesFile(e, config);
    return 0;
  }
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)loadDiffusersJson(config));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, DDIMSchedulerConfig::fromJson(j, config).validate(config, kPredictionTypes));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, EulerDiscreteSchedulerConfig::fromJson(j, config).validate(config, kPredictionTypes));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config,
                               EulerAncestralDiscreteSchedulerConfig::fromJson(j, config).validate(config, kPredictionTypes));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config,
                               DPMSolverMultistepSchedulerConfig::fromJson(j, config).validate(config, kPredictionTypes));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, PNDMSchedulerConfig::fromJson(j, config).validate(config, kPredictionTypes));
  // The model readers on the lenient parse too (a config with NaN parses here, not in readJsonFile).
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)UNet2DConditionConfig::fromJson(j, config));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)AutoencoderKLConfig::fromJson(j, config));
  LATENTSHOP_FUZZ_EXPECT_ERROR(config, (void)ClipTextConfig::fromJson(j, config));
  return 0;
}
