// Hostile files for tests/robustness, made by the test itself: truncated encodings, PNG headers
// that declare huge images, OpenRaster zip bombs, deeply nested stacks and many-layer projects as
// GIMP and Krita write them (no Latentshop ids). Each maker writes its file and returns the path.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace hostile {

// A noisy RGB test picture (hard to compress, so encodes and writes take measurable time).
cv::Mat noisyPicture(int width, int height, int seed);
// `image` (RGB) encoded by extension (".png", ".jpg", ".webp") and written to `path`.
std::vector<std::uint8_t> encode(const cv::Mat& rgb, const std::string& ext);
void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes);
std::vector<std::uint8_t> readBytes(const std::string& path);
// The first `keep` bytes of `bytes`, written to `path`.
void writeTruncated(const std::string& path, const std::vector<std::uint8_t>& bytes, size_t keep);
// A PNG of a few hundred bytes whose IHDR declares width x height (its IDAT holds no real data).
std::vector<std::uint8_t> pngHeaderDeclaring(std::uint32_t width, std::uint32_t height);

// An OpenRaster file: mimetype, the given stack.xml and entries (stored).
void writeOra(const std::string& path, const std::string& stackXml,
              const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& entries, bool compress = false);
// A w x h ORA with `layers` 1x1 layers, each its own PNG entry, and no latentshop:id (as GIMP or
// Krita write them).
void writeManyLayerOra(const std::string& path, int layers);
// An ORA whose one layer entry is a valid 2x2 PNG followed by `paddingBytes` zero bytes, deflated
// (a zip bomb: a few hundred KB on disk).
void writeOraBomb(const std::string& path, std::uint64_t paddingBytes);
// An ORA whose layer PNG declares width x height.
void writeOraDeclaring(const std::string& path, std::uint32_t width, std::uint32_t height);
// An ORA whose stack nests `depth` groups.
void writeDeepOra(const std::string& path, int depth);

// Every regular file below `dir` (relative path → bytes): what the user has, before and after.
std::map<std::string, std::vector<std::uint8_t>> snapshot(const std::string& dir);
// "" when `after` equals `before` except for the relative paths in `allowed` (which may be added
// or changed); else the first difference.
std::string changedFiles(const std::map<std::string, std::vector<std::uint8_t>>& before,
                         const std::map<std::string, std::vector<std::uint8_t>>& after,
                         const std::vector<std::string>& allowed = {});
// Names of files in `dir` that look like the atomic writer's temporaries (".X.tmp-PID-N").
std::vector<std::string> temporaries(const std::string& dir);

}  // namespace hostile
