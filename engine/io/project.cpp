#include "engine/io/project.h"

#include <cmath>
#include <set>
#include <unordered_set>

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"

namespace latentshop {

const char* toString(LayerKind kind) {
  switch (kind) {
    case LayerKind::Image: return "image";
    case LayerKind::Result: return "result";
    case LayerKind::Mask: return "mask";
    case LayerKind::Annotation: return "annotation";
  }
  return "image";
}

LayerKind layerKindFromString(const std::string& text, const std::string& what) {
  if (text == "image") return LayerKind::Image;
  if (text == "result") return LayerKind::Result;
  if (text == "mask") return LayerKind::Mask;
  if (text == "annotation") return LayerKind::Annotation;
  throw Error(what + ": unknown layer kind '" + text + "' (expected image, result, mask or annotation)");
}

ProjectLayer* Project::findLayer(const std::string& id) {
  const int i = layerIndex(id);
  return i < 0 ? nullptr : &layers[static_cast<size_t>(i)];
}

const ProjectLayer* Project::findLayer(const std::string& id) const {
  const int i = layerIndex(id);
  return i < 0 ? nullptr : &layers[static_cast<size_t>(i)];
}

int Project::layerIndex(const std::string& id) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].id == id) return static_cast<int>(i);
  return -1;
}

const ProjectLayer* Project::original() const {
  return meta.originalLayerId.empty() ? nullptr : findLayer(meta.originalLayerId);
}

std::string Project::newLayerId() const {
  for (size_t n = layers.size() + 1;; ++n) {
    std::string id = "layer-" + std::to_string(n);
    if (layerIndex(id) < 0) return id;
  }
}

void Project::assignMissingLayerIds() {
  std::unordered_set<std::string> used;
  used.reserve(layers.size() * 2);
  for (const ProjectLayer& l : layers)
    if (!l.id.empty()) used.insert(l.id);
  size_t n = 1;
  for (ProjectLayer& l : layers) {
    if (!l.id.empty()) continue;
    std::string id;
    do {
      id = "layer-" + std::to_string(n++);
    } while (used.count(id));
    used.insert(id);
    l.id = std::move(id);
  }
}

ProjectLayer& Project::addLayer(ProjectLayer layer) {
  if (layer.id.empty()) layer.id = newLayerId();
  layers.push_back(std::move(layer));
  return layers.back();
}

namespace {

std::string sizeText(const cv::Size& s) { return std::to_string(s.width) + "x" + std::to_string(s.height); }

bool finite(const cv::Point2f& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

void validatePoints(const std::vector<DragPoint>& points, const std::string& what) {
  for (size_t i = 0; i < points.size(); ++i)
    if (!finite(points[i].handle) || !finite(points[i].target))
      throw Error(what + ": drag point " + std::to_string(i) + " is not a finite coordinate");
}

void validateMask(const cv::Mat& mask, const cv::Size& canvas, const std::string& what) {
  if (mask.empty()) return;
  if (mask.type() != CV_8UC1) throw Error(what + ": mask must be 8-bit single-channel (CV_8UC1)");
  if (mask.size() != canvas)
    throw Error(what + ": " + sizeText(mask.size()) + " mask does not match the " + sizeText(canvas) +
                " canvas");
}

}  // namespace

void validateProject(const Project& p, const std::string& context) {
  if (p.width <= 0 || p.height <= 0 || p.width > kMaxProjectSide || p.height > kMaxProjectSide)
    throw Error(context + ": canvas size " + std::to_string(p.width) + "x" + std::to_string(p.height) +
                " is outside 1.." + std::to_string(kMaxProjectSide));
  std::set<std::string> ids;
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const ProjectLayer& l = p.layers[i];
    const std::string what = context + ": layer " + std::to_string(i) + " '" + l.name + "'";
    if (l.id.empty()) throw Error(what + ": empty id");
    if (!ids.insert(l.id).second) throw Error(what + ": id '" + l.id + "' is used by another layer");
    if (!l.rgba.empty() && l.rgba.type() != CV_8UC4)
      throw Error(what + ": pixels must be 8-bit RGBA (CV_8UC4)");
    if (l.rgba.cols > kMaxProjectSide || l.rgba.rows > kMaxProjectSide)
      throw Error(what + ": size " + sizeText(l.rgba.size()) + " exceeds " + std::to_string(kMaxProjectSide));
    if (!std::isfinite(l.opacity) || l.opacity < 0.0 || l.opacity > 1.0)
      throw Error(what + ": opacity " + std::to_string(l.opacity) + " is outside 0..1");
    if (l.compositeOp.empty()) throw Error(what + ": empty composite-op");
    if (!l.params.is_object()) throw Error(what + ": parameters must be a JSON object");
    validateMask(l.mask, p.size(), what);
    validatePoints(l.points, what);
  }
  if (!p.meta.originalLayerId.empty() && !ids.count(p.meta.originalLayerId))
    throw Error(context + ": original layer '" + p.meta.originalLayerId + "' does not exist");
  if (!p.meta.activeLayerId.empty() && !ids.count(p.meta.activeLayerId))
    throw Error(context + ": active layer '" + p.meta.activeLayerId + "' does not exist");
  validateMask(p.meta.workingMask, p.size(), context + ": working mask");
  validateMask(p.meta.keepOutMask, p.size(), context + ": keep-out mask");
  validatePoints(p.meta.workingPoints, context + ": working points");
  if (p.meta.selection.width < 0 || p.meta.selection.height < 0)
    throw Error(context + ": selection has a negative size");
  if (!p.meta.extra.is_object()) throw Error(context + ": extra metadata must be a JSON object");
}

