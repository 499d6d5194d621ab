// QImage <-> cv::Mat for the engine boundary. Always deep copies: the engine works on its own
// buffers on the worker thread while the UI keeps editing its images.
#pragma once
#include <QImage>

#include <opencv2/core.hpp>

namespace latentshop::ui {

// Any QImage -> CV_8UC3 RGB (alpha dropped; premultiplied input is un-premultiplied first).
cv::Mat toRgbMat(const QImage& image);
// Any QImage -> CV_8UC1 (Grayscale8 copied as is; others converted to grey).
cv::Mat toGrayMat(const QImage& image);
// CV_8UC1 -> Grayscale8, CV_8UC3 (RGB) -> RGB888, CV_8UC4 (RGBA, straight alpha) -> ARGB32.
// Throws latentshop::Error for other types.
QImage toQImage(const cv::Mat& mat);

}  // namespace latentshop::ui
