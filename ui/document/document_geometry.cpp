#include "ui/document/document_geometry.h"

#include <QPainter>
#include <QTransform>

#include <functional>

#include "ui/document/mask_image.h"

namespace latentshop::ui {

namespace {

// A geometric map of the document plane: how images, rectangles (layer bounds) and points move.
struct PlaneMap {
  QSize size;                                       // the new document size
  std::function<QImage(const QImage&)> image;       // a whole image (document-sized or a layer's)
  std::function<QRect(const QRect&)> rect;          // where a rectangle of the old plane lands
  std::function<QPointF(const QPointF&)> point;
};

QImage documentMask(const QImage& mask, const QSize& oldSize, const PlaneMap& map) {
  if (mask.isNull() || mask.size() != oldSize) return QImage();
  return map.image(mask).convertToFormat(QImage::Format_Grayscale8);
}

QList<DragPair> mapPairs(const QList<DragPair>& pairs, const PlaneMap& map, const QRect& keep) {
  QList<DragPair> out;
  for (const DragPair& p : pairs) {
    const DragPair q{map.point(p.handle), map.point(p.target)};
    if (keep.contains(q.handle.toPoint()) && keep.contains(q.target.toPoint())) out.append(q);
  }
  return out;
}

DocumentContent applyMap(const DocumentContent& in, const PlaneMap& map) {
  DocumentContent out = in;
  const QSize oldSize = in.original.size();
  const QRect keep(QPoint(0, 0), map.size);
  out.original = map.image(in.original);
  out.mask = documentMask(in.mask, oldSize, map);
  out.keepOut = documentMask(in.keepOut, oldSize, map);
  out.workingPoints = mapPairs(in.workingPoints, map, keep);
  out.info.selection = QRect();
  for (Layer& l : out.layers) {
    const QRect bounds = map.rect(l.bounds());
    l.image = map.image(l.image);
    l.offset = bounds.topLeft();
    l.mask = documentMask(l.mask, oldSize, map);
    l.points = mapPairs(l.points, map, keep);
  }
  return out;
}

QImage blankLike(const QImage& image, const QSize& size, const QColor& fill) {
  QImage out(size, image.format() == QImage::Format_Grayscale8 ? QImage::Format_Grayscale8 : image.format());
  out.fill(image.format() == QImage::Format_Grayscale8 ? QColor(Qt::black) : fill);
  return out;
}

}  // namespace

DocumentContent cropContent(const DocumentContent& content, const QRect& rect) {
  const QRect r = rect.intersected(QRect(QPoint(0, 0), content.original.size()));
  if (r.isEmpty()) return content;
  DocumentContent out = content;
  out.original = content.original.copy(r);
  out.mask = content.mask.isNull() ? QImage() : content.mask.copy(r);
  out.keepOut = content.keepOut.isNull() ? QImage() : content.keepOut.copy(r);
  out.info.selection = QRect();
  const QRect keep(QPoint(0, 0), r.size());
  const auto shift = [&](QList<DragPair> pairs) {
    QList<DragPair> kept;
    for (DragPair p : pairs) {
      p.handle -= r.topLeft();
      p.target -= r.topLeft();
      if (keep.contains(p.handle.toPoint()) && keep.contains(p.target.toPoint())) kept.append(p);
    }
    return kept;
  };
  out.workingPoints = shift(content.workingPoints);
  for (Layer& l : out.layers) {
    const QRect inside = l.bounds().intersected(r);
    if (inside.isEmpty()) {
      QImage none(1, 1, QImage::Format_ARGB32);
      none.fill(Qt::transparent);
      l.image = none;
      l.offset = QPoint(0, 0);
    } else {
      l.image = l.image.copy(inside.translated(-l.offset));
      l.offset = inside.topLeft() - r.topLeft();
    }
    if (!l.mask.isNull() && l.mask.size() == content.original.size()) l.mask = l.mask.copy(r);
    l.points = shift(l.points);
  }
  return out;
}

DocumentContent resizeContent(const DocumentContent& content, const QSize& size) {
  const QSize old = content.original.size();
  if (old.isEmpty() || size.isEmpty() || size == old) return content;
  const double sx = double(size.width()) / old.width(), sy = double(size.height()) / old.height();
  PlaneMap map;
  map.size = size;
  map.rect = [sx, sy](const QRect& r) {
    const int x0 = int(std::lround(r.left() * sx)), y0 = int(std::lround(r.top() * sy));
    const int x1 = int(std::lround((r.left() + r.width()) * sx)), y1 = int(std::lround((r.top() + r.height()) * sy));
    return QRect(x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0));
  };
  map.image = [&](const QImage& image) {
    // A document-sized image goes to exactly `size`; a layer to its mapped bounds.
    const QSize target = image.size() == old ? size : map.rect(QRect(QPoint(0, 0), image.size())).size();
    return image.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  };
  map.point = [sx, sy](const QPointF& p) { return QPointF(p.x() * sx, p.y() * sy); };
  return applyMap(content, map);
}

