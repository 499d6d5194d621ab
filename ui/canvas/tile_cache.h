// Rendered canvas tiles, kept between frames so panning and repainting only blit: the view at one
// zoom is cut into square tiles of device pixels anchored at the image origin (tile (i, j) covers
// device pixels [i*T, (i+1)*T) x [j*T, (j+1)*T) of the image scaled by the zoom), each rendered
// once and reused until its part of the image changes or it falls out of the byte budget.
// Eviction is least-recently-used, never a tile of the frame being drawn; tiles at other zooms stay
// (zooming back is instant) until the budget needs their room.
#pragma once
#include <QHash>
#include <QImage>
#include <QRectF>

namespace latentshop::ui {

struct TileKey {
  quint64 zoomBits = 0;  // the zoom's IEEE bits: tiles of exactly one zoom share a grid
  int x = 0;
  int y = 0;
  bool operator==(const TileKey& o) const { return zoomBits == o.zoomBits && x == o.x && y == o.y; }
};
size_t qHash(const TileKey& key, size_t seed = 0);

class TileCache {
public:
  static constexpr int kTileSize = 256;  // device pixels
  static constexpr qint64 kDefaultBudgetBytes = 96ll << 20;

  static TileKey keyFor(double zoom, int x, int y);

  void setBudget(qint64 bytes) { budget_ = bytes; }
  qint64 budget() const { return budget_; }
  qint64 bytes() const { return bytes_; }
  int count() const { return int(tiles_.size()); }
  qint64 rendered() const { return rendered_; }  // tiles rendered since the start (stats, tests)

  // The cached tile, or null. Marks it used in the current frame.
  const QImage* find(const TileKey& key);
  // Stores a freshly rendered tile covering `imageRect` (document pixels) at `zoom`.
  const QImage& insert(const TileKey& key, QImage tile, const QRectF& imageRect, double zoom);
  // Drops every tile (of any zoom) whose rendering depends on pixels inside `region`.
  void invalidate(const QRect& region);
  void clear();
  // Starts a frame: tiles used from now on are protected from eviction until the next beginFrame().
  void beginFrame() { ++frame_; }
  // Evicts least recently used tiles outside the current frame until within the budget.
  void trim();

private:
  struct Entry {
    QImage image;
    QRectF imageRect;
    double zoom = 1.0;
    quint64 lastUse = 0;
  };
  QHash<TileKey, Entry> tiles_;
  qint64 bytes_ = 0;
  qint64 budget_ = kDefaultBudgetBytes;
  quint64 frame_ = 1;
  qint64 rendered_ = 0;
};

}  // namespace latentshop::ui
