#include "engine/core/process_env.h"

#include <cstdlib>
#include <unistd.h>

namespace latentshop {

void ensurePassiveOpenMpWait(int argc, char** argv) {
  (void)argc;
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (const char* off = std::getenv("LATENTSHOP_NO_REEXEC"); off && *off && *off != '0') return;
  if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // execv returned: it failed. Keep running; the variable is set for child processes at least.
}

}  // namespace latentshop
