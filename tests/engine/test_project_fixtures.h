// Shared by the project/ORA/PSD/PNG/flatten tests (and tests/app/test_cli_export): a small project
// that exercises every field a round trip must keep, and helpers to look inside files.
#pragma once
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sys/wait.h>

#include <opencv2/core.hpp>

#include "engine/io/project.h"

namespace lstest {

// Deterministic pseudo-random pixels.
inline cv::Mat randomImage(int rows, int cols, int type, unsigned seed) {
  cv::Mat m(rows, cols, type);
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::UNIFORM, 0, 256);
  return m;
}

// 64×48 canvas; layers bottom → top:
//   original   image, opaque random RGB
//   result     result, 30×20 at (10, 8), random alpha, opacity 0.6, params, mask, drag points
//   mask       mask, hidden, opaque gray, with its CV_8UC1 mask
//   notes      annotation, 20×10 at (-5, -3) (partly outside the canvas), with points
//   empty      image, 0×0
// plus every document-level field set. Names include XML-special and non-ASCII characters.
inline latentshop::Project sampleProject() {
  using namespace latentshop;
  Project p = projectFromImage(randomImage(48, 64, CV_8UC3, 1), "Original photo");

  ProjectLayer result;
  result.id = "result-7";
  result.name = "Résultat <1> & \"quotes\"";
  result.kind = LayerKind::Result;
  result.rgba = randomImage(20, 30, CV_8UC4, 2);
  result.x = 10;
  result.y = 8;
  result.opacity = 0.6;
  result.params = {{"method", "inpaint"},        {"prompt", "a red barn, at dusk: 35mm"},
                   {"negative_prompt", "blurry"}, {"seed", 1234567890123LL},
                   {"steps", 30},                {"guidance_scale", 7.5},
                   {"strength", 0.85},           {"scheduler", "ddim"},
                   {"model", "sd-1.5-inpainting"}, {"width", 64},
                   {"height", 48},               {"note", "naïve ✓"}};
  result.mask = randomImage(48, 64, CV_8UC1, 3);
  result.points = {{{1.5f, 2.25f}, {10.0f, 20.0f}}, {{-3.0f, 0.125f}, {63.0f, 47.0f}}};
  p.addLayer(result);

  ProjectLayer mask;
  mask.name = "Mask";
  mask.kind = LayerKind::Mask;
  mask.visible = false;
  mask.mask = randomImage(48, 64, CV_8UC1, 4);
  cv::Mat gray[] = {mask.mask, mask.mask, mask.mask, cv::Mat(48, 64, CV_8UC1, cv::Scalar(255))};
  cv::merge(gray, 4, mask.rgba);
  p.addLayer(mask);

  ProjectLayer notes;
  notes.name = "Notes";
  notes.kind = LayerKind::Annotation;
  notes.rgba = randomImage(10, 20, CV_8UC4, 5);
  notes.x = -5;
  notes.y = -3;
  notes.opacity = 0.25;
  notes.points = {{{5.0f, 5.0f}, {6.0f, 7.0f}}};
  notes.compositeOp = "svg:src-over";
  p.addLayer(notes);

  ProjectLayer empty;
  empty.name = "Empty";
  p.addLayer(empty);

  p.meta.model = "/models/sd-1.5-inpainting";
  p.meta.activeLayerId = "result-7";
  p.meta.workingMask = randomImage(48, 64, CV_8UC1, 6);
  p.meta.keepOutMask = randomImage(48, 64, CV_8UC1, 8);
  p.meta.workingPoints = {{{3.0f, 4.0f}, {5.5f, 6.5f}}};
  p.meta.selection = cv::Rect(2, 3, 40, 30);
  p.meta.sourcePath = "/photos/barn.jpg";
  p.meta.extra = {{"zoom", 1.5}, {"tool", "brush"}};
  return p;
}

inline std::vector<std::uint8_t> readBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Runs a shell command; returns its stdout and sets `status` to its exit status.
inline std::string runCommand(const std::string& command, int& status) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) {
    status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Largest absolute per-channel difference of two same-type images (-1 when sizes/types differ).
inline int maxAbsDiff(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return -1;
  if (a.empty()) return 0;
  double mx = 0;
  cv::Mat d;
  cv::absdiff(a.reshape(1), b.reshape(1), d);
  cv::minMaxLoc(d, nullptr, &mx);
  return static_cast<int>(mx);
}

}  // namespace lstest
