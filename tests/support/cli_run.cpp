#include "support/cli_run.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/test_paths.h"

namespace lstest {

namespace {

std::string readText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

CliRun runCli(const std::string& args) {
  static int n = 0;
  const std::string base = scratchDir() + "/cli-run-" + std::to_string(++n);
  const std::string cmd = "\"" + cliPath() + "\" " + args + " > \"" + base + ".out\" 2> \"" + base + ".err\"";
  const int rc = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = readText(base + ".out");
  r.err = readText(base + ".err");
  return r;
}

}  // namespace lstest
