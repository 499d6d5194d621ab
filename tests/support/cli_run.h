// Runs latentshop-cli (lstest::cliPath()) as a separate process through the shell, for tests that
// check its exit status and messages. Qt-free, so engine tests built with BUILD_UI=OFF use it too.
#pragma once
#include <string>

namespace lstest {

struct CliRun {
  int status = -1;  // the exit code; -1 when the process did not exit normally
  std::string out;  // its stdout
  std::string err;  // its stderr
};

// `args` is appended to the quoted binary path as shell words (quote paths yourself). Output goes
// to numbered files in scratchDir(), so runs never overwrite each other's text.
CliRun runCli(const std::string& args);

// The whole file as text ("" when it cannot be read).
std::string readTextFile(const std::string& path);

}  // namespace lstest
