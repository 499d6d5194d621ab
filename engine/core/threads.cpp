#include "engine/core/threads.h"

#include <cstdlib>
#include <thread>

#include <ATen/Parallel.h>

namespace latentshop {

int preferredThreadCount() {
  if (const char* env = std::getenv("LATENTSHOP_THREADS"); env && *env) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

int configureTorchThreads() {
  const int n = preferredThreadCount();
  if (at::get_num_threads() != n) at::set_num_threads(n);
  return at::get_num_threads();
}

}  // namespace latentshop
