// CLI checks before any work (see cli_checks.h).
#include "app/cli/cli_checks.h"

#include <filesystem>

#include "engine/core/error.h"
#include "engine/core/seed.h"
#include "engine/io/decode_policy.h"
#include "engine/models/autoencoder_kl_tiling.h"

namespace fs = std::filesystem;

namespace latentshop::cli {

CLI::Option* addSeedOption(CLI::App* cmd, const std::string& name, std::uint64_t& seed, const std::string& help) {
  auto* option = cmd->add_option_function<std::string>(
      name, [&seed, name](const std::string& text) { seed = parseSeed(text, name); },
      help + " (" + kSeedRangeText + ")");
  option->default_str(std::to_string(seed));
  return option;
}

void addPixelBudgetOption(CLI::App& app) {
  app.add_option_function<std::int64_t>(
         "--max-megapixels",
         [](std::int64_t mp) {
           DecodePolicy policy = decodePolicy();
           policy.maxPixels = mp * 1'000'000;
           setDecodePolicy(policy);
         },
         "Largest image (or project layer) any command decodes, in megapixels, checked from the file's "
         "header before decoding (default " +
             std::to_string(DecodePolicy().maxPixels / 1'000'000) + ", as in the editor)")
      ->check(CLI::Range(kMinBudgetMegapixels, kMaxBudgetMegapixels));
}

void addVaeMemoryOption(CLI::App& app) {
  app.add_option_function<std::int64_t>(
         "--vae-memory",
         [](std::int64_t mib) {
           VaeTilingPolicy policy = vaeTilingPolicy();
           policy.memoryBudgetBytes = mib << 20;
           setVaeTilingPolicy(policy);
         },
         "Working memory in MiB the VAE may take to decode or encode at once; larger images run in bands "
         "through temporary files, with the same result (default " +
             std::to_string(VaeTilingPolicy().memoryBudgetBytes >> 20) + ", as in the editor)")
      ->check(CLI::Range(kMinVaeMemoryMiB, kMaxVaeMemoryMiB));
}

namespace {

// The same file: equivalent() for existing paths, else equal normalised absolute paths.
bool sameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) {
    const bool same = fs::equivalent(a, b, ec);
    if (!ec) return same;
  }
  return fs::absolute(a, ec).lexically_normal() == fs::absolute(b, ec).lexically_normal();
}

}  // namespace

void checkOutputPaths(const std::vector<PathRole>& outputs, const std::vector<PathRole>& inputs,
                      const std::string& inPlaceOutput) {
  std::error_code ec;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const PathRole& o = outputs[i];
    if (o.path.empty()) continue;
    const fs::path parent = fs::path(o.path).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec))
      throw Error(o.option + " " + o.path + ": the folder " + parent.string() + " does not exist");
    if (fs::is_directory(o.path, ec)) throw Error(o.option + " " + o.path + ": is a folder, not a file name");
    for (size_t j = 0; j < i; ++j)
      if (!outputs[j].path.empty() && sameFile(o.path, outputs[j].path))
        throw Error(o.option + " and " + outputs[j].option + " name the same file " + o.path);
    if (o.option == inPlaceOutput) continue;
    for (const PathRole& in : inputs)
      if (!in.path.empty() && sameFile(o.path, in.path))
        throw Error(o.option + " " + o.path + " is the input " + in.option +
                    "; it would be overwritten (choose another file name)");
  }
}

}  // namespace latentshop::cli
