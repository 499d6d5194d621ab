// One finished edit as project layers: what the editing commands write for `--project P.ora`
// (`latentshop-cli inpaint|instruct|drag ... --project P.ora`) and what the GUI can reuse when a
// job's result lands in the document. The input photo becomes the "Original" layer; the mask (if
// any) a hidden "Mask" layer; drag points (if any) a hidden "Drag points" annotation layer that
// draws handles and targets; the result a visible result layer on top carrying the parameters, the
// mask and the points. Pixels are RGB order like JobResult (engine/runtime/job.h).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "engine/io/project.h"

namespace latentshop {

struct EditRecord {
  cv::Mat original;                // the input image: CV_8UC3 RGB, CV_8UC4 RGBA or CV_8UC1
  cv::Mat result;                  // RGB/RGBA: canvas size, or placement size when placement is set
  cv::Rect placement;              // where `result` goes on the canvas (empty: covers it all)
  cv::Mat mask;                    // optional CV_8UC1 at canvas size (white = edited)
  std::vector<DragPoint> points;   // optional handle → target pairs in canvas pixels
  nlohmann::json params = nlohmann::json::object();  // JobResult::params: method, model, seed, ...
  std::string resultName;          // result layer name; "" → from params ("Inpaint (telea)", ...)
  std::string sourcePath;          // the input image's path, recorded in the project
};

// A new project: Original, [Mask], [Drag points], result. Throws Error naming the faulty input
// (sizes that do not match the original, wrong pixel types).
Project projectFromEdit(const EditRecord& edit);

// Adds [Mask], [Drag points] and the result layer on top of `project` (whose canvas must match the
// edit's), makes the result the active layer and the mask/points the working ones; returns the
// result layer's id. `edit.original` may be empty here (the project already has its original).
std::string addEditLayers(Project& project, const EditRecord& edit);

// projectFromEdit + saveOra.
void saveEditProject(const std::string& path, const EditRecord& edit);

// The default result layer name for `params`: "<Method>" plus a short detail, e.g.
// "Inpaint (telea)", "Instruct: make it snowy", "Drag"; "Result" when params say nothing.
std::string resultLayerName(const nlohmann::json& params);

}  // namespace latentshop