DocumentContent resizeCanvas(const DocumentContent& content, const QSize& size, const QPoint& offset, const QColor& fill) {
  if (size.isEmpty()) return content;
  const QSize old = content.original.size();
  DocumentContent out = content;
  const auto place = [&](const QImage& image, const QColor& background) {
    if (image.isNull()) return QImage();
    QImage canvas = blankLike(image, size, background);
    QPainter p(&canvas);
    p.setCompositionMode(QPainter::CompositionMode_Source);
    p.drawImage(offset, image);
    return canvas;
  };
  QColor background = fill;
  if (fill.alpha() < 255 && !content.original.hasAlphaChannel()) {
    out.original = content.original.convertToFormat(QImage::Format_ARGB32);  // transparent room needs alpha
  }
  out.original = place(out.original, background);
  out.mask = content.mask.isNull() ? QImage() : place(content.mask, Qt::black);
  out.keepOut = content.keepOut.isNull() ? QImage() : place(content.keepOut, Qt::black);
  out.info.selection = QRect();
  const QRect keep(QPoint(0, 0), size);
  const auto shift = [&](const QList<DragPair>& pairs) {
    QList<DragPair> kept;
    for (DragPair p : pairs) {
      p.handle += offset;
      p.target += offset;
      if (keep.contains(p.handle.toPoint()) && keep.contains(p.target.toPoint())) kept.append(p);
    }
    return kept;
  };
  out.workingPoints = shift(content.workingPoints);
  for (Layer& l : out.layers) {
    l.offset += offset;
    if (!l.mask.isNull() && l.mask.size() == old) l.mask = place(l.mask, Qt::black);
    l.points = shift(l.points);
  }
  return out;
}

DocumentContent rotateContent(const DocumentContent& content, int quarterTurnsClockwise) {
  const int turns = ((quarterTurnsClockwise % 4) + 4) % 4;
  if (turns == 0) return content;
  const QSize old = content.original.size();
  const int w = old.width(), h = old.height();
  PlaneMap map;
  map.size = turns == 2 ? old : old.transposed();
  QTransform t;
  t.rotate(90.0 * turns);
  map.image = [t](const QImage& image) { return image.transformed(t); };
  // A pixel-edge point (x, y) of the old plane; pixel rectangles follow from their corners.
  map.point = [turns, w, h](const QPointF& p) {
    switch (turns) {
      case 1: return QPointF(h - p.y(), p.x());
      case 2: return QPointF(w - p.x(), h - p.y());
      default: return QPointF(p.y(), w - p.x());
    }
  };
  map.rect = [map](const QRect& r) {
    const QPointF a = map.point(QPointF(r.left(), r.top())), b = map.point(QPointF(r.left() + r.width(), r.top() + r.height()));
    return QRectF(a, b).normalized().toRect();
  };
  return applyMap(content, map);
}

DocumentContent flipContent(const DocumentContent& content, bool horizontal) {
  const QSize old = content.original.size();
  PlaneMap map;
  map.size = old;
  map.image = [horizontal](const QImage& image) {
    return image.mirrored(horizontal, !horizontal);
  };
  map.point = [horizontal, old](const QPointF& p) {
    return horizontal ? QPointF(old.width() - p.x(), p.y()) : QPointF(p.x(), old.height() - p.y());
  };
  map.rect = [map](const QRect& r) {
    const QPointF a = map.point(QPointF(r.left(), r.top())), b = map.point(QPointF(r.left() + r.width(), r.top() + r.height()));
    return QRectF(a, b).normalized().toRect();
  };
  return applyMap(content, map);
}

QPoint anchoredOffset(const QSize& oldSize, const QSize& size, Qt::Alignment anchor) {
  const int dx = size.width() - oldSize.width(), dy = size.height() - oldSize.height();
  const int x = anchor & Qt::AlignLeft ? 0 : anchor & Qt::AlignRight ? dx : dx / 2;
  const int y = anchor & Qt::AlignTop ? 0 : anchor & Qt::AlignBottom ? dy : dy / 2;
  return QPoint(x, y);
}

}  // namespace latentshop::ui
