// Where a drag edit works and how its coordinates map, OpenCV only (no torch):
//  - the region: the whole image when it is at most 1.5× the model resolution, else a crop around
//    the points and the movable region (square, side on a √2 ladder from the model resolution,
//    position on a quarter-side grid, so nearby re-drags pick the same crop and reuse its LoRA);
//    it is scaled so its long side is the model resolution, sides multiples of 8;
//  - points: (x, y) document pixels → work-image pixels → DragDiffusion's supervision grid
//    [row, col] = round_half_even([y / H · supH, x / W · supW]) (run_drag), and back;
//  - paste-back alpha: 1 inside the movable region grown by a few pixels, feathered to exactly 0
//    (so pixels outside keep their original values bit for bit), and feathered to 0 at crop edges
//    that are inside the image.
#pragma once
#include <array>
#include <vector>

#include <opencv2/core.hpp>

#include "engine/io/project.h"

namespace latentshop {

struct DragRegion {
  cv::Rect crop;   // document pixels the edit works on
  cv::Size work;   // the crop's size at model resolution (multiples of `multiple`)
  cv::Size image;  // the document size

  bool wholeImage() const { return crop == cv::Rect(0, 0, image.width, image.height); }
  cv::Point2f toWork(cv::Point2f documentPoint) const;
  cv::Point2f toDocument(cv::Point2f workPoint) const;
};

// modelSize: the model's native resolution (UNet sample_size × VAE scale factor, 512 for SD 1.5).
DragRegion chooseDragRegion(cv::Size image, const cv::Mat& mask, const std::vector<DragPoint>& points, int modelSize,
                            int multiple = 8);

// The supervision grid of a work image: int(0.5 · size) (run_drag's sup_res).
cv::Size dragSupervisionSize(cv::Size work);

// run_drag's conversion of a work-image point (x, y) to [row, col] on the grid (float32 values,
// round half to even), clamped into the grid (the reference indexes past it for points on the
// last half pixel row/column).
std::array<float, 2> workPointToGrid(cv::Point2f workPoint, cv::Size work, cv::Size grid);
// Back: the work-image (x, y) of grid [row, col].
cv::Point2f gridToWorkPoint(float row, float col, cv::Size work, cv::Size grid);

// Alpha (CV_32FC1, crop size) for pasting the edited crop back: see the header comment. `cropMask`
// is the movable region inside the crop (empty or all zero: the whole crop).
cv::Mat dragPasteAlpha(const DragRegion& region, const cv::Mat& cropMask, int growPx, int featherPx);

}  // namespace latentshop
