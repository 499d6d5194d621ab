#include "ui/canvas/preview_mask.h"

namespace latentshop::ui {

void PreviewMask::setMask(const QImage& documentMask) {
  mask_ = documentMask.isNull() ? QImage() : documentMask.convertToFormat(QImage::Format_Grayscale8);
  cachedPlace_ = QRect();
  cachedSize_ = QSize();
  cachedAlpha_ = QImage();
}

QImage PreviewMask::apply(const QImage& image, const QRect& placement, const QSize& documentSize) {
  if (mask_.isNull() || image.isNull()) return image;
  const QRect place = placement.isEmpty() ? QRect(QPoint(0, 0), documentSize) : placement;
  if (place != cachedPlace_ || image.size() != cachedSize_ || cachedAlpha_.isNull()) {
    cachedAlpha_ = mask_.copy(place).scaled(image.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    cachedPlace_ = place;
    cachedSize_ = image.size();
  }
  QImage out = image.convertToFormat(QImage::Format_ARGB32);
  for (int y = 0; y < out.height(); ++y) {
    auto* row = reinterpret_cast<QRgb*>(out.scanLine(y));
    const uchar* a = cachedAlpha_.constScanLine(y);
    for (int x = 0; x < out.width(); ++x) row[x] = qRgba(qRed(row[x]), qGreen(row[x]), qBlue(row[x]), qAlpha(row[x]) * a[x] / 255);
  }
  return out;
}

}  // namespace latentshop::ui
