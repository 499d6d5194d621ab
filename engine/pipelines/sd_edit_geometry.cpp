#include "engine/pipelines/sd_edit_geometry.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/pipelines/mask_ops.h"

namespace latentshop {

namespace {

int floorTo(double v, int multiple) { return std::max(multiple, static_cast<int>(std::floor(v / multiple)) * multiple); }
int roundTo(double v, int multiple) {
  return std::max(multiple, static_cast<int>(std::lround(v / multiple)) * multiple);
}
int floorDiv(int a, int b) { return static_cast<int>(std::floor(static_cast<double>(a) / b)); }

std::string sizeText(cv::Size s) { return std::to_string(s.width) + "x" + std::to_string(s.height); }

void requireGeometryInputs(int resolution, int multiple) {
  if (multiple < 1 || resolution < multiple) throw Error("edit geometry: bad model resolution or size multiple");
}

cv::Mat resizeTo(const cv::Mat& src, cv::Size size) {
  if (src.size() == size) return src.clone();
  cv::Mat out;
  const bool down = static_cast<double>(size.area()) < static_cast<double>(src.size().area());
  cv::resize(src, out, size, 0, 0, down ? cv::INTER_AREA : cv::INTER_LANCZOS4);
  return out;
}

// Working size for a crop box: `resolution` on the long side, the short side by the box's aspect.
cv::Size longSideSize(cv::Size box, int resolution, int multiple) {
  if (box.width >= box.height) {
    return {resolution, std::min(resolution, roundTo(static_cast<double>(resolution) * box.height / box.width, multiple))};
  }
  return {std::min(resolution, roundTo(static_cast<double>(resolution) * box.width / box.height, multiple)), resolution};
}

}  // namespace

std::string SdEditGeometry::describe() const {
  // Words for the user (the result bar, the status line): no engine terms.
  const std::string rounding = rounded() ? " (the nearest size the model takes)" : "";
  if (crop) {
    return "the " + sizeText(region.size()) + " area around the mask at (" + std::to_string(region.x) + "," +
           std::to_string(region.y) + ") edited at " + sizeText(workSize) + rounding + ", pasted back";
  }
  if (!resized()) return "edited at the image's own size, " + sizeText(workSize);
  return sizeText(region.size()) + " image edited at " + sizeText(workSize) + rounding + ", scaled back";
}

namespace {
// The whole-image size within the pixel budget, before rounding to the multiple.
double budgetScale(cv::Size size, int resolution) {
  const double budget = static_cast<double>(resolution) * resolution;
  const double area = static_cast<double>(size.width) * size.height;
  return area <= budget ? 1.0 : std::sqrt(budget / area);
}
}  // namespace

cv::Size workingSize(cv::Size size, int resolution, int multiple) {
  requireGeometryInputs(resolution, multiple);
  if (size.width < 1 || size.height < 1) throw Error("edit geometry: empty image");
  const double scale = budgetScale(size, resolution);
  return {floorTo(size.width * scale, multiple), floorTo(size.height * scale, multiple)};
}

SdEditGeometry wholeImageGeometry(cv::Size image, int resolution, int multiple) {
  SdEditGeometry g;
  g.region = g.paddedBox = cv::Rect(0, 0, image.width, image.height);
  g.workSize = workingSize(image, resolution, multiple);
  const double scale = budgetScale(image, resolution);
  g.unroundedSize = scale == 1.0 ? image
                                 : cv::Size(std::max(1, static_cast<int>(std::floor(image.width * scale))),
                                            std::max(1, static_cast<int>(std::floor(image.height * scale))));
  g.multiple = multiple;
  return g;
}

cv::Rect diffusersCropRegion(const cv::Mat& mask, int width, int height, int pad) {
  if (mask.empty() || mask.type() != CV_8UC1) throw Error("crop to mask: expected an 8-bit single-channel mask");
  const int w = mask.cols, h = mask.rows;
  const cv::Rect box = maskBoundingBox(binarizeMask(mask, 0));
  if (box.empty()) return {0, 0, w, h};
  // 1-2. The bounding box of the non-zero pixels, padded and clipped.
  int x1 = std::max(box.x - pad, 0), y1 = std::max(box.y - pad, 0);
  int x2 = std::min(box.x + box.width + pad, w), y2 = std::min(box.y + box.height + pad, h);
  // 3. Grown to the processing aspect, shifted back inside the image.
  const double ratioCrop = static_cast<double>(x2 - x1) / (y2 - y1);
  const double ratioProcessing = static_cast<double>(width) / height;
  if (ratioCrop > ratioProcessing) {
    const double desired = (x2 - x1) / ratioProcessing;
    const int diff = static_cast<int>(desired - (y2 - y1));  // Python int(): towards zero
    y1 -= floorDiv(diff, 2);
    y2 += diff - floorDiv(diff, 2);
    if (y2 >= h) {
      const int d = y2 - h;
      y2 -= d;
      y1 -= d;
    }
    if (y1 < 0) {
      y2 -= y1;
      y1 = 0;
    }
    if (y2 >= h) y2 = h;
  } else {
    const double desired = (y2 - y1) * ratioProcessing;
    const int diff = static_cast<int>(desired - (x2 - x1));
    x1 -= floorDiv(diff, 2);
    x2 += diff - floorDiv(diff, 2);
    if (x2 >= w) {
      const int d = x2 - w;
      x2 -= d;
      x1 -= d;
    }
    if (x1 < 0) {
      x2 -= x1;
      x1 = 0;
    }
    if (x2 >= w) x2 = w;
  }
  return {x1, y1, x2 - x1, y2 - y1};
}

SdEditGeometry cropToMaskGeometry(const cv::Mat& mask, int padding, int resolution, int multiple) {
  requireGeometryInputs(resolution, multiple);
  if (mask.empty() || mask.type() != CV_8UC1) throw Error("crop to mask: expected an 8-bit single-channel mask");
  if (padding < 0) throw Error("padding must be 0 or more, got " + std::to_string(padding));
  const cv::Rect box = maskBoundingBox(binarizeMask(mask, 0));
  if (box.empty()) throw Error("crop to mask: the mask is empty");
  SdEditGeometry g;
  g.crop = true;
  g.paddedBox = padRect(box, padding, mask.size());
  // The processing size for the padded box's aspect (limited to 4:1), then diffusers' growth of
  // the box to exactly that aspect.
  const double aspect = std::clamp(static_cast<double>(g.paddedBox.width) / g.paddedBox.height, 0.25, 4.0);
  const cv::Size target = aspect >= 1.0 ? cv::Size(resolution, std::min(resolution, roundTo(resolution / aspect, multiple)))
                                        : cv::Size(std::min(resolution, roundTo(resolution * aspect, multiple)), resolution);
  g.region = diffusersCropRegion(mask, target.width, target.height, padding);
  // Near the image's edges the box may not reach that aspect: size the work by the box itself.
  g.workSize = longSideSize(g.region.size(), resolution, multiple);
  g.unroundedSize = g.workSize;  // the box was grown to the working aspect: nothing is rounded away
  g.multiple = multiple;
  return g;
}

cv::Mat regionToWork(const cv::Mat& image, const SdEditGeometry& g) { return resizeTo(image(g.region), g.workSize); }

cv::Mat maskToWork(const cv::Mat& mask, const SdEditGeometry& g) {
  const cv::Mat hard = binarizeMask(mask(g.region), 127);
  cv::Mat work;
  if (hard.size() == g.workSize) {
    work = hard;
  } else {
    const bool down = g.workSize.area() < hard.size().area();
    cv::resize(hard, work, g.workSize, 0, 0, down ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  return binarizeMask(work, 0);
}

cv::Mat workToRegion(const cv::Mat& result, const SdEditGeometry& g) { return resizeTo(result, g.region.size()); }

cv::Mat pasteAlpha(const cv::Mat& mask, const SdEditGeometry& g, int featherPx) {
  const cv::Mat region = mask(g.region);
  cv::Mat alpha = featherOutward(binarizeMask(region, 127), std::max(featherPx, 0));
  alpha = cv::max(alpha, maskToAlpha(region));
  // Nothing outside the padded box changes.
  cv::Mat keep(alpha.size(), CV_8UC1, cv::Scalar(255));
  const cv::Rect inside = g.paddedBox - g.region.tl();
  keep(inside & cv::Rect(0, 0, alpha.cols, alpha.rows)).setTo(0);
  alpha.setTo(0.0f, keep);
  return alpha;
}

}  // namespace latentshop
