#include "ui/canvas/canvas_cache.h"

#include <algorithm>
#include <cmath>

#include <QPainter>

#include "ui/canvas/view_transform.h"
#include "ui/document/document.h"

namespace latentshop::ui {

void CanvasCache::clear() {
  composite_.clear();
  overlay_.clear();
}

void CanvasCache::rebuild() {
  if (!doc_ || doc_->isNull()) {
    clear();
    return;
  }
  composite_.reset(doc_->render(QRect(), includePending_));
  QImage overlay(doc_->size(), QImage::Format_ARGB32_Premultiplied);
  overlay_.reset(overlay);
  updateMask(doc_->rect());
}

void CanvasCache::updateComposite(const QRect& region) {
  if (!doc_ || doc_->isNull() || composite_.isNull()) return;
  if (composite_.constBase().size() != doc_->size()) {
    rebuild();
    return;
  }
  const QRect r = region & doc_->rect();
  if (r.isEmpty()) return;
  const QImage part = doc_->render(r, includePending_);
  QPainter p(&composite_.base());
  p.setCompositionMode(QPainter::CompositionMode_Source);
  p.drawImage(r.topLeft(), part);
  p.end();
  composite_.invalidate(r);
}

void CanvasCache::updateMask(const QRect& region) {
  if (!doc_ || doc_->isNull() || overlay_.isNull()) return;
  const QRect r = region & doc_->rect();
  if (r.isEmpty()) return;
  const QImage& mask = doc_->mask();
  // Premultiplied colour for every mask value, scaled by the overlay opacity.
  QRgb lut[256];
  for (int v = 0; v < 256; ++v) {
    const int a = int(std::lround(v * maskOpacity_));
    lut[v] = qRgba(maskColor_.red() * a / 255, maskColor_.green() * a / 255, maskColor_.blue() * a / 255, a);
  }
  QImage& out = overlay_.base();
  for (int y = r.top(); y <= r.bottom(); ++y) {
    const uchar* m = mask.constScanLine(y);
    auto* o = reinterpret_cast<QRgb*>(out.scanLine(y));
    for (int x = r.left(); x <= r.right(); ++x) o[x] = lut[m[x]];
  }
  overlay_.invalidate(r);
}

void CanvasCache::setMaskStyle(const QColor& color, double opacity) {
  maskColor_ = color;
  maskOpacity_ = std::clamp(opacity, 0.0, 1.0);
  if (doc_ && !doc_->isNull()) updateMask(doc_->rect());
}

void CanvasCache::drawMip(QPainter& p, MipImage& mip, const ViewTransform& view, const QRectF& visible) {
  const int k = mip.levelFor(view.zoom());
  const QImage& level = mip.level(k);
  const QSize base = mip.constBase().size();
  const double sx = double(base.width()) / level.width();   // base pixels per level pixel
  const double sy = double(base.height()) / level.height();
  const QRect src = QRect(QPoint(int(std::floor(visible.left() / sx)), int(std::floor(visible.top() / sy))),
                          QPoint(int(std::ceil(visible.right() / sx)), int(std::ceil(visible.bottom() / sy)))) &
                    level.rect();
  if (src.isEmpty()) return;
  // The level maps onto the base by a uniform scale (level.width() * sx == base.width()).
  const QRectF srcInBase(src.x() * sx, src.y() * sy, src.width() * sx, src.height() * sy);
  p.drawImage(view.imageToDevice(srcInBase), level, QRectF(src));
}

void CanvasCache::draw(QPainter& p, const ViewTransform& view, const QRect& deviceViewport, bool withMask) {
  if (composite_.isNull()) return;
  const QRectF docRect(QPointF(0, 0), QSizeF(composite_.constBase().size()));
  const QRectF visible = QRectF(view.deviceToImage(deviceViewport.topLeft()),
                                view.deviceToImage(QPointF(deviceViewport.right() + 1, deviceViewport.bottom() + 1))) &
                         docRect;
  if (visible.isEmpty()) return;
  p.save();
  p.setRenderHint(QPainter::SmoothPixmapTransform, view.zoom() < 1.0);
  drawMip(p, composite_, view, visible);
  if (withMask && maskOpacity_ > 0.0) drawMip(p, overlay_, view, visible);
  p.restore();
}

}  // namespace latentshop::ui