namespace {

bool sameMat(const cv::Mat& a, const cv::Mat& b) {
  if (a.empty() && b.empty()) return true;
  if (a.size() != b.size() || a.type() != b.type()) return false;
  cv::Mat diff;
  cv::compare(a.reshape(1), b.reshape(1), diff, cv::CMP_NE);
  return cv::countNonZero(diff) == 0;
}

std::string describeMat(const cv::Mat& m) {
  return m.empty() ? std::string("empty") : sizeText(m.size()) + "x" + std::to_string(m.channels());
}

std::string pointsDifference(const std::vector<DragPoint>& a, const std::vector<DragPoint>& b) {
  if (a.size() != b.size())
    return std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " drag points";
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return "drag point " + std::to_string(i) + " differs";
  return "";
}

}  // namespace

std::string describeProjectDifference(const Project& a, const Project& b) {
  if (a.size() != b.size()) return "canvas " + sizeText(a.size()) + " vs " + sizeText(b.size());
  if (a.layers.size() != b.layers.size())
    return std::to_string(a.layers.size()) + " vs " + std::to_string(b.layers.size()) + " layers";
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const ProjectLayer& la = a.layers[i];
    const ProjectLayer& lb = b.layers[i];
    const std::string at = "layer " + std::to_string(i) + " '" + la.name + "': ";
    if (la.id != lb.id) return at + "id '" + la.id + "' vs '" + lb.id + "'";
    if (la.name != lb.name) return at + "name vs '" + lb.name + "'";
    if (la.x != lb.x || la.y != lb.y) return at + "offset differs";
    if (la.visible != lb.visible) return at + "visibility differs";
    if (la.opacity != lb.opacity)
      return at + "opacity " + std::to_string(la.opacity) + " vs " + std::to_string(lb.opacity);
    if (la.compositeOp != lb.compositeOp) return at + "composite-op differs";
    if (la.kind != lb.kind) return at + std::string("kind ") + toString(la.kind) + " vs " + toString(lb.kind);
    if (la.params != lb.params) return at + "parameters " + la.params.dump() + " vs " + lb.params.dump();
    if (!sameMat(la.rgba, lb.rgba))
      return at + "pixels differ (" + describeMat(la.rgba) + " vs " + describeMat(lb.rgba) + ")";
    if (!sameMat(la.mask, lb.mask))
      return at + "mask differs (" + describeMat(la.mask) + " vs " + describeMat(lb.mask) + ")";
    if (auto d = pointsDifference(la.points, lb.points); !d.empty()) return at + d;
  }
  const ProjectMetadata& ma = a.meta;
  const ProjectMetadata& mb = b.meta;
  if (ma.model != mb.model) return "model '" + ma.model + "' vs '" + mb.model + "'";
  if (ma.originalLayerId != mb.originalLayerId) return "original layer id differs";
  if (ma.activeLayerId != mb.activeLayerId) return "active layer id differs";
  if (!sameMat(ma.workingMask, mb.workingMask)) return "working mask differs";
  if (!sameMat(ma.keepOutMask, mb.keepOutMask)) return "keep-out mask differs";
  if (auto d = pointsDifference(ma.workingPoints, mb.workingPoints); !d.empty()) return "working points: " + d;
  if (ma.selection != mb.selection) return "selection differs";
  if (ma.sourcePath != mb.sourcePath) return "source path differs";
  if (ma.extra != mb.extra) return "extra metadata " + ma.extra.dump() + " vs " + mb.extra.dump();
  return "";
}

cv::Mat toRgba(const cv::Mat& image, const std::string& what) {
  if (image.empty()) throw Error(what + ": empty image");
  if (image.depth() != CV_8U)
    throw Error(what + ": expected 8-bit pixels, got OpenCV depth " + std::to_string(image.depth()));
  cv::Mat out;
  switch (image.channels()) {
    case 1: cv::cvtColor(image, out, cv::COLOR_GRAY2RGBA); break;
    case 3: cv::cvtColor(image, out, cv::COLOR_RGB2RGBA); break;
    case 4: out = image.clone(); break;
    default: throw Error(what + ": expected 1, 3 or 4 channels, got " + std::to_string(image.channels()));
  }
  return out;
}

Project projectFromImage(const cv::Mat& image, const std::string& name) {
  Project p;
  ProjectLayer layer;
  layer.id = "original";
  layer.name = name;
  layer.rgba = toRgba(image, name);
  layer.kind = LayerKind::Image;
  p.width = layer.rgba.cols;
  p.height = layer.rgba.rows;
  p.meta.originalLayerId = layer.id;
  p.meta.activeLayerId = layer.id;
  p.layers.push_back(std::move(layer));
  return p;
}

}  // namespace latentshop
