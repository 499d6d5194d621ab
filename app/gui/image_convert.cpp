#include "app/gui/image_convert.h"

#include <cstring>

#include "engine/core/error.h"

namespace latentshop::ui {

cv::Mat toRgbMat(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  cv::Mat out(rgb.height(), rgb.width(), CV_8UC3);
  for (int y = 0; y < rgb.height(); ++y)
    std::memcpy(out.ptr<uchar>(y), rgb.constScanLine(y), static_cast<size_t>(rgb.width()) * 3);
  return out;
}

cv::Mat toGrayMat(const QImage& image) {
  const QImage gray = image.format() == QImage::Format_Grayscale8 ? image : image.convertToFormat(QImage::Format_Grayscale8);
  cv::Mat out(gray.height(), gray.width(), CV_8UC1);
  for (int y = 0; y < gray.height(); ++y)
    std::memcpy(out.ptr<uchar>(y), gray.constScanLine(y), static_cast<size_t>(gray.width()));
  return out;
}

QImage toQImage(const cv::Mat& mat) {
  if (mat.empty()) return QImage();
  if (mat.depth() != CV_8U) throw Error("image conversion: only 8-bit images can be shown");
  QImage out;
  switch (mat.channels()) {
    case 1:
      out = QImage(mat.cols, mat.rows, QImage::Format_Grayscale8);
      for (int y = 0; y < mat.rows; ++y) std::memcpy(out.scanLine(y), mat.ptr<uchar>(y), static_cast<size_t>(mat.cols));
      break;
    case 3:
      out = QImage(mat.cols, mat.rows, QImage::Format_RGB888);
      for (int y = 0; y < mat.rows; ++y)
        std::memcpy(out.scanLine(y), mat.ptr<uchar>(y), static_cast<size_t>(mat.cols) * 3);
      break;
    case 4: {
      // RGBA8888 has the same byte order as cv::Mat RGBA; ARGB32 is what layers use.
      QImage rgba(mat.cols, mat.rows, QImage::Format_RGBA8888);
      for (int y = 0; y < mat.rows; ++y)
        std::memcpy(rgba.scanLine(y), mat.ptr<uchar>(y), static_cast<size_t>(mat.cols) * 4);
      out = rgba.convertToFormat(QImage::Format_ARGB32);
      break;
    }
    default: throw Error("image conversion: " + std::to_string(mat.channels()) + " channels are not supported");
  }
  return out;
}

}  // namespace latentshop::ui
