// The layered Latentshop project: the original photo plus layers (edit results, masks, drag
// annotations), each with the parameters that made it, and document-level metadata. Torch-free
// (OpenCV + nlohmann-json only): the UI includes this header and converts its own document to and
// from a Project; engine/io/ora_*.h read and write it as OpenRaster, engine/io/flatten.h composites
// it, engine/io/layer_export.h and engine/io/psd_writer.h export it.
//
// Conventions: pixels are RGBA (not OpenCV's BGRA), 8-bit, straight (non-premultiplied) alpha.
// Layers are ordered bottom → top. Coordinates are canvas pixels, origin top-left.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace latentshop {

// What a layer holds. Stored as "image", "result", "mask", "annotation".
enum class LayerKind { Image, Result, Mask, Annotation };
const char* toString(LayerKind kind);
// Throws Error("<what>: unknown layer kind '<text>' (expected image, result, mask or annotation)").
LayerKind layerKindFromString(const std::string& text, const std::string& what = "layer kind");

// The only blend mode Latentshop composites: normal (OpenRaster's name for it).
inline constexpr const char* kCompositeSrcOver = "svg:src-over";

// One DragDiffusion handle → target pair, in canvas pixels.
struct DragPoint {
  cv::Point2f handle;
  cv::Point2f target;
  bool operator==(const DragPoint& o) const { return handle == o.handle && target == o.target; }
  bool operator!=(const DragPoint& o) const { return !(*this == o); }
};

struct ProjectLayer {
  std::string id;           // stable and unique within the project ("layer-3"); never shown
  std::string name;         // shown in the layers panel; any UTF-8
  cv::Mat rgba;             // CV_8UC4 RGBA straight alpha; may be empty (a 0×0 layer)
  int x = 0;                // canvas position of the top-left pixel (may be negative or
  int y = 0;                // put part of the layer outside the canvas)
  bool visible = true;
  double opacity = 1.0;     // 0..1
  std::string compositeOp = kCompositeSrcOver;  // kept as read; flatten composites every layer as normal
  LayerKind kind = LayerKind::Image;
  nlohmann::json params = nlohmann::json::object();  // what made it: method, model, prompt, seed, ...
  cv::Mat mask;             // optional CV_8UC1 in canvas coordinates (canvas size), e.g. the inpaint mask
  std::vector<DragPoint> points;  // optional drag handles/targets that made it

  cv::Rect bounds() const { return {x, y, rgba.cols, rgba.rows}; }
};

struct ProjectMetadata {
  std::string model;            // the model selected in the editor (folder, file or manifest id)
  std::string appVersion;       // Latentshop version that wrote the file (set by the ORA writer)
  std::string originalLayerId;  // the layer holding the original photo ("" = none)
  std::string activeLayerId;    // the layer selected in the layers panel ("" = none)
  cv::Mat workingMask;          // the mask being painted, CV_8UC1 canvas size; empty = none
  cv::Mat keepOutMask;          // where content-aware removal never copies from, the same; empty = none
  std::vector<DragPoint> workingPoints;  // drag points being placed
  cv::Rect selection;           // rectangular selection in canvas pixels; empty = none
  std::string sourcePath;       // the image or project the document came from ("" = unknown)
  nlohmann::json extra = nlohmann::json::object();  // anything else the GUI restores (view, tools)
};

struct Project {
  int width = 0;                    // canvas size in pixels
  int height = 0;
  std::vector<ProjectLayer> layers;  // bottom → top
  ProjectMetadata meta;

  cv::Size size() const { return {width, height}; }
  ProjectLayer* findLayer(const std::string& id);
  const ProjectLayer* findLayer(const std::string& id) const;
  // Index of the layer with `id` in `layers`, or -1.
  int layerIndex(const std::string& id) const;
  // The layer named by meta.originalLayerId, else nullptr.
  const ProjectLayer* original() const;
  // An id no layer uses yet: "layer-N".
  std::string newLayerId() const;
  // Gives every layer with an empty id a fresh "layer-N", in one pass over the layers (a project
  // from GIMP or Krita has no Latentshop ids; 20,000 layers must not cost 20,000 scans).
  void assignMissingLayerIds();
  // Appends `layer` on top, giving it a fresh id when its id is empty; returns the stored layer.
  ProjectLayer& addLayer(ProjectLayer layer);
};

// Largest canvas or layer side accepted (PSD's own limit is 30000; OpenRaster has none).
inline constexpr int kMaxProjectSide = 65535;

// Checks everything a writer relies on; throws Error("<context>: <problem>") naming the first fault:
// canvas size positive and ≤ kMaxProjectSide; every layer CV_8UC4 (or empty), sides ≤ kMaxProjectSide,
// finite opacity in [0,1], non-empty unique id, mask CV_8UC1 of canvas size; points finite;
// meta ids naming existing layers; working mask CV_8UC1 of canvas size; extra/params JSON objects.
void validateProject(const Project& project, const std::string& context = "project");

// "" when `a` and `b` hold the same project (pixels, masks, points, params, metadata — everything
// a round trip must keep, except meta.appVersion), else a description of the first difference.
std::string describeProjectDifference(const Project& a, const Project& b);

// An image as layer pixels: CV_8UC1 gray, CV_8UC3 RGB or CV_8UC4 RGBA (channel order as given:
// no BGR swap) → CV_8UC4 RGBA. Throws Error("<what>: ...") for other types.
cv::Mat toRgba(const cv::Mat& image, const std::string& what = "image");

// A one-layer project whose bottom layer (kind Image, id "original") is `image` (see toRgba).
Project projectFromImage(const cv::Mat& image, const std::string& name = "Original");

}  // namespace latentshop
