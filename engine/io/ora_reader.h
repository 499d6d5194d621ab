// Reading OpenRaster (.ora) files into a Project: Latentshop's own projects (every layer, mask,
// drag point and parameter restored exactly; see ora_format.h) and plain ORA files from Krita,
// GIMP or MyPaint (their layers become image layers; the bottom one is taken as the original).
// Reference: OpenRaster 0.0.6 (openraster.org/baseline/file-layout-spec.html, layer-stack-spec.html).
//
// All-or-nothing: any fault throws latentshop::Error("<file>: <what is wrong>") and nothing is
// returned — not a zip / truncated archive, wrong mimetype, missing or malformed stack.xml, a
// layer PNG missing or corrupt, sizes that do not fit (canvas or layer side over 65535, a mask or
// mergedimage.png whose size differs from the canvas), malformed Latentshop metadata, or a project
// written by a newer Latentshop format.
//
// Nested <stack> groups (from other editors) are flattened into the layer list: a layer's offset
// adds its groups' x/y, its opacity is multiplied by theirs and it is hidden when a group is.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "engine/io/project.h"

namespace latentshop {

Project loadOra(const std::string& path);

// What a recovery or open dialog shows without decoding the layers: reads stack.xml,
// latentshop/project.json and the thumbnail only.
struct OraSummary {
  int width = 0;
  int height = 0;
  std::vector<std::string> layerNames;  // bottom → top
  bool latentshopProject = false;       // carries Latentshop metadata
  std::string appVersion;               // the Latentshop version that wrote it ("" for other apps)
  std::string model;
  std::string sourcePath;
  cv::Mat thumbnail;                    // CV_8UC4 RGBA; empty when the file has none
};
OraSummary readOraSummary(const std::string& path);

}  // namespace latentshop
