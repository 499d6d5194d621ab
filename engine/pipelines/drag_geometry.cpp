#include "engine/pipelines/drag_geometry.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/pipelines/mask_ops.h"

namespace latentshop {

namespace {

int roundToMultiple(double v, int multiple) {
  return std::max(multiple, static_cast<int>(std::lround(v / multiple)) * multiple);
}

// The crop's left/top edge along one axis: nearest to `ideal` on a grid of `step`, keeping
// [lo, hi) inside [start, start + side) and the crop inside [0, limit).
int placeOnGrid(double ideal, int side, int limit, int lo, int hi, int step) {
  const int maxStart = limit - side;
  if (maxStart <= 0) return 0;
  int best = std::clamp(static_cast<int>(std::lround(ideal)), 0, maxStart);
  if (step <= 0) return best;
  double bestDistance = 1e300;
  bool found = false;
  for (int s = 0; s <= maxStart + step; s += step) {
    const int start = std::min(s, maxStart);
    if (start > lo || start + side < hi) continue;
    const double d = std::abs(start - ideal);
    if (d < bestDistance) {
      bestDistance = d;
      best = start;
      found = true;
    }
  }
  if (!found) best = std::clamp(std::min(lo, static_cast<int>(std::lround(ideal))), std::max(0, hi - side), maxStart);
  return std::clamp(best, 0, maxStart);
}

// 1 inside, smoothstep down to 0 over `px` pixels towards the crop edges that lie inside the image.
cv::Mat edgeFeather(const DragRegion& r, int px) {
  cv::Mat alpha(r.crop.size(), CV_32FC1, cv::Scalar(1.0f));
  if (px <= 0 || r.wholeImage()) return alpha;
  const bool left = r.crop.x > 0, top = r.crop.y > 0;
  const bool right = r.crop.br().x < r.image.width, bottom = r.crop.br().y < r.image.height;
  const float span = static_cast<float>(px + 1);
  auto ramp = [&](int distance) {  // distance 0 = the edge pixel
    if (distance >= px) return 1.0f;
    const float s = static_cast<float>(distance) / span;
    return s * s * (3.0f - 2.0f * s);
  };
  for (int y = 0; y < alpha.rows; ++y) {
    float* a = alpha.ptr<float>(y);
    const float fy = std::min(top ? ramp(y) : 1.0f, bottom ? ramp(alpha.rows - 1 - y) : 1.0f);
    for (int x = 0; x < alpha.cols; ++x) {
      const float fx = std::min(left ? ramp(x) : 1.0f, right ? ramp(alpha.cols - 1 - x) : 1.0f);
      a[x] = std::min(fx, fy);
    }
  }
  return alpha;
}

}  // namespace

cv::Point2f DragRegion::toWork(cv::Point2f p) const {
  return {static_cast<float>((p.x - crop.x) * static_cast<double>(work.width) / crop.width),
          static_cast<float>((p.y - crop.y) * static_cast<double>(work.height) / crop.height)};
}

cv::Point2f DragRegion::toDocument(cv::Point2f p) const {
  return {static_cast<float>(crop.x + p.x * static_cast<double>(crop.width) / work.width),
          static_cast<float>(crop.y + p.y * static_cast<double>(crop.height) / work.height)};
}

DragRegion chooseDragRegion(cv::Size image, const cv::Mat& mask, const std::vector<DragPoint>& points, int modelSize,
                            int multiple) {
  if (image.width <= 0 || image.height <= 0) throw Error("drag: empty image");
  if (modelSize < multiple) throw Error("drag: the model resolution is too small");
  DragRegion r;
  r.image = image;
  r.crop = cv::Rect(0, 0, image.width, image.height);
  const int longSide = std::max(image.width, image.height);
  if (longSide * 2 > modelSize * 3) {
    // Region of interest: the points and the movable region, with context around them.
    cv::Rect roi;
    for (const auto& p : points) {
      for (const auto& q : {p.handle, p.target}) {
        const cv::Rect dot(static_cast<int>(std::floor(q.x)), static_cast<int>(std::floor(q.y)), 1, 1);
        roi = roi.empty() ? dot : (roi | dot);
      }
    }
    if (!mask.empty()) {
      const cv::Rect m = maskBoundingBox(binarizeMask(mask, 0));
      if (!m.empty()) roi = roi.empty() ? m : (roi | m);
    }
    if (roi.empty()) roi = r.crop;
    const int pad = std::max(modelSize / 8, std::max(roi.width, roi.height) / 4);
    roi = padRect(roi, pad, image);
    const double wanted = std::max({roi.width, roi.height, modelSize});
    double side = modelSize;
    while (side < wanted - 0.5) side *= std::sqrt(2.0);
    const int s = static_cast<int>(std::lround(side));
    const int w = std::min(s, image.width), h = std::min(s, image.height);
    const int step = std::max(1, s / 4);
    const cv::Point2d centre(roi.x + roi.width / 2.0, roi.y + roi.height / 2.0);
    const int x = placeOnGrid(centre.x - w / 2.0, w, image.width, roi.x, roi.br().x, step);
    const int y = placeOnGrid(centre.y - h / 2.0, h, image.height, roi.y, roi.br().y, step);
    r.crop = cv::Rect(x, y, w, h) & cv::Rect(0, 0, image.width, image.height);
  }
  const double scale = static_cast<double>(modelSize) / std::max(r.crop.width, r.crop.height);
  r.work = cv::Size(roundToMultiple(r.crop.width * scale, multiple), roundToMultiple(r.crop.height * scale, multiple));
  return r;
}

cv::Size dragSupervisionSize(cv::Size work) {
  return {static_cast<int>(0.5 * work.width), static_cast<int>(0.5 * work.height)};
}

std::array<float, 2> workPointToGrid(cv::Point2f p, cv::Size work, cv::Size grid) {
  // Python: torch.round(torch.tensor([y / full_h * sup_h, x / full_w * sup_w])) — the products in
  // double, stored as float32, rounded half to even (nearbyint in the default rounding mode).
  const float row = static_cast<float>(static_cast<double>(p.y) / work.height * grid.height);
  const float col = static_cast<float>(static_cast<double>(p.x) / work.width * grid.width);
  return {std::clamp(std::nearbyint(row), 0.0f, static_cast<float>(grid.height - 1)),
          std::clamp(std::nearbyint(col), 0.0f, static_cast<float>(grid.width - 1))};
}

cv::Point2f gridToWorkPoint(float row, float col, cv::Size work, cv::Size grid) {
  return {static_cast<float>(col * static_cast<double>(work.width) / grid.width),
          static_cast<float>(row * static_cast<double>(work.height) / grid.height)};
}

cv::Mat dragPasteAlpha(const DragRegion& region, const cv::Mat& cropMask, int growPx, int featherPx) {
  cv::Mat alpha = edgeFeather(region, featherPx);
  if (cropMask.empty()) return alpha;
  if (cropMask.size() != region.crop.size()) throw Error("drag: the movable-region mask does not match the crop");
  const cv::Mat binary = binarizeMask(cropMask, 0);
  if (cv::countNonZero(binary) == 0) return alpha;
  const cv::Mat grown = growPx > 0 ? growShrinkMask(binary, growPx) : binary;
  const cv::Mat movable = featherOutward(grown, featherPx);
  return alpha.mul(movable);
}

}  // namespace latentshop
