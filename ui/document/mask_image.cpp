#include "ui/document/mask_image.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <opencv2/core.hpp>

#include "engine/pipelines/mask_ops.h"

namespace latentshop::ui {

namespace {

// A cv::Mat header over the QImage's pixels (no copy). The image must outlive the Mat.
cv::Mat wrap(const QImage& gray) {
  return cv::Mat(gray.height(), gray.width(), CV_8UC1, const_cast<uchar*>(gray.constBits()),
                 static_cast<size_t>(gray.bytesPerLine()));
}

QImage toQImage(const cv::Mat& m) {
  QImage out(m.cols, m.rows, QImage::Format_Grayscale8);
  for (int y = 0; y < m.rows; ++y) std::memcpy(out.scanLine(y), m.ptr<uchar>(y), static_cast<size_t>(m.cols));
  return out;
}

}  // namespace

QImage emptyMask(const QSize& size) {
  QImage m(size, QImage::Format_Grayscale8);
  m.fill(0);
  return m;
}

bool anyNonZero(const QImage& mask) {
  if (mask.isNull()) return false;
  const size_t width = static_cast<size_t>(mask.width());
  for (int y = 0; y < mask.height(); ++y) {
    const uchar* row = mask.constScanLine(y);
    size_t x = 0;
    for (; x + 8 <= width; x += 8) {
      std::uint64_t word;
      std::memcpy(&word, row + x, 8);
      if (word) return true;
    }
    for (; x < width; ++x)
      if (row[x]) return true;
  }
  return false;
}

QRect nonZeroBounds(const QImage& mask) {
  if (mask.isNull()) return QRect();
  int x0 = mask.width(), y0 = mask.height(), x1 = -1, y1 = -1;
  for (int y = 0; y < mask.height(); ++y) {
    const uchar* row = mask.constScanLine(y);
    int first = -1, last = -1;
    for (int x = 0; x < mask.width(); ++x) {
      if (row[x]) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    x0 = std::min(x0, first);
    x1 = std::max(x1, last);
    y0 = std::min(y0, y);
    y1 = y;
  }
  if (x1 < 0) return QRect();
  return QRect(QPoint(x0, y0), QPoint(x1, y1));
}

QRect differenceBounds(const QImage& a, const QImage& b, const QRect& within) {
  const QRect area = (within.isEmpty() ? a.rect() : within) & a.rect() & b.rect();
  int x0 = a.width(), y0 = a.height(), x1 = -1, y1 = -1;
  for (int y = area.top(); y <= area.bottom(); ++y) {
    const uchar* ra = a.constScanLine(y);
    const uchar* rb = b.constScanLine(y);
    if (std::memcmp(ra + area.left(), rb + area.left(), static_cast<size_t>(area.width())) == 0) continue;
    for (int x = area.left(); x <= area.right(); ++x) {
      if (ra[x] != rb[x]) {
        x0 = std::min(x0, x);
        x1 = std::max(x1, x);
      }
    }
    y0 = std::min(y0, y);
    y1 = y;
  }
  if (x1 < 0) return QRect();
  return QRect(QPoint(x0, y0), QPoint(x1, y1));
}

QImage grownMask(const QImage& mask, int px) { return toQImage(growShrinkMask(wrap(mask), px)); }

QImage invertedMask(const QImage& mask) {
  QImage out = mask.copy();
  out.invertPixels();
  return out;
}

}  // namespace latentshop::ui
