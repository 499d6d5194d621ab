// Sub-commands of latentshop-cli register themselves here, one file each
// (app/cli/<name>_command.cpp), so adding a command touches no shared file:
//
//   static void setup(CLI::App& app) {
//     auto* cmd = app.add_subcommand("inpaint", "Fill a masked region");
//     ... options ...
//     cmd->callback([opts] { runInpaint(*opts); });  // throw latentshop::Error on bad input
//   }
//   LATENTSHOP_CLI_COMMAND(inpaint, setup)
//
// main() turns a latentshop::Error (or any std::exception) thrown by a callback into
// "latentshop-cli: <message>" on stderr and exit code 1.
#pragma once
#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace latentshop::cli {

using CommandSetup = std::function<void(CLI::App&)>;
std::vector<CommandSetup>& commandRegistry();

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup setup) { commandRegistry().push_back(std::move(setup)); }
};

}  // namespace latentshop::cli

#define LATENTSHOP_CLI_COMMAND(name, setupFn) \
  static const ::latentshop::cli::CommandRegistrar latentshop_cli_command_##name{setupFn};
