// OpenCV contrib's single-image inpainting (cv::xphoto::inpaint) as classical methods, offered to
// compare against our PatchMatch completion (issue 18): Shift-map (He & Sun, "Statistics of Patch
// Offsets for Image Completion", ECCV 2012: the dominant patch offsets of the image, stitched by
// graph cuts) and Frequency Selective Reconstruction (Genser, Seiler, Kaup, PCS 2018; FSR_FAST).
// Mirrors opencv_contrib modules/xphoto/src/inpainting.cpp, which this calls.
#pragma once
#include <opencv2/core.hpp>

namespace latentshop {

enum class XphotoAlgorithm { ShiftMap, Fsr };

// Fills the non-zero pixels of `hole` (CV_8UC1) in `image` (CV_8UC1/3/4; a 4th channel is filled
// with Telea) and returns the whole filled image. Shift-map works in CIELab as OpenCV recommends.
// Throws Error when this build's OpenCV has no xphoto module.
cv::Mat xphotoInpaint(const cv::Mat& image, const cv::Mat& hole, XphotoAlgorithm algorithm);

// The crop around `holeBox` that the fill reads: the hole's box grown by its own size (both
// methods copy or extrapolate from the neighbourhood), clipped to the image.
cv::Rect xphotoWorkRect(const cv::Rect& holeBox, const cv::Size& imageSize);

// True when OpenCV's xphoto module was found at build time.
bool haveXphoto();

}  // namespace latentshop
