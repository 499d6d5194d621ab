// Where an SD edit runs and at what size, and how its result goes back into the photo. OpenCV only
// (torch-free, no Qt).
//
//  - Whole image: the image is resized to fit the model's pixel budget (resolution², e.g. 512² for
//    SD 1.5) with both sides multiples of the VAE factor (8), or kept at its own size (floored to
//    the multiple) when it is that small already; the result is resized back.
//  - Crop to mask (inpainting): the mask's bounding box plus `padding`, grown to the aspect of the
//    size it is processed at exactly as diffusers' VaeImageProcessor.get_crop_region does
//    (`padding_mask_crop`), is processed at the model's resolution on its long side (512 for SD
//    1.5), then resized back and pasted with a feathered alpha. Every pixel outside the padded box
//    keeps its value bit for bit, whatever the photo's size.
// Reference: diffusers/src/diffusers/image_processor.py (get_crop_region, resize, apply_overlay)
// and pipelines/stable_diffusion/pipeline_stable_diffusion_inpaint.py (padding_mask_crop), 0.26.3.
#pragma once
#include <string>

#include <opencv2/core.hpp>

namespace latentshop {

struct SdEditGeometry {
  cv::Rect region;     // the part of the image the model sees (the whole image, or the crop box)
  cv::Rect paddedBox;  // crop to mask: mask bounding box + padding; else the whole image. Nothing
                       // outside it changes.
  cv::Size workSize;   // the size the pipeline runs at (multiples of the VAE factor)
  // The size it would run at before both sides were rounded to `multiple` (the VAE factor): the
  // models take any size, but the pipelines keep diffusers' rounding to the VAE's multiple.
  cv::Size unroundedSize;
  int multiple = 1;
  bool crop = false;
  bool resized() const { return workSize != region.size(); }
  bool rounded() const { return unroundedSize != workSize; }
  // "1000x750 image processed at 584x440, result resized back" /
  // "crop 256x256 at (40,60) processed at 512x512, pasted back"; a rounding to the multiple is
  // named ("601x441 image processed at 600x440 (rounded to multiples of 8), result resized back").
  std::string describe() const;
};

// The model's working size for a region of `size`: its own size floored to `multiple` when its area
// is at most resolution², else scaled down (aspect kept) to that area and floored. At least
// `multiple` on each side.
cv::Size workingSize(cv::Size size, int resolution, int multiple);
SdEditGeometry wholeImageGeometry(cv::Size image, int resolution, int multiple);

// diffusers' get_crop_region(mask, width, height, pad): the box (x1, y1, x2, y2) as a cv::Rect.
// Mask pixels != 0 count. An empty mask gives the whole image as diffusers would.
cv::Rect diffusersCropRegion(const cv::Mat& mask, int width, int height, int pad);

// Crop to mask: bounding box of the mask (pixels >= 128, what the model repaints, and any softer
// brush edge: every pixel != 0), + padding, processed at `resolution` on the long side; the aspect
// is limited to 4:1 so the short side keeps at least resolution / 4. Throws Error for an empty mask.
SdEditGeometry cropToMaskGeometry(const cv::Mat& mask, int padding, int resolution, int multiple);

// The region of `image` (RGB CV_8UC3) at the working size (area averaging down, Lanczos up).
cv::Mat regionToWork(const cv::Mat& image, const SdEditGeometry& g);
// The mask the model repaints at the working size: 0/255, covering every working pixel that holds
// any pixel >= 128 of the full-resolution mask (so nothing the alpha pastes is left unpainted).
cv::Mat maskToWork(const cv::Mat& mask, const SdEditGeometry& g);
// A working-size result back at the region's size (Lanczos up, area averaging down).
cv::Mat workToRegion(const cv::Mat& result, const SdEditGeometry& g);
// The paste alpha over g.region (CV_32FC1 in [0,1]): the soft mask itself, at least the hard mask
// (>= 128) feathered outward by `featherPx` (smoothstep), and 0 outside g.paddedBox.
cv::Mat pasteAlpha(const cv::Mat& mask, const SdEditGeometry& g, int featherPx);

}  // namespace latentshop
