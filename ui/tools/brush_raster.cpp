#include "ui/tools/brush_raster.h"

#include <algorithm>
#include <cmath>

namespace latentshop::ui {

double brushCoverage(double d, double radius, double hardness) {
  if (d > radius) return 0.0;
  const double inner = radius * std::clamp(hardness, 0.0, 1.0);
  if (d <= inner) return 1.0;
  const double t = (radius - d) / (radius - inner);  // 1 at the inner edge, 0 at the rim
  return t * t * (3.0 - 2.0 * t);
}

QRect rasterizeBrushSegment(QImage& mask, QPointF a, QPointF b, const BrushShape& shape) {
  const double r = std::max(shape.radius, 0.5);
  const QRectF extent = QRectF(a, b).normalized().adjusted(-r - 1, -r - 1, r + 1, r + 1);
  const QRect box = QRect(QPoint(int(std::floor(extent.left())), int(std::floor(extent.top()))),
                          QPoint(int(std::ceil(extent.right())), int(std::ceil(extent.bottom())))) &
                    mask.rect();
  if (box.isEmpty()) return QRect();
  const QPointF ab = b - a;
  const double len2 = ab.x() * ab.x() + ab.y() * ab.y();
  for (int y = box.top(); y <= box.bottom(); ++y) {
    uchar* row = mask.scanLine(y);
    const double py = y + 0.5;
    for (int x = box.left(); x <= box.right(); ++x) {
      const double px = x + 0.5;
      // Distance from the pixel centre to the segment.
      double t = len2 > 0 ? ((px - a.x()) * ab.x() + (py - a.y()) * ab.y()) / len2 : 0.0;
      t = std::clamp(t, 0.0, 1.0);
      const double dx = px - (a.x() + t * ab.x()), dy = py - (a.y() + t * ab.y());
      const double c = brushCoverage(std::sqrt(dx * dx + dy * dy), r, shape.hardness);
      if (c <= 0.0) continue;
      const int v = int(std::lround(c * 255.0));
      if (shape.erase) {
        row[x] = uchar(std::min<int>(row[x], 255 - v));
      } else {
        row[x] = uchar(std::max<int>(row[x], v));
      }
    }
  }
  return box;
}

}  // namespace latentshop::ui
