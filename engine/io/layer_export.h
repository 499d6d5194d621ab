// Exports of a Project for other tools: one flattened image (PNG / JPEG / WebP by extension), every
// layer as a PNG into a folder, a layered PSD (psd_writer.h) or an OpenRaster copy (ora_writer.h),
// chosen from the output path — what `latentshop-cli export` and the GUI's Export menu call.
//
// PNG files carry the edit parameters (png_parameters.h): a flattened PNG those of the topmost
// visible layer that has any (the last edit you see) plus every layer's in the "latentshop" chunk;
// a layer PNG its own. JPEG and WebP carry none. JPEG has no alpha: transparent areas are composited
// over white. Every file is written atomically; a flattened PNG is encoded band by band straight
// from the layers (no full-canvas copy); JPEG/WebP hold the flattened canvas once (OpenCV encoders).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/io/project.h"

namespace latentshop {

enum class ExportFormat { Png, Jpeg, Webp, Psd, Ora, LayerFolder };
const char* toString(ExportFormat format);

// The export a path asks for: a folder when it ends with '/', is an existing folder or has no
// extension; otherwise by extension (case-insensitive): .png .jpg .jpeg .webp .psd .ora.
// Throws Error("<path>: unsupported export format '<ext>' (...)") for any other extension.
ExportFormat exportFormatFor(const std::string& path);

struct ExportOptions {
  int pngCompression = 3;   // 0..9: 1-5 fast (Sub filter, zlib RLE), 6-9 smaller and slower (PngEncodeOptions)
  int jpegQuality = 95;     // 1..100
  int webpQuality = 95;     // 1..100; above 100 writes lossless WebP
  bool layerMasks = false;  // folder export: also write each layer's mask as "<NN>-<name>-mask.png"
};

// The parameters a flattened export reports: those of the topmost visible layer with non-empty
// params ({} when none has any).
nlohmann::json flattenedExportParameters(const Project& project);

// Writes the flattened canvas to `path`, format by extension (.png/.jpg/.jpeg/.webp).
void exportFlattened(const Project& project, const std::string& path, const ExportOptions& options = {});

// A file-name-safe form of a layer name: ASCII letters, digits, '.', '-' and single spaces kept;
// every other character becomes '_' (with neighbouring spaces and '_' collapsed into one '_');
// trimmed of " ._-", at most 64 characters; "layer" when nothing is left.
// "Résultat <1> & \"quotes\"" → "R_sultat_1_quotes".
std::string sanitizeFileName(const std::string& name);

// Writes each layer (bottom first) as "<NN>-<sanitized name>.png" into `folder` (created when
// missing): canvas-sized RGBA, the layer at its offset, its pixels as stored (opacity and
// visibility are not applied; hidden layers are exported too). NN is the 1-based position,
// zero-padded to at least two digits. Returns the written file paths in layer order.
std::vector<std::string> exportLayerFolder(const Project& project, const std::string& folder,
                                           const ExportOptions& options = {});

// Dispatches on exportFormatFor(out); returns the written files.
std::vector<std::string> exportProject(const Project& project, const std::string& out,
                                       const ExportOptions& options = {});

}  // namespace latentshop
