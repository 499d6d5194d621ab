#include "ui/canvas/canvas_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <QPainter>

#include "ui/canvas/view_transform.h"
#include "ui/document/document.h"
#include "ui/document/mask_image.h"

namespace latentshop::ui {

namespace {

constexpr int kT = TileCache::kTileSize;

int floorDiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

void CanvasCache::clear() {
  composite_.clear();
  mask_.clear();
  keepOut_.clear();
  tiles_.clear();
  maskExtent_ = QRect();
  keepOutExtent_ = QRect();
}

bool CanvasCache::canShareOriginal() const {
  if (!doc_ || doc_->original().format() != QImage::Format_RGB32) return false;
  for (const Layer& l : doc_->layers())
    if (l.visible && l.isPixelLayer() && l.opacity > 0.0 && (includePending_ || !l.pending)) return false;
  return true;
}

bool CanvasCache::sharesOriginal() const {
  return doc_ && !composite_.isNull() && composite_.constBase().cacheKey() == doc_->original().cacheKey();
}

void CanvasCache::rebuild() {
  tiles_.clear();
  if (!doc_ || doc_->isNull()) {
    clear();
    return;
  }
  composite_.reset(canShareOriginal() ? doc_->original() : doc_->render(QRect(), includePending_));
  QImage mask = doc_->mask().copy();
  mask.reinterpretAsFormat(QImage::Format_Alpha8);
  mask_.reset(mask);
  maskExtent_ = anyNonZero(doc_->mask()) ? nonZeroBounds(doc_->mask()) : QRect();
  keepOut_.clear();
  keepOutExtent_ = QRect();
  if (!doc_->keepOut().isNull() && anyNonZero(doc_->keepOut())) {
    QImage k = doc_->keepOut().copy();
    k.reinterpretAsFormat(QImage::Format_Alpha8);
    keepOut_.reset(k);
    keepOutExtent_ = nonZeroBounds(doc_->keepOut());
  }
}

void CanvasCache::updateComposite(const QRect& region) {
  if (!doc_ || doc_->isNull() || composite_.isNull()) return;
  if (composite_.constBase().size() != doc_->size()) {
    rebuild();
    return;
  }
  const QRect r = region & doc_->rect();
  if (r.isEmpty()) return;
  const bool shared = composite_.constBase().format() == QImage::Format_RGB32;
  if (shared && canShareOriginal()) {
    composite_.replaceBase(doc_->original());  // follows the original's latest copy
  } else {
    if (shared) {
      // A layer appeared over the shared original: from now on the composite is our own copy (the
      // original is opaque, so its RGB32 pyramid levels stay valid outside `r`).
      composite_.replaceBase(doc_->original().convertToFormat(QImage::Format_ARGB32_Premultiplied));
    }
    const QImage part = doc_->render(r, includePending_);
    QPainter p(&composite_.base());
    p.setCompositionMode(QPainter::CompositionMode_Source);
    p.drawImage(r.topLeft(), part);
    p.end();
  }
  composite_.invalidate(r);
  tiles_.invalidate(r);
}

void CanvasCache::updateMask(const QRect& region) {
  if (!doc_ || doc_->isNull() || mask_.isNull()) return;
  copyMaskRegion(doc_->mask(), mask_, maskExtent_, region & doc_->rect());
  if (tilesWithMask_) tiles_.invalidate(region & doc_->rect());
}

void CanvasCache::updateKeepOut(const QRect& region) {
  if (!doc_ || doc_->isNull() || composite_.isNull()) return;
  const QRect r = region & doc_->rect();
  if (r.isEmpty()) return;
  if (keepOut_.isNull()) {
    const QImage& k = doc_->keepOut();
    bool any = false;
    for (int y = r.top(); y <= r.bottom() && !any && !k.isNull(); ++y) {
      const uchar* row = k.constScanLine(y) + r.left();
      any = std::any_of(row, row + r.width(), [](uchar v) { return v != 0; });
    }
    if (!any) return;  // still empty: no copy
    QImage blank(doc_->size(), QImage::Format_Alpha8);
    blank.fill(0);
    keepOut_.reset(blank);
  }
  copyMaskRegion(doc_->keepOut(), keepOut_, keepOutExtent_, r);
  if (tilesWithMask_) tiles_.invalidate(r);
}

void CanvasCache::copyMaskRegion(const QImage& src, MipImage& mip, QRect& extent, const QRect& r) {
  if (r.isEmpty()) return;
  QImage& dst = mip.base();
  bool any = false;
  for (int y = r.top(); y <= r.bottom(); ++y) {
    const uchar* s = src.constScanLine(y) + r.left();
    std::memcpy(dst.scanLine(y) + r.left(), s, size_t(r.width()));
    if (!any)
      for (int x = 0; x < r.width(); ++x)
        if (s[x]) {
          any = true;
          break;
        }
  }
  if (any) extent |= r;
  mip.invalidate(r);
}

void CanvasCache::setMaskStyle(const QColor& color, double opacity) {
  maskColor_ = color;
  maskOpacity_ = std::clamp(opacity, 0.0, 1.0);
  if (tilesWithMask_) tiles_.clear();
}

qint64 CanvasCache::memoryBytes() const {
  qint64 bytes = composite_.levelBytes() + mask_.levelBytes() + keepOut_.levelBytes() + tiles_.bytes();
  if (!composite_.isNull() && !sharesOriginal()) bytes += composite_.constBase().sizeInBytes();
  if (!mask_.isNull()) bytes += mask_.constBase().sizeInBytes();
  if (!keepOut_.isNull()) bytes += keepOut_.constBase().sizeInBytes();
  return bytes;
}

// Draws the part of `mip` under `imageRect` (document pixels, the tile's area) into a painter whose
// origin is the tile's top-left device pixel at `zoom`.
void CanvasCache::drawLevel(QPainter& p, MipImage& mip, double zoom, const QRectF& imageRect) {
  const int k = mip.levelFor(zoom);
  const QImage& level = mip.level(k);
  const QSize base = mip.constBase().size();
  const double sx = double(base.width()) / level.width();  // base pixels per level pixel
  const double sy = double(base.height()) / level.height();
  // Two level pixels of margin: bilinear filtering at the tile's edge then reads the same
  // neighbours as the tile next to it, so tiles join without seams.
  const int pad = zoom < 1.0 ? 2 : 0;
  const QRect src = QRect(QPoint(int(std::floor(imageRect.left() / sx)) - pad, int(std::floor(imageRect.top() / sy)) - pad),
                          QPoint(int(std::ceil(imageRect.right() / sx)) + pad, int(std::ceil(imageRect.bottom() / sy)) + pad)) &
                    level.rect();
  if (src.isEmpty()) return;
  const QRectF srcInBase(src.x() * sx, src.y() * sy, src.width() * sx, src.height() * sy);
  const QRectF target((srcInBase.left() - imageRect.left()) * zoom, (srcInBase.top() - imageRect.top()) * zoom,
                      srcInBase.width() * zoom, srcInBase.height() * zoom);
  p.drawImage(target, level, QRectF(src));
}

QImage CanvasCache::renderTile(const ViewTransform& view, int tx, int ty, const QSize& size, QRectF* imageRect) {
  const double zoom = view.zoom();
  *imageRect = QRectF(tx * kT / zoom, ty * kT / zoom, size.width() / zoom, size.height() / zoom);
  QImage tile(size, QImage::Format_ARGB32_Premultiplied);
  tile.fill(Qt::transparent);
  QPainter p(&tile);
  p.setRenderHint(QPainter::SmoothPixmapTransform, zoom < 1.0);
  drawLevel(p, composite_, zoom, *imageRect);
  const QRect area = imageRect->toAlignedRect();
  if (tilesWithMask_ && maskOpacity_ > 0.0 && !keepOut_.isNull() && keepOutExtent_.intersects(area))
    tint(p, keepOut_, keepOutColor(), zoom, size, *imageRect);
  if (tilesWithMask_ && maskOpacity_ > 0.0 && maskExtent_.intersects(area)) tint(p, mask_, maskColor_, zoom, size, *imageRect);
  p.end();
  return tile;
}

// Tint: `color` where the mask is, then over the tile at the overlay's opacity.
void CanvasCache::tint(QPainter& p, MipImage& mip, const QColor& color, double zoom, const QSize& size,
                       const QRectF& imageRect) {
  QImage overlay(size, QImage::Format_ARGB32_Premultiplied);
  overlay.fill(QColor(color.red(), color.green(), color.blue()));
  QPainter op(&overlay);
  op.setRenderHint(QPainter::SmoothPixmapTransform, zoom < 1.0);
  op.setCompositionMode(QPainter::CompositionMode_DestinationIn);
  drawLevel(op, mip, zoom, imageRect);
  op.end();
  p.save();
  p.setOpacity(maskOpacity_);
  p.drawImage(0, 0, overlay);
  p.restore();
}

void CanvasCache::draw(QPainter& p, const ViewTransform& view, const QRect& deviceViewport, bool withMask) {
  if (composite_.isNull()) return;
  if (withMask != tilesWithMask_) {
    tiles_.clear();
    tilesWithMask_ = withMask;
  }
  const double zoom = view.zoom();
  const QSize base = composite_.constBase().size();
  // The image in "tile space": device pixels relative to the image origin (the offset is whole).
  const QPoint origin = view.offset().toPoint();
  const int imageW = int(std::ceil(base.width() * zoom - 1e-9));
  const int imageH = int(std::ceil(base.height() * zoom - 1e-9));
  const QRect visible = deviceViewport.translated(-origin) & QRect(0, 0, imageW, imageH);
  if (visible.isEmpty()) return;
  tiles_.beginFrame();
  const int x0 = floorDiv(visible.left(), kT), x1 = floorDiv(visible.right(), kT);
  const int y0 = floorDiv(visible.top(), kT), y1 = floorDiv(visible.bottom(), kT);
  for (int ty = y0; ty <= y1; ++ty) {
    for (int tx = x0; tx <= x1; ++tx) {
      const TileKey key = TileCache::keyFor(zoom, tx, ty);
      const QImage* tile = tiles_.find(key);
      if (!tile) {
        const QSize size(std::min(kT, imageW - tx * kT), std::min(kT, imageH - ty * kT));
        QRectF imageRect;
        tile = &tiles_.insert(key, renderTile(view, tx, ty, size, &imageRect), imageRect, zoom);
      }
      p.drawImage(origin + QPoint(tx * kT, ty * kT), *tile);
    }
  }
  tiles_.trim();
}

}  // namespace latentshop::ui
