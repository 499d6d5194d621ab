#include "support/cli_run.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/test_paths.h"

namespace lstest {

std::string readTextFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CliRun runCli(const std::string& args) {
  static int n = 0;
  const std::string base = scratchDir() + "/cli-run-" + std::to_string(++n);
  const std::string cmd = "\"" + cliPath() + "\" " + args + " > \"" + base + ".out\" 2> \"" + base + ".err\"";
  const int rc = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = readTextFile(base + ".out");
  r.err = readTextFile(base + ".err");
  return r;
}

}  // namespace lstest
