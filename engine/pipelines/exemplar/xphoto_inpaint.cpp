// cv::xphoto::inpaint (Shift-map, FSR) behind the classical inpaint methods.
#include "engine/pipelines/exemplar/xphoto_inpaint.h"

#include <algorithm>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>
#ifdef LATENTSHOP_HAVE_XPHOTO
#include <opencv2/xphoto/inpainting.hpp>
#endif

#include "engine/core/error.h"

namespace latentshop {

bool haveXphoto() {
#ifdef LATENTSHOP_HAVE_XPHOTO
  return true;
#else
  return false;
#endif
}

cv::Rect xphotoWorkRect(const cv::Rect& holeBox, const cv::Size& imageSize) {
  const int pad = std::max({32, holeBox.width, holeBox.height});
  const cv::Rect grown(holeBox.x - pad, holeBox.y - pad, holeBox.width + 2 * pad, holeBox.height + 2 * pad);
  return grown & cv::Rect(0, 0, imageSize.width, imageSize.height);
}

cv::Mat xphotoInpaint(const cv::Mat& image, const cv::Mat& hole, XphotoAlgorithm algorithm) {
#ifdef LATENTSHOP_HAVE_XPHOTO
  cv::Mat valid;
  cv::compare(hole, 0, valid, cv::CMP_EQ);  // xphoto's mask: non-zero = known pixel
  auto fill = [&](const cv::Mat& src) {
    cv::Mat out;
    if (algorithm == XphotoAlgorithm::ShiftMap && src.channels() == 3) {
      cv::Mat lab, labOut;
      cv::cvtColor(src, lab, cv::COLOR_RGB2Lab);
      cv::xphoto::inpaint(lab, valid, labOut, cv::xphoto::INPAINT_SHIFTMAP);
      cv::cvtColor(labOut, out, cv::COLOR_Lab2RGB);
    } else {
      cv::xphoto::inpaint(src, valid, out,
                          algorithm == XphotoAlgorithm::ShiftMap ? cv::xphoto::INPAINT_SHIFTMAP : cv::xphoto::INPAINT_FSR_FAST);
    }
    // Known pixels stay exactly as they were (the composite relies on it).
    src.copyTo(out, valid);
    return out;
  };
  if (image.channels() != 4) return fill(image);
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  cv::Mat rgb, alpha;
  cv::merge(std::vector<cv::Mat>{planes[0], planes[1], planes[2]}, rgb);
  cv::inpaint(planes[3], hole, alpha, 5.0, cv::INPAINT_TELEA);
  std::vector<cv::Mat> out;
  cv::split(fill(rgb), out);
  out.push_back(alpha);
  cv::Mat merged;
  cv::merge(out, merged);
  return merged;
#else
  (void)image;
  (void)hole;
  (void)algorithm;
  throw Error("this build's OpenCV has no xphoto module (libopencv-contrib-dev), so Shift-map and FSR are unavailable");
#endif
}

}  // namespace latentshop
