#include "ui/canvas/view_transform.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace latentshop::ui {

namespace {
QPointF roundPoint(QPointF p) { return QPointF(std::round(p.x()), std::round(p.y())); }
}  // namespace

ViewTransform::ViewTransform(double zoom, QPointF deviceOffset, double devicePixelRatio)
    : dpr_(devicePixelRatio > 0 ? devicePixelRatio : 1.0) {
  setZoom(zoom);
  setOffset(deviceOffset);
}

QRectF ViewTransform::imageToWidget(const QRectF& r) const {
  return QRectF(imageToWidget(r.topLeft()), imageToWidget(r.bottomRight())).normalized();
}

QRectF ViewTransform::widgetToImage(const QRectF& r) const {
  return QRectF(widgetToImage(r.topLeft()), widgetToImage(r.bottomRight())).normalized();
}

QRectF ViewTransform::imageToDevice(const QRectF& r) const {
  return QRectF(imageToDevice(r.topLeft()), imageToDevice(r.bottomRight())).normalized();
}

QPoint ViewTransform::widgetToPixel(QPointF w) const {
  const QPointF p = widgetToImage(w);
  return QPoint(int(std::floor(p.x())), int(std::floor(p.y())));
}

QTransform ViewTransform::imageToDeviceTransform() const {
  return QTransform(zoom_, 0, 0, zoom_, offset_.x(), offset_.y());
}

QTransform ViewTransform::imageToWidgetTransform() const {
  return QTransform(zoom_ / dpr_, 0, 0, zoom_ / dpr_, offset_.x() / dpr_, offset_.y() / dpr_);
}

void ViewTransform::setZoom(double zoom) {
  if (!(zoom > 0)) zoom = 1.0;
  zoom_ = std::clamp(zoom, kMinZoom, kMaxZoom);
}

void ViewTransform::setOffset(QPointF deviceOffset) { offset_ = roundPoint(deviceOffset); }

void ViewTransform::setDevicePixelRatio(double dpr, QPointF anchor) {
  if (!(dpr > 0) || dpr == dpr_) return;
  // Keep the image point under the anchor (widget coordinates) where it is on screen.
  const QPointF imagePoint = widgetToImage(anchor);
  dpr_ = dpr;
  setOffset(anchor * dpr_ - imagePoint * zoom_);
}

void ViewTransform::zoomAround(QPointF widgetAnchor, double newZoom) {
  const QPointF imagePoint = widgetToImage(widgetAnchor);
  setZoom(newZoom);
  setOffset(widgetAnchor * dpr_ - imagePoint * zoom_);
}

void ViewTransform::panBy(QPointF widgetDelta) { setOffset(offset_ + widgetDelta * dpr_); }

void ViewTransform::centerOn(const QSize& imageSize, const QSizeF& widgetSize) {
  const QPointF widgetCentreDevice(widgetSize.width() * dpr_ / 2.0, widgetSize.height() * dpr_ / 2.0);
  const QPointF imageCentre(imageSize.width() / 2.0, imageSize.height() / 2.0);
  setOffset(widgetCentreDevice - imageCentre * zoom_);
}

double ViewTransform::fitZoom(const QSize& imageSize, const QSizeF& widgetSize, double dpr, double margin,
                              double maxFit) {
  if (imageSize.isEmpty()) return 1.0;
  const double w = std::max(1.0, (widgetSize.width() - 2 * margin) * dpr);
  const double h = std::max(1.0, (widgetSize.height() - 2 * margin) * dpr);
  const double z = std::min(w / imageSize.width(), h / imageSize.height());
  return std::clamp(std::min(z, maxFit), kMinZoom, kMaxZoom);
}

double ViewTransform::nextZoomStep(double zoom, bool in) {
  static const std::array<double, 25> kSteps = {
      1.0 / 64, 1.0 / 48, 1.0 / 32, 1.0 / 24, 1.0 / 16, 1.0 / 12, 1.0 / 8, 1.0 / 6, 1.0 / 4,
      1.0 / 3,  1.0 / 2,  2.0 / 3,  1.0,      1.5,      2.0,      3.0,     4.0,     6.0,
      8.0,      12.0,     16.0,     24.0,     32.0,     48.0,     64.0};
  constexpr double kEps = 1e-9;
  if (in) {
    for (double s : kSteps)
      if (s > zoom + kEps) return s;
    return kSteps.back();
  }
  for (auto it = kSteps.rbegin(); it != kSteps.rend(); ++it)
    if (*it < zoom - kEps) return *it;
  return kSteps.front();
}

}  // namespace latentshop::ui
