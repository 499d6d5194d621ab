// Where tests find the shared read-only data (../shared: golden tensors, photos, CLIP vocabulary)
// and where they may write scratch files.
#pragma once
#include <string>

namespace lstest {

// $LATENTSHOP_SHARED_DIR if set (CTest sets it), else the path configured at build time.
std::string sharedDir();
std::string goldenPath(const std::string& name);  // sharedDir()/golden/name
// The project's own reference data (tests/golden/, made from diffusers, see its README): name.
std::string projectGoldenPath(const std::string& name);
std::string photoPath(const std::string& name);   // sharedDir()/testdata/photos/name
std::string clipVocabPath();                      // sharedDir()/models/clip/bpe_simple_vocab_16e6.txt.gz
// A fresh, empty scratch folder for this test process (removed at exit unless LATENTSHOP_KEEP_TMP).
std::string scratchDir();
// Path of the latentshop-cli binary ($LATENTSHOP_CLI, set by CTest).
std::string cliPath();

}  // namespace lstest
