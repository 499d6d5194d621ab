// Mapping between image pixels and the canvas widget, hi-DPI aware.
//
// Three spaces: image (document pixels; pixel (x, y) covers [x, x+1) x [y, y+1)), device (the
// screen's physical pixels in the canvas viewport) and widget (Qt's logical, device-independent
// coordinates in which mouse events arrive). zoom = device pixels per image pixel, so 100 % shows one
// image pixel on one physical pixel on any screen (crisp, as in Krita/Photoshop); the offset is the
// device position of the image origin and is kept on whole device pixels, so at integer zooms pixel
// edges fall exactly on device pixel edges.
//
//   device = image * zoom + offset          widget = device / devicePixelRatio
#pragma once
#include <QPointF>
#include <QRectF>
#include <QSize>
#include <QTransform>

namespace latentshop::ui {

class ViewTransform {
public:
  static constexpr double kMinZoom = 1.0 / 64.0;
  static constexpr double kMaxZoom = 64.0;

  ViewTransform() = default;
  ViewTransform(double zoom, QPointF deviceOffset, double devicePixelRatio);

  double zoom() const { return zoom_; }
  QPointF offset() const { return offset_; }  // device pixels
  double devicePixelRatio() const { return dpr_; }
  double widgetScale() const { return zoom_ / dpr_; }  // widget (logical) pixels per image pixel

  QPointF imageToDevice(QPointF p) const { return p * zoom_ + offset_; }
  QPointF deviceToImage(QPointF d) const { return (d - offset_) / zoom_; }
  QPointF imageToWidget(QPointF p) const { return imageToDevice(p) / dpr_; }
  QPointF widgetToImage(QPointF w) const { return deviceToImage(w * dpr_); }
  QRectF imageToWidget(const QRectF& r) const;
  QRectF widgetToImage(const QRectF& r) const;
  QRectF imageToDevice(const QRectF& r) const;
  // The image pixel under a widget point (floor of the image coordinates).
  QPoint widgetToPixel(QPointF w) const;
  QTransform imageToWidgetTransform() const;
  QTransform imageToDeviceTransform() const;

  // Setters clamp the zoom to [kMinZoom, kMaxZoom] and round the offset to whole device pixels.
  void setZoom(double zoom);
  void setOffset(QPointF deviceOffset);
  // Changes the ratio keeping the image point at the widget's `anchor` (widget coords) in place.
  void setDevicePixelRatio(double dpr, QPointF anchor = QPointF());
  // Zooms so the image point under `widgetAnchor` stays under it.
  void zoomAround(QPointF widgetAnchor, double newZoom);
  void panBy(QPointF widgetDelta);
  // Puts the image's centre at the centre of a widget of `widgetSize` (logical).
  void centerOn(const QSize& imageSize, const QSizeF& widgetSize);
  // The largest zoom at which `imageSize` fits in `widgetSize` (logical) minus `margin` logical
  // pixels on each side, clamped to [kMinZoom, 1 device pixel per image pixel * maxFit].
  static double fitZoom(const QSize& imageSize, const QSizeF& widgetSize, double dpr, double margin = 16.0,
                        double maxFit = 1.0);
  // The next zoom step up/down from `zoom` in a 1-2-3-4-6-8 style ladder (100 % is on it).
  static double nextZoomStep(double zoom, bool in);

  bool operator==(const ViewTransform& o) const {
    return zoom_ == o.zoom_ && offset_ == o.offset_ && dpr_ == o.dpr_;
  }
  bool operator!=(const ViewTransform& o) const { return !(*this == o); }

private:
  double zoom_ = 1.0;
  QPointF offset_;
  double dpr_ = 1.0;
};

}  // namespace latentshop::ui
