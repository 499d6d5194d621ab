// Mask operations shared by every editing pipeline: binarise, grow/shrink, feather, bounding box,
// and alpha compositing of an edited patch over the original. OpenCV only (no torch, no Qt), so the
// UI (mask grow/shrink commands), the classical inpainting job, the diffusion pipelines (soft masks,
// crop-to-mask) and the CLI all use the same code.
//
// Conventions: a mask is CV_8UC1 at image size, 255 = "edit here", 0 = "keep"; intermediate values
// are a soft (partial) selection. An alpha is CV_32FC1 in [0, 1] with the same meaning. Distances are
// Euclidean and in image pixels. Growing by r marks every pixel whose centre lies within r of a
// selected pixel's centre (a disc, not a square), like GIMP's "Grow selection".
#pragma once
#include <opencv2/core.hpp>

namespace latentshop {

// 255 where mask > threshold, else 0. Accepts CV_8UC1 (or CV_32FC1 in [0,1], scaled by 255 first).
cv::Mat binarizeMask(const cv::Mat& mask, int threshold = 127);

// Grows (px > 0) or shrinks (px < 0) a binary mask by |px| pixels with a disc-shaped structuring
// element; px == 0 returns a copy. Works on the binarised mask; the output is 0/255.
cv::Mat growShrinkMask(const cv::Mat& mask, int px);

// 255 - mask.
cv::Mat invertMask(const cv::Mat& mask);

// A soft alpha that is exactly 1 on the binary mask and falls smoothly (smoothstep of the distance)
// to exactly 0 at `px` pixels outside it; 0 further out. px <= 0 gives the hard mask as 0/1.
// Pixels farther than px from the mask are guaranteed alpha == 0.0f (bit-identical compositing).
cv::Mat featherOutward(const cv::Mat& mask, int px);

// The support of featherOutward(mask, px): the binary mask grown by px (0/255).
cv::Mat featherSupport(const cv::Mat& mask, int px);

// A soft mask (CV_8UC1, any values) as alpha in [0,1] (CV_32FC1), for pipelines that blend softly.
cv::Mat maskToAlpha(const cv::Mat& mask);
// Alpha in [0,1] back to CV_8UC1 with rounding.
cv::Mat alphaToMask(const cv::Mat& alpha);

// Bounding box of the non-zero pixels; empty rect when the mask is empty.
cv::Rect maskBoundingBox(const cv::Mat& mask);
// `rect` grown by `padding` on every side and clipped to `bounds`.
cv::Rect padRect(const cv::Rect& rect, int padding, const cv::Size& bounds);
// Number of non-zero pixels.
int maskArea(const cv::Mat& mask);

// result = original * (1 - a) + edited * a, per pixel, rounded; a is CV_8UC1 (0..255, exact integer
// arithmetic: where a == 0 the result is the original bit for bit, where a == 255 it is `edited`)
// or CV_32FC1 in [0,1] (where a == 0.0f the original is copied). `edited` and `alpha` cover
// `placement` inside `original` (an empty placement means the whole image). original and edited
// have the same type (CV_8UC1/3/4). Returns a new image the size of `original`.
cv::Mat compositeOver(const cv::Mat& original, const cv::Mat& edited, const cv::Mat& alpha,
                      cv::Rect placement = cv::Rect());

}  // namespace latentshop
