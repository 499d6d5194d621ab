#include "engine/pipelines/drag_request.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "engine/core/error.h"

namespace latentshop {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

bool parseNumber(const std::string& text, float& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  std::size_t used = 0;
  try {
    const double v = std::stod(t, &used);
    if (used != t.size() || !std::isfinite(v)) return false;
    out = static_cast<float>(v);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool parsePoint(const std::string& text, cv::Point2f& p) {
  const auto xy = split(text, ',');
  return xy.size() == 2 && parseNumber(xy[0], p.x) && parseNumber(xy[1], p.y);
}

std::string number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
  return buf;
}

void require(bool ok, const std::string& message) {
  if (!ok) throw Error("drag: " + message);
}

std::string envOr(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::string();
}

}  // namespace

std::string defaultDragLoraCacheDir() {
  namespace fs = std::filesystem;
  if (auto d = envOr("LATENTSHOP_CACHE_DIR"); !d.empty()) return (fs::path(d) / "drag-lora").string();
  if (auto d = envOr("XDG_CACHE_HOME"); !d.empty()) return (fs::path(d) / "latentshop" / "drag-lora").string();
  if (auto d = envOr("HOME"); !d.empty()) return (fs::path(d) / ".cache" / "latentshop" / "drag-lora").string();
  return "";
}

std::vector<DragPoint> parseDragPoints(const std::string& text) {
  const std::string all = trim(text);
  if (all.empty()) throw Error("drag points: the list is empty; give handle>target pairs as \"x1,y1>x2,y2;...\"");
  std::vector<DragPoint> points;
  int index = 0;
  for (const auto& rawPair : split(all, ';')) {
    ++index;
    const std::string pair = trim(rawPair);
    if (pair.empty()) continue;  // tolerate "a;;b" and a trailing ';'
    const auto ends = split(pair, '>');
    DragPoint p;
    if (ends.size() != 2 || !parsePoint(ends[0], p.handle) || !parsePoint(ends[1], p.target))
      throw Error("drag points: pair " + std::to_string(index) + " \"" + pair +
                  "\" is not \"x,y>x,y\" (handle>target in image pixels)");
    points.push_back(p);
  }
  if (points.empty()) throw Error("drag points: the list is empty; give handle>target pairs as \"x1,y1>x2,y2;...\"");
  return points;
}

std::string formatDragPoints(const std::vector<DragPoint>& points) {
  std::string s;
  for (const auto& p : points) {
    if (!s.empty()) s += ';';
    s += number(p.handle.x) + "," + number(p.handle.y) + ">" + number(p.target.x) + "," + number(p.target.y);
  }
  return s;
}

void DragParams::validate() const {
  // Every number has a stated range; a value outside it is refused before any work (the drag CLI
  // calls this before it reads the image).
  require(loraSteps >= 0 && loraSteps <= 10000, "lora steps must be in [0, 10000] (0 skips the LoRA)");
  require(loraLr > 0.0 && loraLr <= 1.0, "the LoRA learning rate must be in (0, 1]");
  require(loraBatchSize >= 1 && loraBatchSize <= 64, "the LoRA batch size must be in [1, 64]");
  require(loraRank >= 1 && loraRank <= 512, "the LoRA rank must be in [1, 512]");
  require(dragSteps >= 0 && dragSteps <= 10000, "drag steps must be in [0, 10000]");
  require(inversionStrength > 0.0 && inversionStrength <= 1.0, "inversion strength must be in (0, 1]");
  require(latentLr > 0.0 && latentLr <= 10.0, "the latent learning rate must be in (0, 10]");
  require(featureLayer >= 0 && featureLayer <= 3, "the feature layer must be in [0, 3] (0 = mid block, 1-3 = up blocks)");
  require(lam >= 0.0 && lam <= 1e6, "lam (mask term weight) must be in [0, 1e6]");
  require(rM >= 0 && rM <= 64 && rP >= 0 && rP <= 64, "r_m and r_p must be in [0, 64]");
  require(inferenceSteps >= 1 && inferenceSteps <= 1000, "inference steps must be in [1, 1000]");
  require(startStep >= 0 && startStep <= inferenceSteps, "the start step must be in [0, inference steps]");
  require(startLayer >= 0 && startLayer <= 16, "the start layer must be in [0, 16] (16: no mutual self-attention)");
  require(workingSize == 0 || (workingSize >= 64 && workingSize <= kMaxDragWorkingSize),
          "the working size must be 0 (automatic) or in [64, " + std::to_string(kMaxDragWorkingSize) +
              "] pixels, got " + std::to_string(workingSize));
  require(pasteGrowPx >= -1 && pasteGrowPx <= 256, "the paste grow must be -1 (automatic) or in [0, 256] pixels");
  require(pasteFeatherPx >= -1 && pasteFeatherPx <= 256, "the paste feather must be -1 (automatic) or in [0, 256] pixels");
}

nlohmann::json DragParams::toJson() const {
  return {{"lora_steps", loraSteps},       {"lora_lr", loraLr},
          {"lora_batch_size", loraBatchSize}, {"lora_rank", loraRank},
          {"drag_steps", dragSteps},       {"inversion_strength", inversionStrength},
          {"latent_lr", latentLr},         {"feature_layer", featureLayer},
          {"lam", lam},                    {"r_m", rM},
          {"r_p", rP},                     {"inference_steps", inferenceSteps},
          {"start_step", startStep},       {"start_layer", startLayer},
          {"seed", seed},                  {"working_size", workingSize}};
}

void validateDragRequest(const DragRequest& r) {
  require(!r.image.empty(), "no image");
  require(r.image.type() == CV_8UC3, "the image must be 8-bit RGB");
  require(!r.points.empty(), "no drag points: add at least one handle and its target");
  const float w = static_cast<float>(r.image.cols), h = static_cast<float>(r.image.rows);
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    for (const auto& [what, q] : {std::make_pair("handle", r.points[i].handle), std::make_pair("target", r.points[i].target)}) {
      if (!(q.x >= 0.0f && q.y >= 0.0f && q.x < w && q.y < h))
        throw Error("drag: " + std::string(what) + " of pair " + std::to_string(i + 1) + " (" + number(q.x) + ", " +
                    number(q.y) + ") lies outside the " + std::to_string(r.image.cols) + "x" +
                    std::to_string(r.image.rows) + " image");
    }
  }
  if (!r.mask.empty()) {
    require(r.mask.type() == CV_8UC1, "the movable-region mask must be 8-bit grey");
    if (r.mask.size() != r.image.size())
      throw Error("drag: the mask is " + std::to_string(r.mask.cols) + "x" + std::to_string(r.mask.rows) +
                  " but the image is " + std::to_string(r.image.cols) + "x" + std::to_string(r.image.rows));
  }
  require(!r.modelPath.empty(), "no model: choose a Stable Diffusion 1.x model");
  r.params.validate();
}

}  // namespace latentshop
