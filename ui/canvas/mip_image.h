// An image with a pyramid of half-size levels (2x2 box filter on premultiplied ARGB), updated
// incrementally: invalidate() marks a rectangle of the base dirty and a level is refreshed over the
// matching area only when it is next asked for. The canvas draws zoomed-out views from the level
// just above the needed size, so a 24 MP photo at 10 % costs a small smooth scale, not a full one.
#pragma once
#include <QImage>
#include <QList>
#include <QRect>

namespace latentshop::ui {

class MipImage {
public:
  // `base` must be Format_ARGB32_Premultiplied.
  void reset(const QImage& base);
  void clear() { reset(QImage()); }
  bool isNull() const { return levels_.isEmpty() || levels_[0].isNull(); }
  QImage& base() { return levels_[0]; }  // write into it, then invalidate()
  const QImage& constBase() const { return levels_[0]; }
  void invalidate(const QRect& baseRect);
  int levelCount() const { return int(levels_.size()); }
  // Level k (0 = base), refreshed where dirty.
  const QImage& level(int k);
  // The level to draw at `zoom` (device pixels per base pixel): the smallest level still at least
  // as large as the target, i.e. 2^-k >= zoom.
  int levelFor(double zoom) const;

private:
  QList<QImage> levels_;
  QList<QRect> dirty_;  // per level (level 0's is unused)
};

}  // namespace latentshop::ui
