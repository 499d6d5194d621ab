// What the canvas draws for a document, cached at three levels:
//   1. the composite (original + visible layers) as a MipImage; when nothing covers an opaque
//      original it *is* the document's original (shared, no copy), so a 48 MP photo costs no
//      second full-size buffer until a layer lands on it;
//   2. the working mask as an 8-bit MipImage (1 byte per pixel, tinted at render time);
//   3. rendered device-pixel tiles of composite + mask overlay at the current zoom (TileCache,
//      bounded in bytes), so a frame is a blit of cached tiles and a pan renders only the tiles
//      scrolling in.
// Rendering a tile: nearest-neighbour from the base at >= 100 % (pixels stay crisp), bilinear from
// the nearest larger pyramid level below 100 %, the source read with a margin so tiles join
// without seams. Dirty rectangles from the document refresh the pyramids and drop the tiles they
// touch.
#pragma once
#include <QColor>
#include <QImage>
#include <QRect>

#include "ui/canvas/mip_image.h"
#include "ui/canvas/tile_cache.h"

class QPainter;

namespace latentshop::ui {

class Document;
class ViewTransform;

class CanvasCache {
public:
  void setDocument(const Document* doc) { doc_ = doc; }
  // Rebuilds both caches for the whole document.
  void rebuild();
  void clear();
  // Re-renders the composite inside `region` (document pixels).
  void updateComposite(const QRect& region);
  void updateMask(const QRect& region);
  // The keep-out mask, tinted in its own colour; its copy exists only while it is not empty.
  void updateKeepOut(const QRect& region);
  static QColor keepOutColor() { return QColor(20, 190, 120); }
  void setIncludePending(bool include) { includePending_ = include; }
  bool includePending() const { return includePending_; }
  void setMaskStyle(const QColor& color, double opacity);
  QColor maskColor() const { return maskColor_; }
  double maskOpacity() const { return maskOpacity_; }

  // Draws the composite (and the overlay when `withMask`) into `painter`, which must be in device
  // coordinates; `deviceViewport` is the area to cover.
  void draw(QPainter& painter, const ViewTransform& view, const QRect& deviceViewport, bool withMask);
  const QImage& composite() const { return composite_.constBase(); }
  // Whether the composite is the document's original itself (no copy).
  bool sharesOriginal() const;

  TileCache& tiles() { return tiles_; }
  const TileCache& tiles() const { return tiles_; }
  // Bytes the cache owns: pyramid levels, a composite copy (when not shared), the mask copy, tiles.
  qint64 memoryBytes() const;

private:
  bool canShareOriginal() const;
  QImage renderTile(const ViewTransform& view, int tx, int ty, const QSize& size, QRectF* imageRect);
  void drawLevel(QPainter& p, MipImage& mip, double zoom, const QRectF& imageRect);

  // Copies `region` of `src` (Grayscale8) into `dst` (Alpha8); grows `extent` where it is non-zero.
  static void copyMaskRegion(const QImage& src, MipImage& dst, QRect& extent, const QRect& region);
  void tint(QPainter& p, MipImage& mip, const QColor& color, double zoom, const QSize& size, const QRectF& imageRect);

  const Document* doc_ = nullptr;
  MipImage composite_;
  MipImage mask_;          // Format_Alpha8 copy of the document's mask
  QRect maskExtent_;       // where the mask may be non-zero (grows; recomputed on rebuild)
  MipImage keepOut_;       // the same for the keep-out mask; null while it is empty
  QRect keepOutExtent_;
  TileCache tiles_;
  bool tilesWithMask_ = false;
  bool includePending_ = true;
  QColor maskColor_ = QColor(255, 40, 60);
  double maskOpacity_ = 0.5;
};

}  // namespace latentshop::ui
