// Hole-fill evaluation (see inpaint_evaluation.h).
#include "engine/pipelines/exemplar/inpaint_evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"

namespace latentshop {

namespace {

cv::Mat greyF(const cv::Mat& rgb) {
  cv::Mat g, f;
  cv::cvtColor(rgb, g, cv::COLOR_RGB2GRAY);
  g.convertTo(f, CV_32F);
  return f;
}

double psnrIn(const cv::Mat& a, const cv::Mat& b, const cv::Mat& hole) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  d.convertTo(d, CV_32F);
  d = d.mul(d);
  const cv::Scalar s = cv::mean(d, hole);
  const double mse = (s[0] + s[1] + s[2]) / 3.0;
  return 10.0 * std::log10(255.0 * 255.0 / std::max(mse, 1e-9));
}

// Mean SSIM over the hole (grey, 7x7 Gaussian window, sigma 1.5, the usual constants).
double ssimIn(const cv::Mat& a, const cv::Mat& b, const cv::Mat& hole) {
  const cv::Mat x = greyF(a), y = greyF(b);
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  auto blur = [](const cv::Mat& m) {
    cv::Mat o;
    cv::GaussianBlur(m, o, cv::Size(7, 7), 1.5);
    return o;
  };
  const cv::Mat mx = blur(x), my = blur(y);
  const cv::Mat sxx = blur(x.mul(x)) - mx.mul(mx), syy = blur(y.mul(y)) - my.mul(my), sxy = blur(x.mul(y)) - mx.mul(my);
  cv::Mat num = (2 * mx.mul(my) + c1).mul(2 * sxy + c2);
  cv::Mat den = (mx.mul(mx) + my.mul(my) + c1).mul(sxx + syy + c2);
  cv::Mat map;
  cv::divide(num, den, map);
  return cv::mean(map, hole)[0];
}

double detailRatio(const cv::Mat& rgb, const cv::Mat& hole) {
  cv::Mat lap, inner, outer;
  cv::Laplacian(greyF(rgb), lap, CV_32F, 1);
  lap = lap.mul(lap);
  cv::erode(hole, inner, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  if (cv::countNonZero(inner) == 0) inner = hole;
  cv::dilate(hole, outer, cv::getStructuringElement(cv::MORPH_ELLIPSE, {33, 33}));
  const cv::Mat ring = outer & ~hole;
  return cv::mean(lap, inner)[0] / std::max(1e-9, cv::mean(lap, ring)[0]);
}

double seamScore(const cv::Mat& rgb, const cv::Mat& hole) {
  const cv::Mat g = greyF(rgb);
  cv::Mat gx, gy, mag, grown, shrunk;
  cv::Sobel(g, gx, CV_32F, 1, 0);
  cv::Sobel(g, gy, CV_32F, 0, 1);
  cv::magnitude(gx, gy, mag);
  cv::dilate(hole, grown, cv::Mat());
  cv::erode(hole, shrunk, cv::Mat());
  const cv::Mat band = grown & ~shrunk;
  return cv::mean(mag, band)[0] / std::max(1e-9, cv::mean(mag)[0]);
}

}  // namespace

const char* toString(HoleShape shape) {
  switch (shape) {
    case HoleShape::Square: return "square";
    case HoleShape::Blob: return "blob";
    case HoleShape::Stroke: return "stroke";
  }
  return "square";
}

cv::Mat makeHole(cv::Size size, HoleShape shape, double areaFraction, std::uint64_t seed) {
  if (size.width < 32 || size.height < 32) throw Error("hole: the image must be at least 32x32");
  if (!(areaFraction > 0.0 && areaFraction < 0.6)) throw Error("hole: area fraction must be in (0, 0.6)");
  std::mt19937_64 rng(seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  const double area = areaFraction * size.area();
  cv::Mat hole(size, CV_8UC1, cv::Scalar(0));
  const cv::Point2d centre(uniform(0.35, 0.65) * size.width, uniform(0.35, 0.65) * size.height);
  if (shape == HoleShape::Square) {
    const int side = std::min({int(std::sqrt(area)), size.width - 16, size.height - 16});
    const int x = std::clamp(int(centre.x) - side / 2, 8, size.width - side - 8);
    const int y = std::clamp(int(centre.y) - side / 2, 8, size.height - side - 8);
    hole(cv::Rect(x, y, side, side)).setTo(255);
  } else if (shape == HoleShape::Blob) {
    // A star-shaped blob: radius modulated by a few random harmonics, scaled to the area.
    std::vector<double> amp(4), phase(4);
    for (int k = 0; k < 4; ++k) amp[k] = uniform(0.0, 0.18), phase[k] = uniform(0.0, 2 * CV_PI);
    std::vector<cv::Point> poly;
    double sum = 0;
    std::vector<double> radius(180);
    for (int i = 0; i < 180; ++i) {
      const double t = 2 * CV_PI * i / 180;
      double r = 1.0;
      for (int k = 0; k < 4; ++k) r += amp[k] * std::sin((k + 2) * t + phase[k]);
      radius[i] = r;
      sum += r * r;
    }
    const double scale = std::sqrt(area / (CV_PI * sum / 180));
    for (int i = 0; i < 180; ++i) {
      const double t = 2 * CV_PI * i / 180;
      poly.emplace_back(int(std::clamp(centre.x + scale * radius[i] * std::cos(t), 8.0, size.width - 9.0)),
                        int(std::clamp(centre.y + scale * radius[i] * std::sin(t), 8.0, size.height - 9.0)));
    }
    cv::fillPoly(hole, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255));
  } else {
    // A brush stroke: a wavy line across the image, as thick as the area needs.
    const double length = 0.8 * size.width;
    const int thickness = std::max(3, int(area / length));
    std::vector<cv::Point> pts;
    const double wave = uniform(0.02, 0.08) * size.height, phase = uniform(0.0, 2 * CV_PI);
    for (int i = 0; i <= 40; ++i) {
      const double x = 0.1 * size.width + length * i / 40.0;
      pts.emplace_back(int(x), int(centre.y + wave * std::sin(phase + 6.0 * i / 40.0)));
    }
    cv::polylines(hole, pts, false, cv::Scalar(255), thickness);
  }
  return hole;
}

FillScores scoreFill(const cv::Mat& truth, const cv::Mat& filled, const cv::Mat& hole) {
  FillScores s;
  s.psnr = psnrIn(truth, filled, hole);
  s.ssim = ssimIn(truth, filled, hole);
  s.detail = detailRatio(filled, hole);
  s.seam = seamScore(filled, hole);
  return s;
}

FillScores evaluateFill(const cv::Mat& rgb, const cv::Mat& hole, ClassicalInpaintMethod method, std::uint64_t seed,
                        cv::Mat* filledOut) {
  ClassicalInpaintRequest r;
  r.image = rgb.clone();
  r.image.setTo(cv::Scalar(255, 0, 255), hole);  // what was there must not leak into the fill
  r.mask = hole;
  r.method = method;
  r.growPx = 0;
  r.featherPx = 0;
  r.seed = seed;
  const auto start = std::chrono::steady_clock::now();
  const ClassicalInpaintOutput out = runClassicalInpaint(r);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  FillScores s = scoreFill(rgb, out.composite, hole);
  s.seconds = seconds;
  if (filledOut) *filledOut = out.composite;
  return s;
}

}  // namespace latentshop
