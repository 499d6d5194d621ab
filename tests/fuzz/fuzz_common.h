// Shared helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp; built with -DLATENTSHOP_FUZZ=ON).
//
// Contract every harness checks: a reader given arbitrary bytes either succeeds or throws
// latentshop::Error (whose message names the file). Anything else — another exception type
// (std::out_of_range, nlohmann::json::exception, c10::Error, std::bad_alloc), a crash, undefined
// behaviour, a leak, a hang — is a finding: LATENTSHOP_FUZZ_EXPECT_ERROR lets it escape so
// libFuzzer reports it and saves the input.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "engine/core/error.h"

namespace latentshop::fuzz {

// A scratch folder on tmpfs when there is one (one write per execution), per process.
inline const std::string& scratchDir() {
  static const std::string dir = [] {
    const char* env = std::getenv("LATENTSHOP_FUZZ_TMP");
    std::string base = env && *env ? env : (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    std::string d = base + "/latentshop-fuzz-" + std::to_string(getpid());
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) std::abort();
    return d;
  }();
  return dir;
}

// Writes `size` bytes to scratchDir()/name and returns the path.
inline std::string writeScratch(const std::string& name, const void* data, size_t size) {
  const std::string path = scratchDir() + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

// Checks that an Error's message names `file` (the contract: "<file>: <problem>").
// LATENTSHOP_FUZZ_VERBOSE=1 prints every expected error (to see why a seed is refused).
inline void checkNamesFile(const Error& e, const std::string& file) {
  static const bool verbose = std::getenv("LATENTSHOP_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "expected error: %s\n", e.what());
  if (std::string(e.what()).find(file) == std::string::npos) {
    std::fprintf(stderr, "latentshop::Error without the file name '%s': %s\n", file.c_str(), e.what());
    std::abort();
  }
}

}  // namespace latentshop::fuzz

// Runs the statement(s); a latentshop::Error is the expected outcome for bad input and must name `file`.
#define LATENTSHOP_FUZZ_EXPECT_ERROR(file, ...)         \
  do {                                                 \
    try {                                              \
      __VA_ARGS__;                                     \
    } catch (const ::latentshop::Error& e_) {          \
      ::latentshop::fuzz::checkNamesFile(e_, (file));  \
    }                                                  \
  } while (0)
