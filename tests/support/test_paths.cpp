#include "support/test_paths.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lstest {

std::string sharedDir() {
  if (const char* env = std::getenv("LATENTSHOP_SHARED_DIR"); env && *env) return env;
  return LATENTSHOP_SHARED_DIR;
}

std::string goldenPath(const std::string& name) { return sharedDir() + "/golden/" + name; }
std::string projectGoldenPath(const std::string& name) {
  return std::string(LATENTSHOP_SOURCE_DIR) + "/tests/golden/" + name;
}
std::string photoPath(const std::string& name) { return sharedDir() + "/testdata/photos/" + name; }
std::string clipVocabPath() { return sharedDir() + "/models/clip/bpe_simple_vocab_16e6.txt.gz"; }

namespace {
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    path = fs::temp_directory_path() / ("latentshop-test-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    if (!std::getenv("LATENTSHOP_KEEP_TMP")) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
};
}  // namespace

std::string scratchDir() {
  static ScratchDir dir;
  return dir.path.string();
}

std::string cliPath() {
  if (const char* env = std::getenv("LATENTSHOP_CLI"); env && *env) return env;
  return std::string(LATENTSHOP_BINARY_DIR) + "/app/latentshop-cli";
}

}  // namespace lstest
