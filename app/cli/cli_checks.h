// Checks every CLI command makes before any work: seeds parsed exactly (engine/core/seed.h), the
// output files' folders exist and no output would overwrite an input or another output (only
// --out may equal --image: it is written through the atomic writer, so an in-place edit is safe),
// and the pixel budget option shared by all commands.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace latentshop::cli {

// Adds `name` (e.g. "--seed") parsed by parseSeed into `seed`.
CLI::Option* addSeedOption(CLI::App* cmd, const std::string& name, std::uint64_t& seed, const std::string& help);

// Adds the global --max-megapixels option (the decode policy's pixel budget).
void addPixelBudgetOption(CLI::App& app);
// Adds the global --vae-memory option (the VAE's tiling budget, engine/models/autoencoder_kl_tiling.h).
void addVaeMemoryOption(CLI::App& app);

struct PathRole {
  std::string option;  // "--json"
  std::string path;    // "" = not given
};

// Fails naming the option and the path when an output's folder does not exist, when it is a
// folder, when two outputs are the same file, or when an output other than `inPlaceOutput` (the
// image output, e.g. "--out") is the same file as an input.
void checkOutputPaths(const std::vector<PathRole>& outputs, const std::vector<PathRole>& inputs,
                      const std::string& inPlaceOutput = "--out");

}  // namespace latentshop::cli
