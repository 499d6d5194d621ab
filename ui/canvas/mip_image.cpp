#include "ui/canvas/mip_image.h"

#include <algorithm>
#include <cmath>

namespace latentshop::ui {

namespace {

// dst(x, y) = average of src's 2x2 block at (2x, 2y), over dstRect (clamped at odd edges).
void downsample32(const QImage& src, QImage& dst, const QRect& dstRect) {
  const int sw = src.width(), sh = src.height();
  for (int y = dstRect.top(); y <= dstRect.bottom(); ++y) {
    const int y0 = std::min(2 * y, sh - 1), y1 = std::min(2 * y + 1, sh - 1);
    const auto* r0 = reinterpret_cast<const QRgb*>(src.constScanLine(y0));
    const auto* r1 = reinterpret_cast<const QRgb*>(src.constScanLine(y1));
    auto* out = reinterpret_cast<QRgb*>(dst.scanLine(y));
    for (int x = dstRect.left(); x <= dstRect.right(); ++x) {
      const int x0 = std::min(2 * x, sw - 1), x1 = std::min(2 * x + 1, sw - 1);
      const QRgb a = r0[x0], b = r0[x1], c = r1[x0], d = r1[x1];
      // Per 8-bit channel, with rounding; premultiplied data averages correctly.
      const auto ch = [&](int shift) {
        return ((((a >> shift) & 0xff) + ((b >> shift) & 0xff) + ((c >> shift) & 0xff) + ((d >> shift) & 0xff) + 2) >> 2)
               << shift;
      };
      out[x] = ch(24) | ch(16) | ch(8) | ch(0);
    }
  }
}

void downsample8(const QImage& src, QImage& dst, const QRect& dstRect) {
  const int sw = src.width(), sh = src.height();
  for (int y = dstRect.top(); y <= dstRect.bottom(); ++y) {
    const int y0 = std::min(2 * y, sh - 1), y1 = std::min(2 * y + 1, sh - 1);
    const uchar* r0 = src.constScanLine(y0);
    const uchar* r1 = src.constScanLine(y1);
    uchar* out = dst.scanLine(y);
    for (int x = dstRect.left(); x <= dstRect.right(); ++x) {
      const int x0 = std::min(2 * x, sw - 1), x1 = std::min(2 * x + 1, sw - 1);
      out[x] = uchar((r0[x0] + r0[x1] + r1[x0] + r1[x1] + 2) >> 2);
    }
  }
}

bool isEightBit(QImage::Format f) { return f == QImage::Format_Alpha8 || f == QImage::Format_Grayscale8; }

}  // namespace

void MipImage::reset(const QImage& base) {
  levels_.clear();
  dirty_.clear();
  levels_.push_back(base);
  dirty_.push_back(QRect());
  if (base.isNull()) return;
  // RGB32 levels stay RGB32 (an average of 0xff padding bytes is 0xff).
  const QImage::Format format = base.format();
  QSize s = base.size();
  while (s.width() > 64 || s.height() > 64) {
    s = QSize((s.width() + 1) / 2, (s.height() + 1) / 2);
    levels_.push_back(QImage(s, format));
    dirty_.push_back(QRect(QPoint(0, 0), s));
  }
}

void MipImage::replaceBase(const QImage& base) {
  if (isNull() || base.size() != levels_[0].size() || base.depth() != levels_[0].depth()) {
    reset(base);
    return;
  }
  levels_[0] = base;
}

void MipImage::invalidate(const QRect& baseRect) {
  if (levels_.isEmpty()) return;
  QRect r = baseRect & levels_[0].rect();
  for (int k = 1; k < levels_.size() && !r.isEmpty(); ++k) {
    r = QRect(QPoint(r.left() / 2, r.top() / 2), QPoint(r.right() / 2, r.bottom() / 2)) & levels_[k].rect();
    dirty_[k] |= r;
  }
}

const QImage& MipImage::level(int k) {
  k = std::clamp(k, 0, int(levels_.size()) - 1);
  for (int i = 1; i <= k; ++i) {
    if (dirty_[i].isEmpty()) continue;
    if (isEightBit(levels_[i].format())) {
      downsample8(levels_[i - 1], levels_[i], dirty_[i]);
    } else {
      downsample32(levels_[i - 1], levels_[i], dirty_[i]);
    }
    dirty_[i] = QRect();
  }
  return levels_[k];
}

int MipImage::levelFor(double zoom) const {
  if (zoom >= 1.0 || levels_.isEmpty()) return 0;
  const int k = int(std::floor(std::log2(1.0 / zoom)));
  return std::clamp(k, 0, int(levels_.size()) - 1);
}

qint64 MipImage::levelBytes() const {
  qint64 bytes = 0;
  for (int k = 1; k < levels_.size(); ++k) bytes += levels_[k].sizeInBytes();
  return bytes;
}

}  // namespace latentshop::ui
