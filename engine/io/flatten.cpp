#include "engine/io/flatten.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/core/error.h"

namespace latentshop {

namespace {

// acc holds premultiplied RGBA in 0..1 for `cols` pixels; composites `cols` straight RGBA8 pixels
// from `src` over it with `opacity`: a = αs·opacity; acc = src·a + acc·(1 − a).
void compositeRow(float* acc, const std::uint8_t* src, int cols, float opacity) {
  constexpr float k = 1.0f / 255.0f;
  for (int i = 0; i < cols; ++i, acc += 4, src += 4) {
    const std::uint8_t alpha = src[3];
    if (alpha == 0) continue;
    const float a = static_cast<float>(alpha) * k * opacity;
    const float keep = 1.0f - a;
    acc[0] = static_cast<float>(src[0]) * k * a + acc[0] * keep;
    acc[1] = static_cast<float>(src[1]) * k * a + acc[1] * keep;
    acc[2] = static_cast<float>(src[2]) * k * a + acc[2] * keep;
    acc[3] = a + acc[3] * keep;
  }
}

std::uint8_t toByte(float v) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

// Premultiplied float → straight RGBA8.
void unpremultiplyRow(const float* acc, std::uint8_t* out, int cols) {
  for (int i = 0; i < cols; ++i, acc += 4, out += 4) {
    const float a = acc[3];
    const std::uint8_t alpha = toByte(a);
    if (alpha == 0) {  // fully transparent: canonical zero colour
      out[0] = out[1] = out[2] = out[3] = 0;
      continue;
    }
    const float inv = 1.0f / a;
    out[0] = toByte(acc[0] * inv);
    out[1] = toByte(acc[1] * inv);
    out[2] = toByte(acc[2] * inv);
    out[3] = alpha;
  }
}

}  // namespace

BandFlattener::BandFlattener(const Project& project, const FlattenOptions& options)
    : project_(project), bandRows_(std::max(1, options.bandRows)) {
  validateProject(project, "flatten");
  const cv::Vec4b& bg = options.background;
  const float a = bg[3] / 255.0f;  // premultiplied background
  background_[0] = bg[0] / 255.0f * a;
  background_[1] = bg[1] / 255.0f * a;
  background_[2] = bg[2] / 255.0f * a;
  background_[3] = a;
  acc_.resize(static_cast<size_t>(project.width) * static_cast<size_t>(bandRows_) * 4);
  band_.create(bandRows_, project.width, CV_8UC4);
}

cv::Mat BandFlattener::rows(int y0, int count) {
  const int width = project_.width;
  if (y0 < 0 || count < 1 || count > bandRows_ || y0 + count > project_.height)
    throw Error("flatten: rows " + std::to_string(y0) + "+" + std::to_string(count) + " outside the canvas");
  const size_t pixels = static_cast<size_t>(width) * static_cast<size_t>(count);
  for (size_t i = 0; i < pixels; ++i) std::copy(background_, background_ + 4, acc_.begin() + static_cast<std::ptrdiff_t>(i * 4));
  const cv::Rect bandRect(0, y0, width, count);
  for (const ProjectLayer& layer : project_.layers) {
    if (!layer.visible || layer.opacity <= 0.0 || layer.rgba.empty()) continue;
    const cv::Rect area = layer.bounds() & bandRect;
    if (area.empty()) continue;
    const float opacity = static_cast<float>(layer.opacity);
    for (int y = area.y; y < area.y + area.height; ++y) {
      const std::uint8_t* src = layer.rgba.ptr<std::uint8_t>(y - layer.y) + 4 * (area.x - layer.x);
      float* dst = acc_.data() + (static_cast<size_t>(y - y0) * static_cast<size_t>(width) +
                                  static_cast<size_t>(area.x)) * 4;
      compositeRow(dst, src, area.width, opacity);
    }
  }
  cv::Mat out = band_.rowRange(0, count);
  for (int r = 0; r < count; ++r)
    unpremultiplyRow(acc_.data() + static_cast<size_t>(r) * static_cast<size_t>(width) * 4,
                     out.ptr<std::uint8_t>(r), width);
  return out;
}

void flattenBands(const Project& project, const std::function<void(int y0, const cv::Mat& band)>& sink,
                  const FlattenOptions& options) {
  BandFlattener flattener(project, options);
  for (int y0 = 0; y0 < project.height; y0 += flattener.bandRows())
    sink(y0, flattener.rows(y0, std::min(flattener.bandRows(), project.height - y0)));
}

cv::Mat flatten(const Project& project, const FlattenOptions& options) {
  validateProject(project, "flatten");  // before allocating the output
  cv::Mat out(project.height, project.width, CV_8UC4);
  flattenBands(
      project, [&](int y0, const cv::Mat& band) { band.copyTo(out.rowRange(y0, y0 + band.rows)); },
      options);
  return out;
}

}  // namespace latentshop
