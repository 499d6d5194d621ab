#include "engine/training/loss_curve.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/io/image_io.h"
#include "engine/io/project_atomic_file.h"

namespace latentshop::training {

std::vector<LossRow> readLossLog(const std::string& path, std::int64_t upToStep) {
  std::vector<LossRow> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    LossRow r;
    if (std::sscanf(line.c_str(), "%ld,%lf,%lf,%lf", &r.step, &r.loss, &r.lr, &r.seconds) != 4) continue;  // header
    if (upToStep >= 0 && r.step > upToStep) continue;
    rows.push_back(r);
  }
  return rows;
}

void writeLossLog(const std::string& path, const std::vector<LossRow>& rows) {
  std::string text = "step,loss,lr,seconds\n";
  char buf[128];
  for (const auto& r : rows) {
    std::snprintf(buf, sizeof buf, "%ld,%.6g,%.6g,%.3f\n", r.step, r.loss, r.lr, r.seconds);
    text += buf;
  }
  writeTextFileAtomically(path, text);
}

void writeLossCurvePng(const std::string& path, const std::vector<LossRow>& rows, const std::string& title, int width,
                       int height) {
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const int left = 70, right = 20, top = 40, bottom = 45;
  const cv::Rect plot(left, top, width - left - right, height - top - bottom);
  cv::rectangle(img, plot, cv::Scalar(90, 90, 90), 1);
  cv::putText(img, title, {left, 26}, cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
  if (!rows.empty()) {
    double lo = 1e300, hi = -1e300;
    for (const auto& r : rows)
      if (r.loss > 0) lo = std::min(lo, r.loss), hi = std::max(hi, r.loss);
    if (!(lo < hi)) hi = lo * 10 + 1e-12, lo = lo / 10 + 1e-13;
    const double l0 = std::log10(lo), l1 = std::log10(hi);
    const double s0 = static_cast<double>(rows.front().step), s1 = std::max(s0 + 1, static_cast<double>(rows.back().step));
    auto at = [&](double step, double loss) {
      const double x = plot.x + (step - s0) / (s1 - s0) * plot.width;
      const double y = plot.y + plot.height - (std::log10(std::max(loss, lo)) - l0) / (l1 - l0) * plot.height;
      return cv::Point(cvRound(x), cvRound(y));
    };
    for (double d = std::floor(l0); d <= std::ceil(l1); d += 1.0) {
      for (int m = 1; m < 10; ++m) {
        const double v = std::pow(10.0, d) * m;
        if (v < lo || v > hi) continue;
        const cv::Point p = at(s0, v);
        cv::line(img, {plot.x, p.y}, {plot.x + plot.width, p.y}, cv::Scalar(235, 235, 235), 1);
        if (m == 1 || m == 2 || m == 5) {
          char label[32];
          std::snprintf(label, sizeof label, "%.3g", v);
          cv::putText(img, label, {6, p.y + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
        }
      }
    }
    std::vector<cv::Point> raw, avg;
    double window = 0.0;
    const std::size_t n = 50;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      raw.push_back(at(static_cast<double>(rows[i].step), rows[i].loss));
      window += rows[i].loss;
      if (i >= n) window -= rows[i - n].loss;
      avg.push_back(at(static_cast<double>(rows[i].step), window / static_cast<double>(std::min(i + 1, n))));
    }
    cv::polylines(img, raw, false, cv::Scalar(200, 200, 200), 1, cv::LINE_AA);
    cv::polylines(img, avg, false, cv::Scalar(180, 90, 20), 2, cv::LINE_AA);
    char axis[96];
    std::snprintf(axis, sizeof axis, "step %ld .. %ld   (grey: loss, blue: mean of 50)", rows.front().step,
                  rows.back().step);
    cv::putText(img, axis, {left, height - 16}, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(40, 40, 40), 1, cv::LINE_AA);
  }
  writeBgrImage(path, img);
}

}  // namespace latentshop::training
