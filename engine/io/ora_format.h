// How Latentshop lays a Project out in an OpenRaster file (OpenRaster 0.0.6: openraster.org
// baseline/file-layout-spec and baseline/layer-stack-spec). Shared by ora_writer and ora_reader.
//
//   mimetype                      "image/openraster", first, stored, no extra field
//   stack.xml                     <image version w h xmlns:latentshop=...> <stack> <layer .../> ... (top → bottom)
//   data/layer-NNN.png            layer pixels, RGBA PNG at the layer's own size (NNN: bottom = 000)
//   mergedimage.png               the flattened canvas (flatten.h)
//   Thumbnails/thumbnail.png      the flattened canvas scaled to ≤ 256 px on its long side
//   latentshop/project.json       document metadata (model, original/active layer, selection, ...)
//   latentshop/layers/layer-NNN.json   a layer's edit parameters and drag points
//   latentshop/masks/layer-NNN.png     a layer's mask (8-bit gray, canvas size)
//   latentshop/working-mask.png   the mask being painted
//
// Latentshop's extensions live in the namespace kOraNamespace (prefix "latentshop"): on <image>,
// latentshop:project names the project JSON; on <layer>, latentshop:id, latentshop:kind,
// latentshop:meta (layer JSON), latentshop:mask (mask PNG) and latentshop:empty="true" (a 0×0 layer,
// stored as one transparent pixel). Other readers ignore foreign attributes and unreferenced files
// outside data/, so Krita, GIMP and MyPaint open the layers; files they save without these
// attributes reopen in Latentshop as plain image layers.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/io/project.h"

namespace latentshop::ora {

inline constexpr const char* kMimetype = "image/openraster";
inline constexpr const char* kSpecVersion = "0.0.6";
inline constexpr const char* kNamespace = "urn:x-latentshop:openraster:1";
inline constexpr const char* kPrefix = "latentshop";
inline constexpr int kProjectFormatVersion = 1;  // latentshop/project.json "version"
inline constexpr int kThumbnailMaxSide = 256;

inline constexpr const char* kMimetypeEntry = "mimetype";
inline constexpr const char* kStackEntry = "stack.xml";
inline constexpr const char* kMergedEntry = "mergedimage.png";
inline constexpr const char* kThumbnailEntry = "Thumbnails/thumbnail.png";
inline constexpr const char* kProjectEntry = "latentshop/project.json";
inline constexpr const char* kWorkingMaskEntry = "latentshop/working-mask.png";
inline constexpr const char* kKeepOutMaskEntry = "latentshop/keep-out-mask.png";

inline std::string layerStem(size_t bottomIndex) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "layer-%03zu", bottomIndex);
  return buf;
}
inline std::string layerEntry(size_t i) { return "data/" + layerStem(i) + ".png"; }
inline std::string layerMetaEntry(size_t i) { return "latentshop/layers/" + layerStem(i) + ".json"; }
inline std::string layerMaskEntry(size_t i) { return "latentshop/masks/" + layerStem(i) + ".png"; }

// Drag points as JSON: [{"handle": [x, y], "target": [x, y]}, ...]; parsing throws Error(what: ...).
nlohmann::json pointsToJson(const std::vector<DragPoint>& points);
std::vector<DragPoint> pointsFromJson(const nlohmann::json& j, const std::string& what);

// Shortest text that parses back to exactly `v` (for opacity in stack.xml).
std::string numberText(double v);

}  // namespace latentshop::ora
