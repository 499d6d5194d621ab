// Layered Photoshop (.psd) export of a Project: one 8-bit RGBA layer per project layer (bottom →
// top) with its name (Pascal string plus the `luni` Unicode block), offset, opacity and visibility,
// normal blending, and the flattened composite as the merged image — what Photoshop, GIMP, Krita,
// Affinity and ImageMagick show as "all layers". Reference: Adobe Photoshop File Formats
// Specification (file header; color mode data; image resources; layer and mask information;
// image data), PackBits per row (psd_packbits.h).
//
// Limits of the format (version 1, not PSB): canvas and layer sides ≤ 30000 px and the layer
// section ≤ 4 GiB; larger projects get an Error that says so. Layer masks and drag points are not
// exported (PSD has no place for Latentshop's parameters; use .ora to keep them).
//
// The merged image's colour is matted against white where it is transparent, as Photoshop writes
// it (readers such as ImageMagick and psd-tools undo that matte).
// Memory: layers stream row by row; the flattened canvas is held once (width × height × 4 bytes).
#pragma once
#include <string>

#include "engine/io/project.h"

namespace latentshop {

inline constexpr int kPsdMaxSide = 30000;

// Writes `project` to `path` atomically. Throws Error("<path>: ...") for an invalid project, one
// too large for PSD, or a write failure (the target is then unchanged).
void savePsd(const Project& project, const std::string& path);

}  // namespace latentshop
