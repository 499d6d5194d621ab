// Measuring hole fills on photos no test was tuned on (issue 18): holes of several shapes and sizes
// cut into a photo, filled by each method, scored against the original. The scores:
//   PSNR and SSIM inside the hole (SSIM: Wang et al. 2004, 7x7 Gaussian window, on grey);
//   detail ratio = mean squared Laplacian inside the filled hole (eroded 2 px) / the same in a
//     16-px ring around it: ~1 is as sharp as the surroundings, a smear (Telea) is far below 1;
//   seam score = mean gradient magnitude on the 2-px band across the hole's edge / the image's:
//     ~1 is no visible seam, well above 1 is an edge where the fill meets the photo.
// Used by `latentshop-cli inpaint-eval` and tests/bench/bench_inpaint_methods.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "engine/pipelines/classical_inpaint.h"

namespace latentshop {

enum class HoleShape { Square, Blob, Stroke };
const char* toString(HoleShape shape);

// A CV_8UC1 hole (255 inside) covering about `areaFraction` of `size`, placed at random (seeded)
// away from the borders: a square, a smooth random blob, or a thick brush stroke.
cv::Mat makeHole(cv::Size size, HoleShape shape, double areaFraction, std::uint64_t seed);

struct FillScores {
  double psnr = 0;    // dB, inside the hole
  double ssim = 0;    // inside the hole
  double detail = 0;  // detail ratio
  double seam = 0;    // seam score
  double seconds = 0;
};

// Scores `filled` against `truth` for the hole `hole` (RGB images of the same size).
FillScores scoreFill(const cv::Mat& truth, const cv::Mat& filled, const cv::Mat& hole);

struct EvaluationCase {
  std::string photo;   // file name
  HoleShape shape = HoleShape::Square;
  double area = 0.2;
  std::string method;  // "patchmatch", "telea", "ns"
  FillScores scores;
};

// Fills `hole` in `rgb` with `method` (no grow, no feather: the hole exactly) and scores it.
FillScores evaluateFill(const cv::Mat& rgb, const cv::Mat& hole, ClassicalInpaintMethod method, std::uint64_t seed,
                        cv::Mat* filledOut = nullptr);

}  // namespace latentshop
