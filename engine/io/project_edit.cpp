#include "engine/io/project_edit.h"

#include <algorithm>
#include <cctype>

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/io/ora_writer.h"

namespace latentshop {

namespace {

std::string sizeText(const cv::Size& s) { return std::to_string(s.width) + "x" + std::to_string(s.height); }

std::string stringParam(const nlohmann::json& params, const char* key) {
  auto it = params.find(key);
  return it != params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The drag points drawn for other editors: a line from each handle to its target, the handle red,
// the target blue.
cv::Mat drawPoints(const cv::Size& canvas, const std::vector<DragPoint>& points) {
  cv::Mat rgba(canvas, CV_8UC4, cv::Scalar::all(0));
  const int radius = std::max(3, std::min(canvas.width, canvas.height) / 100);
  for (const DragPoint& p : points) {
    const cv::Point h(cvRound(p.handle.x), cvRound(p.handle.y));
    const cv::Point t(cvRound(p.target.x), cvRound(p.target.y));
    cv::arrowedLine(rgba, h, t, cv::Scalar(255, 255, 255, 255), std::max(1, radius / 3), cv::LINE_AA, 0, 0.1);
    cv::circle(rgba, h, radius, cv::Scalar(230, 40, 40, 255), cv::FILLED, cv::LINE_AA);
    cv::circle(rgba, t, radius, cv::Scalar(40, 90, 230, 255), cv::FILLED, cv::LINE_AA);
  }
  return rgba;
}

}  // namespace

std::string resultLayerName(const nlohmann::json& params) {
  std::string method = stringParam(params, "method");
  if (method.empty()) return "Result";
  std::string name = method;
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  std::string detail = stringParam(params, "instruction");
  if (detail.empty()) detail = stringParam(params, "prompt");
  if (!detail.empty()) {
    if (detail.size() > 40) detail = detail.substr(0, 37) + "...";
    return name + ": " + detail;
  }
  if (const std::string variant = stringParam(params, "variant"); !variant.empty()) return name + " (" + variant + ")";
  return name;
}

std::string addEditLayers(Project& project, const EditRecord& edit) {
  const cv::Size canvas = project.size();
  if (!edit.params.is_object()) throw Error("edit parameters must be a JSON object");
  if (edit.result.empty()) throw Error("edit result: empty image");
  const cv::Size expected = edit.placement.empty() ? canvas : edit.placement.size();
  if (edit.result.size() != expected)
    throw Error("edit result: " + sizeText(edit.result.size()) + " does not match the " + sizeText(expected) +
                (edit.placement.empty() ? " image" : " placement"));
  if (!edit.mask.empty()) {
    if (edit.mask.type() != CV_8UC1) throw Error("edit mask: must be 8-bit single-channel");
    if (edit.mask.size() != canvas)
      throw Error("edit mask: " + sizeText(edit.mask.size()) + " does not match the " + sizeText(canvas) + " image");
  }

  if (!edit.mask.empty()) {
    ProjectLayer mask;
    mask.name = "Mask";
    mask.kind = LayerKind::Mask;
    mask.visible = false;
    cv::cvtColor(edit.mask, mask.rgba, cv::COLOR_GRAY2RGBA);  // opaque gray: usable as a selection elsewhere
    mask.mask = edit.mask.clone();
    project.addLayer(std::move(mask));
  }
  if (!edit.points.empty()) {
    ProjectLayer drag;
    drag.name = "Drag points";
    drag.kind = LayerKind::Annotation;
    drag.visible = false;
    drag.rgba = drawPoints(canvas, edit.points);
    drag.points = edit.points;
    project.addLayer(std::move(drag));
  }
  ProjectLayer result;
  result.name = edit.resultName.empty() ? resultLayerName(edit.params) : edit.resultName;
  result.kind = LayerKind::Result;
  result.rgba = toRgba(edit.result, "edit result");
  result.x = edit.placement.empty() ? 0 : edit.placement.x;
  result.y = edit.placement.empty() ? 0 : edit.placement.y;
  result.params = edit.params;
  result.mask = edit.mask.empty() ? cv::Mat() : edit.mask.clone();
  result.points = edit.points;
  const std::string id = project.addLayer(std::move(result)).id;

  project.meta.activeLayerId = id;
  project.meta.workingMask = edit.mask.empty() ? cv::Mat() : edit.mask.clone();
  project.meta.workingPoints = edit.points;
  if (const std::string model = stringParam(edit.params, "model"); !model.empty()) project.meta.model = model;
  validateProject(project, "edit project");
  return id;
}

Project projectFromEdit(const EditRecord& edit) {
  Project project = projectFromImage(edit.original, "Original");
  project.meta.sourcePath = edit.sourcePath;
  addEditLayers(project, edit);
  return project;
}

void saveEditProject(const std::string& path, const EditRecord& edit) { saveOra(projectFromEdit(edit), path); }

}  // namespace latentshop
