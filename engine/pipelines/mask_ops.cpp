// Mask operations (see mask_ops.h). Exact Euclidean distances come from OpenCV's
// distanceTransform with DIST_MASK_PRECISE (Felzenszwalb & Huttenlocher), so grow/shrink/feather
// are true discs, independent of the image's orientation.
#include "engine/pipelines/mask_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"

namespace latentshop {

namespace {

void requireMask(const cv::Mat& mask, const char* what) {
  if (mask.empty()) throw Error(std::string(what) + ": the mask is empty");
  if (mask.type() != CV_8UC1 && mask.type() != CV_32FC1)
    throw Error(std::string(what) + ": a mask must be 8-bit single-channel (or float alpha)");
}

// Distance from every pixel to the nearest selected pixel of a 0/255 mask (0 on the mask).
// Returns an all-infinite map when nothing is selected.
cv::Mat distanceToMask(const cv::Mat& binary) {
  cv::Mat dist;
  if (cv::countNonZero(binary) == 0) {
    dist = cv::Mat(binary.size(), CV_32FC1, cv::Scalar(std::numeric_limits<float>::infinity()));
    return dist;
  }
  cv::Mat outside = binary == 0;  // non-zero where not selected; zeros are the seeds
  cv::distanceTransform(outside, dist, cv::DIST_L2, cv::DIST_MASK_PRECISE, CV_32F);
  return dist;
}

}  // namespace

cv::Mat binarizeMask(const cv::Mat& mask, int threshold) {
  requireMask(mask, "binarizeMask");
  cv::Mat m8;
  if (mask.type() == CV_32FC1) {
    mask.convertTo(m8, CV_8UC1, 255.0);
  } else {
    m8 = mask;
  }
  cv::Mat out;
  cv::threshold(m8, out, threshold, 255, cv::THRESH_BINARY);
  return out;
}

cv::Mat growShrinkMask(const cv::Mat& mask, int px) {
  cv::Mat binary = binarizeMask(mask);
  if (px == 0) return binary;
  if (px > 0) {
    cv::Mat dist = distanceToMask(binary);
    return dist <= static_cast<float>(px);
  }
  // Shrink: keep the selected pixels farther than |px| from every unselected pixel. Pixels outside
  // the image do not count as unselected (a mask touching the border is not eaten from the border).
  if (cv::countNonZero(binary) == static_cast<int>(binary.total())) return binary;
  cv::Mat inside;
  cv::distanceTransform(binary, inside, cv::DIST_L2, cv::DIST_MASK_PRECISE, CV_32F);
  return inside > static_cast<float>(-px);
}

cv::Mat invertMask(const cv::Mat& mask) {
  requireMask(mask, "invertMask");
  cv::Mat out;
  if (mask.type() == CV_32FC1) {
    cv::subtract(cv::Scalar(1.0), mask, out);
  } else {
    cv::bitwise_not(mask, out);
  }
  return out;
}

cv::Mat featherSupport(const cv::Mat& mask, int px) { return growShrinkMask(mask, std::max(px, 0)); }

cv::Mat featherOutward(const cv::Mat& mask, int px) {
  cv::Mat binary = binarizeMask(mask);
  cv::Mat alpha(binary.size(), CV_32FC1, cv::Scalar(0.0f));
  if (px <= 0) {
    alpha.setTo(1.0f, binary);
    return alpha;
  }
  cv::Mat dist = distanceToMask(binary);
  const float span = static_cast<float>(px + 1);
  for (int y = 0; y < dist.rows; ++y) {
    const float* d = dist.ptr<float>(y);
    float* a = alpha.ptr<float>(y);
    for (int x = 0; x < dist.cols; ++x) {
      if (d[x] <= 0.0f) {
        a[x] = 1.0f;
      } else if (d[x] <= static_cast<float>(px)) {
        const float s = 1.0f - d[x] / span;  // in (0, 1): 1 at the mask edge, ->0 at px+1
        a[x] = s * s * (3.0f - 2.0f * s);    // smoothstep: no visible kink at either end
      }
    }
  }
  return alpha;
}

cv::Mat maskToAlpha(const cv::Mat& mask) {
  requireMask(mask, "maskToAlpha");
  if (mask.type() == CV_32FC1) return mask.clone();
  cv::Mat alpha;
  mask.convertTo(alpha, CV_32FC1, 1.0 / 255.0);
  return alpha;
}

cv::Mat alphaToMask(const cv::Mat& alpha) {
  requireMask(alpha, "alphaToMask");
  if (alpha.type() == CV_8UC1) return alpha.clone();
  cv::Mat mask;
  alpha.convertTo(mask, CV_8UC1, 255.0);  // saturate_cast rounds to nearest
  return mask;
}

cv::Rect maskBoundingBox(const cv::Mat& mask) {
  requireMask(mask, "maskBoundingBox");
  cv::Mat m8 = mask.type() == CV_8UC1 ? mask : binarizeMask(mask, 0);
  cv::Mat cols, rows;
  cv::reduce(m8, cols, 0, cv::REDUCE_MAX);  // 1 x W
  cv::reduce(m8, rows, 1, cv::REDUCE_MAX);  // H x 1
  int x0 = -1, x1 = -1, y0 = -1, y1 = -1;
  for (int x = 0; x < cols.cols; ++x) {
    if (cols.at<uchar>(0, x)) {
      if (x0 < 0) x0 = x;
      x1 = x;
    }
  }
  for (int y = 0; y < rows.rows; ++y) {
    if (rows.at<uchar>(y, 0)) {
      if (y0 < 0) y0 = y;
      y1 = y;
    }
  }
  if (x0 < 0 || y0 < 0) return cv::Rect();
  return cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
}

cv::Rect padRect(const cv::Rect& rect, int padding, const cv::Size& bounds) {
  if (rect.empty()) return cv::Rect();
  cv::Rect grown(rect.x - padding, rect.y - padding, rect.width + 2 * padding,
                 rect.height + 2 * padding);
  return grown & cv::Rect(0, 0, bounds.width, bounds.height);
}

int maskArea(const cv::Mat& mask) {
  requireMask(mask, "maskArea");
  return cv::countNonZero(mask);
}

namespace {

template <int C>
void blendRows8(const cv::Mat& o, const cv::Mat& e, const cv::Mat& a, cv::Mat& out) {
  for (int y = 0; y < o.rows; ++y) {
    const uchar* op = o.ptr<uchar>(y);
    const uchar* ep = e.ptr<uchar>(y);
    const uchar* ap = a.ptr<uchar>(y);
    uchar* rp = out.ptr<uchar>(y);
    for (int x = 0; x < o.cols; ++x) {
      const int w = ap[x];
      for (int c = 0; c < C; ++c) {
        const int i = x * C + c;
        rp[i] = static_cast<uchar>((op[i] * (255 - w) + ep[i] * w + 127) / 255);
      }
    }
  }
}

template <int C>
void blendRowsF(const cv::Mat& o, const cv::Mat& e, const cv::Mat& a, cv::Mat& out) {
  for (int y = 0; y < o.rows; ++y) {
    const uchar* op = o.ptr<uchar>(y);
    const uchar* ep = e.ptr<uchar>(y);
    const float* ap = a.ptr<float>(y);
    uchar* rp = out.ptr<uchar>(y);
    for (int x = 0; x < o.cols; ++x) {
      const float w = ap[x];
      for (int c = 0; c < C; ++c) {
        const int i = x * C + c;
        if (w <= 0.0f) {
          rp[i] = op[i];
        } else if (w >= 1.0f) {
          rp[i] = ep[i];
        } else {
          rp[i] = cv::saturate_cast<uchar>(op[i] + (static_cast<float>(ep[i]) - op[i]) * w);
        }
      }
    }
  }
}

}  // namespace

cv::Mat compositeOver(const cv::Mat& original, const cv::Mat& edited, const cv::Mat& alpha,
                      cv::Rect placement) {
  if (original.empty()) throw Error("compositeOver: the original image is empty");
  if (placement.empty()) placement = cv::Rect(0, 0, original.cols, original.rows);
  if ((placement & cv::Rect(0, 0, original.cols, original.rows)) != placement)
    throw Error("compositeOver: the placement lies outside the image");
  if (original.depth() != CV_8U) throw Error("compositeOver: images must be 8-bit");
  if (edited.type() != original.type())
    throw Error("compositeOver: the edited image's type differs from the original's");
  if (edited.size() != placement.size() || alpha.size() != placement.size())
    throw Error("compositeOver: the edited image and alpha must match the placement's size");
  if (alpha.type() != CV_8UC1 && alpha.type() != CV_32FC1)
    throw Error("compositeOver: alpha must be CV_8UC1 or CV_32FC1");

  cv::Mat out = original.clone();
  cv::Mat o = original(placement);
  cv::Mat r = out(placement);
  const bool f = alpha.type() == CV_32FC1;
  switch (original.channels()) {
    case 1: f ? blendRowsF<1>(o, edited, alpha, r) : blendRows8<1>(o, edited, alpha, r); break;
    case 3: f ? blendRowsF<3>(o, edited, alpha, r) : blendRows8<3>(o, edited, alpha, r); break;
    case 4: f ? blendRowsF<4>(o, edited, alpha, r) : blendRows8<4>(o, edited, alpha, r); break;
    default: throw Error("compositeOver: images must have 1, 3 or 4 channels");
  }
  return out;
}

}  // namespace latentshop
