#include "ui/canvas/tile_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace latentshop::ui {

size_t qHash(const TileKey& key, size_t seed) {
  return ::qHash(key.zoomBits, seed) ^ ::qHash((quint64(quint32(key.x)) << 32) | quint32(key.y), seed + 1);
}

TileKey TileCache::keyFor(double zoom, int x, int y) {
  TileKey k;
  std::memcpy(&k.zoomBits, &zoom, sizeof zoom);
  k.x = x;
  k.y = y;
  return k;
}

const QImage* TileCache::find(const TileKey& key) {
  auto it = tiles_.find(key);
  if (it == tiles_.end()) return nullptr;
  it->lastUse = frame_;
  return &it->image;
}

const QImage& TileCache::insert(const TileKey& key, QImage tile, const QRectF& imageRect, double zoom) {
  auto it = tiles_.find(key);
  if (it != tiles_.end()) bytes_ -= it->image.sizeInBytes();
  Entry& e = tiles_[key];
  e.image = std::move(tile);
  e.imageRect = imageRect;
  e.zoom = zoom;
  e.lastUse = frame_;
  bytes_ += e.image.sizeInBytes();
  ++rendered_;
  return e.image;
}

void TileCache::invalidate(const QRect& region) {
  if (region.isEmpty() || tiles_.isEmpty()) return;
  const QRectF r(region);
  for (auto it = tiles_.begin(); it != tiles_.end();) {
    // A tile's pixels read the image up to about two source pixels of its pyramid level beyond its
    // edge (bilinear filtering of a level 2^k smaller): widen by that much.
    const double margin = 2.0 / std::min(1.0, it->zoom) + 2.0;
    if (it->imageRect.adjusted(-margin, -margin, margin, margin).intersects(r)) {
      bytes_ -= it->image.sizeInBytes();
      it = tiles_.erase(it);
    } else {
      ++it;
    }
  }
}

void TileCache::clear() {
  tiles_.clear();
  bytes_ = 0;
}

void TileCache::trim() {
  if (bytes_ <= budget_) return;
  std::vector<std::pair<quint64, TileKey>> order;
  order.reserve(size_t(tiles_.size()));
  for (auto it = tiles_.cbegin(); it != tiles_.cend(); ++it)
    if (it->lastUse != frame_) order.emplace_back(it->lastUse, it.key());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [use, key] : order) {
    if (bytes_ <= budget_) break;
    auto it = tiles_.find(key);
    bytes_ -= it->image.sizeInBytes();
    tiles_.erase(it);
  }
}

}  // namespace latentshop::ui
