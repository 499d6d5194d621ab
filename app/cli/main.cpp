// latentshop-cli: the engine from the command line, for batch edits, parity checks and benchmarks.
#include <cstdio>
#include <exception>

#include <spdlog/spdlog.h>

#include "app/cli/cli_checks.h"
#include "engine/io/decode_policy.h"
#include "engine/io/project_atomic_file.h"
#include "app/cli/command_registry.h"
#include "engine/core/error.h"
#include "engine/core/process_env.h"
#include "engine/core/threads.h"

namespace latentshop::cli {
std::vector<CommandSetup>& commandRegistry() {
  static std::vector<CommandSetup> registry;
  return registry;
}
}  // namespace latentshop::cli

int main(int argc, char** argv) {
  latentshop::ensurePassiveOpenMpWait(argc, argv);  // before libgomp reads its environment
  CLI::App app{"Latentshop command line: inpaint, instruct, drag, export, tokenize and tensor checks"};
  app.set_version_flag("--version", std::string("latentshop-cli ") + LATENTSHOP_VERSION);
  app.require_subcommand(1);
  spdlog::set_level(spdlog::level::warn);
  app.add_flag_callback("-v,--verbose", [] { spdlog::set_level(spdlog::level::debug); },
                        "Log progress and timings to stderr (put before the sub-command)");
  latentshop::cli::addPixelBudgetOption(app);
  latentshop::cli::addVaeMemoryOption(app);
  latentshop::reportFileSizeLimitAsError();  // a write past `ulimit -f` is an error naming the file
  latentshop::setDecodePolicy(latentshop::DecodePolicy());
  for (auto& setup : latentshop::cli::commandRegistry()) setup(app);
  latentshop::configureTorchThreads();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "latentshop-cli: %s\n", e.what());
    return 1;
  }
  return 0;
}
