#include "engine/io/ora_writer.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <utility>

#include <opencv2/imgproc.hpp>
#include <pugixml.hpp>

#include "engine/core/error.h"
#include "engine/io/flatten.h"
#include "engine/io/ora_format.h"
#include "engine/io/ora_zip.h"
#include "engine/io/png_text_codec.h"
#include "engine/io/project_atomic_file.h"

namespace latentshop {

namespace {

std::string attr(const char* name) { return std::string(ora::kPrefix) + ":" + name; }

// The flattened canvas scaled to fit kThumbnailMaxSide, never upscaled, aspect kept.
cv::Mat thumbnailOf(const cv::Mat& merged) {
  const int longSide = std::max(merged.cols, merged.rows);
  if (longSide <= ora::kThumbnailMaxSide) return merged;
  const double scale = static_cast<double>(ora::kThumbnailMaxSide) / longSide;
  const cv::Size size(std::max(1, static_cast<int>(std::lround(merged.cols * scale))),
                      std::max(1, static_cast<int>(std::lround(merged.rows * scale))));
  cv::Mat out;
  cv::resize(merged, out, size, 0, 0, cv::INTER_AREA);
  return out;
}

std::string stackXml(const Project& project) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto image = doc.append_child("image");
  image.append_attribute("version") = ora::kSpecVersion;
  image.append_attribute("w") = project.width;
  image.append_attribute("h") = project.height;
  image.append_attribute((std::string("xmlns:") + ora::kPrefix).c_str()) = ora::kNamespace;
  image.append_attribute(attr("project").c_str()) = ora::kProjectEntry;
  auto stack = image.append_child("stack");
  for (size_t k = project.layers.size(); k-- > 0;) {  // stack.xml lists the top layer first
    const ProjectLayer& l = project.layers[k];
    auto e = stack.append_child("layer");
    e.append_attribute("name") = l.name.c_str();
    e.append_attribute("src") = ora::layerEntry(k).c_str();
    e.append_attribute("x") = l.x;
    e.append_attribute("y") = l.y;
    e.append_attribute("opacity") = ora::numberText(l.opacity).c_str();
    e.append_attribute("visibility") = l.visible ? "visible" : "hidden";
    e.append_attribute("composite-op") = l.compositeOp.c_str();
    if (!project.meta.activeLayerId.empty() && l.id == project.meta.activeLayerId)
      e.append_attribute("selected") = "true";
    e.append_attribute(attr("id").c_str()) = l.id.c_str();
    e.append_attribute(attr("kind").c_str()) = toString(l.kind);
    if (!l.params.empty() || !l.points.empty())
      e.append_attribute(attr("meta").c_str()) = ora::layerMetaEntry(k).c_str();
    if (!l.mask.empty()) e.append_attribute(attr("mask").c_str()) = ora::layerMaskEntry(k).c_str();
    if (l.rgba.empty()) e.append_attribute(attr("empty").c_str()) = "true";
  }
  std::ostringstream out;
  doc.save(out, " ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

std::string projectJson(const Project& project) {
  const ProjectMetadata& m = project.meta;
  nlohmann::json j = {
      {"format", "latentshop-project"},
      {"version", ora::kProjectFormatVersion},
      {"app_version", LATENTSHOP_VERSION},
      {"model", m.model},
      {"original_layer", m.originalLayerId},
      {"active_layer", m.activeLayerId},
      {"working_points", ora::pointsToJson(m.workingPoints)},
      {"working_mask", m.workingMask.empty() ? nlohmann::json(nullptr) : nlohmann::json(ora::kWorkingMaskEntry)},
      {"keep_out_mask", m.keepOutMask.empty() ? nlohmann::json(nullptr) : nlohmann::json(ora::kKeepOutMaskEntry)},
      {"selection", m.selection.empty() ? nlohmann::json(nullptr)
                                        : nlohmann::json({m.selection.x, m.selection.y, m.selection.width,
                                                          m.selection.height})},
      {"source_path", m.sourcePath},
      {"extra", m.extra},
  };
  return j.dump(1);
}

}  // namespace

void saveOra(const Project& project, const std::string& path, const OraWriteOptions& options) {
  validateProject(project, path);
  PngEncodeOptions png;
  png.compressionLevel = options.pngCompression;
  const cv::Mat merged = flatten(project);

  AtomicFile file(path);
  file.closeStream();  // libzip writes the temporary file by name
  {
    OraZipWriter zip(file.tempPath(), path);
    zip.add(ora::kMimetypeEntry, std::string(ora::kMimetype), false);
    zip.add(ora::kStackEntry, stackXml(project), true);
    for (size_t i = 0; i < project.layers.size(); ++i) {
      const ProjectLayer& layer = project.layers[i];
      const std::string entry = ora::layerEntry(i);
      zip.addLazy(
          entry,
          [&layer, entry, path, png] {
            const cv::Mat pixels = layer.rgba.empty() ? cv::Mat(1, 1, CV_8UC4, cv::Scalar::all(0)) : layer.rgba;
            return encodePng(pixels, png, path + ": " + entry);
          },
          false);
    }
    for (size_t i = 0; i < project.layers.size(); ++i) {
      const ProjectLayer& layer = project.layers[i];
      if (!layer.params.empty() || !layer.points.empty()) {
        const nlohmann::json meta = {{"params", layer.params}, {"points", ora::pointsToJson(layer.points)}};
        zip.add(ora::layerMetaEntry(i), meta.dump(1), true);
      }
      if (!layer.mask.empty()) {
        const std::string entry = ora::layerMaskEntry(i);
        zip.addLazy(entry, [&layer, entry, path, png] { return encodePng(layer.mask, png, path + ": " + entry); },
                    false);
      }
    }
    // The document's masks (the hole being painted, the keep-out region), each only when painted.
    for (const auto& [mask, entry] : {std::pair{&project.meta.workingMask, ora::kWorkingMaskEntry},
                                      std::pair{&project.meta.keepOutMask, ora::kKeepOutMaskEntry}})
      if (!mask->empty())
        zip.addLazy(entry, [mask = mask, entry = std::string(entry), path, png] { return encodePng(*mask, png, path + ": " + entry); },
                    false);
    zip.add(ora::kProjectEntry, projectJson(project), true);
    zip.add(ora::kThumbnailEntry, encodePng(thumbnailOf(merged), png, path + ": " + ora::kThumbnailEntry), false);
    zip.addLazy(ora::kMergedEntry, [&merged, path, png] { return encodePng(merged, png, path + ": " + ora::kMergedEntry); },
                false);
    zip.close();
  }
  file.commit();
}

}  // namespace latentshop
