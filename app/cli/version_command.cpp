// `latentshop-cli info`: versions and the compute target, for bug reports.
#include <cstdio>

#include <torch/version.h>

#include "app/cli/command_registry.h"
#include "engine/core/device.h"

namespace {
void setup(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Print versions and the compute device in use");
  cmd->callback([] {
    const auto target = latentshop::defaultComputeTarget();
    std::printf("latentshop %s\nlibtorch %s\ncompute %s\n", LATENTSHOP_VERSION, TORCH_VERSION,
                target.describe().c_str());
  });
}
}  // namespace
LATENTSHOP_CLI_COMMAND(info, setup)
