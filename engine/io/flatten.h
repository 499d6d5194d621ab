// Compositing a Project's visible layers into one RGBA image: normal blend (Porter-Duff source-over)
// of straight-alpha layers with their opacity, as the W3C Compositing and Blending Level 1 spec
// defines it for `svg:src-over` (the OpenRaster/PSD "normal" mode). Shared by ORA's mergedimage.png,
// PSD's composite image and flattened PNG/JPEG/WebP exports.
//
// Memory: the canvas is processed in bands of rows; only one band is held in float (width × rows ×
// 16 bytes), so an 8000×6000 project flattens with ~8 MB of working memory beyond its output.
// Layers whose composite-op is not svg:src-over are composited as normal (Latentshop edits only
// normal layers; other modes survive an ORA round trip but are not rendered differently).
#pragma once
#include <functional>
#include <vector>

#include <opencv2/core.hpp>

#include "engine/io/project.h"

namespace latentshop {

struct FlattenOptions {
  int bandRows = 64;                     // rows composited at a time (≥ 1)
  cv::Vec4b background{0, 0, 0, 0};      // RGBA straight; transparent by default (opaque white for JPEG)
};

// Pull-style compositing of row bands, for encoders that ask for rows (encodePngRows).
class BandFlattener {
public:
  // Validates the project (Error on faults). `project` must outlive the flattener.
  explicit BandFlattener(const Project& project, const FlattenOptions& options = {});
  // Canvas rows [y0, y0 + count) as CV_8UC4 RGBA straight alpha, count ≤ options.bandRows.
  // The returned Mat's buffer is reused by the next call.
  cv::Mat rows(int y0, int count);
  int bandRows() const { return bandRows_; }

private:
  const Project& project_;
  int bandRows_;
  float background_[4];
  std::vector<float> acc_;
  cv::Mat band_;
};

// Calls sink(y0, band) for consecutive bands covering the canvas top to bottom; band is CV_8UC4
// RGBA straight alpha, canvas width × (≤ bandRows) rows, starting at canvas row y0. The band's
// buffer is reused for the next call: copy what you keep.
void flattenBands(const Project& project, const std::function<void(int y0, const cv::Mat& band)>& sink,
                  const FlattenOptions& options = {});

// The whole canvas as one CV_8UC4 RGBA image (straight alpha).
cv::Mat flatten(const Project& project, const FlattenOptions& options = {});

}  // namespace latentshop
