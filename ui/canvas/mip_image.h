// An image with a pyramid of half-size levels (2x2 box filter), updated incrementally:
// invalidate() marks a rectangle of the base dirty and a level is refreshed over the matching area
// only when it is next asked for. The canvas draws zoomed-out views from the level just above the
// needed size, so a 48 MP photo at 10 % costs a small smooth scale, not a full one.
//
// Formats: 32-bit (Format_ARGB32_Premultiplied, or Format_RGB32 whose padding byte is 0xff — the
// canvas shares an opaque original this way without a copy), averaged per byte; and 8-bit
// (Format_Alpha8 / Format_Grayscale8), for the mask overlay. Levels have the base's format.
#pragma once
#include <QImage>
#include <QList>
#include <QRect>

namespace latentshop::ui {

class MipImage {
public:
  void reset(const QImage& base);
  void clear() { reset(QImage()); }
  bool isNull() const { return levels_.isEmpty() || levels_[0].isNull(); }
  QImage& base() { return levels_[0]; }  // write into it, then invalidate()
  const QImage& constBase() const { return levels_[0]; }
  // Replaces the base by another image of the same size and depth (a new shared copy of the
  // document's original, or an own premultiplied copy of it) and keeps the levels; invalidate()
  // what differs. RGB32 and ARGB32_Premultiplied mix only for opaque pixels, where they agree.
  void replaceBase(const QImage& base);
  void invalidate(const QRect& baseRect);
  int levelCount() const { return int(levels_.size()); }
  // Level k (0 = base), refreshed where dirty.
  const QImage& level(int k);
  // The level to draw at `zoom` (device pixels per base pixel): the smallest level still at least
  // as large as the target, i.e. 2^-k >= zoom.
  int levelFor(double zoom) const;
  // Bytes held by the levels above the base (the base is often shared).
  qint64 levelBytes() const;

private:
  QList<QImage> levels_;
  QList<QRect> dirty_;  // per level (level 0's is unused)
};

}  // namespace latentshop::ui
