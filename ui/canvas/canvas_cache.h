// What the canvas draws for a document, cached: the composite (original + visible layers) and the
// coloured mask overlay, each as a MipImage refreshed by dirty rectangles, plus the code that draws
// them through a ViewTransform at any zoom (nearest-neighbour from the base at >= 100 % so pixels
// stay crisp, bilinear from the nearest larger pyramid level below 100 %).
#pragma once
#include <QColor>
#include <QImage>
#include <QRect>

#include "ui/canvas/mip_image.h"

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
  void setIncludePending(bool include) { includePending_ = include; }
  bool includePending() const { return includePending_; }
  void setMaskStyle(const QColor& color, double opacity);  // rebuilds the overlay
  QColor maskColor() const { return maskColor_; }
  double maskOpacity() const { return maskOpacity_; }

  // Draws the composite (and the overlay when `withMask`) into `painter`, which must be in device
  // coordinates; `deviceViewport` is the area to cover.
  void draw(QPainter& painter, const ViewTransform& view, const QRect& deviceViewport, bool withMask);
  const QImage& composite() const { return composite_.constBase(); }

private:
  void drawMip(QPainter& p, MipImage& mip, const ViewTransform& view, const QRectF& visibleImageRect);

  const Document* doc_ = nullptr;
  MipImage composite_;
  MipImage overlay_;
  bool includePending_ = true;
  QColor maskColor_ = QColor(255, 40, 60);
  double maskOpacity_ = 0.5;
};

}  // namespace latentshop::ui
