// Limits a running job's live preview to the region the job will change: the preview image gets
// the job's mask as its alpha, so the rest of the photo stays visible under it while the job runs
// (inpaint without crop-to-mask and masked Instruct preview the whole image, but only the masked
// region changes). The mask is cropped to the preview's placement and scaled to the preview's
// size once per placement and size, not on every step.
#pragma once
#include <QImage>
#include <QRect>

namespace latentshop::ui {

class PreviewMask {
public:
  // The document mask the job started from (Grayscale8, document size); a null image: no mask,
  // previews pass unchanged.
  void setMask(const QImage& documentMask);
  bool isNull() const { return mask_.isNull(); }
  // `image` covers `placement` (document pixels; empty = the whole `documentSize`). Returns it as
  // ARGB32 with alpha = the mask over that area (scaled smoothly, so its edge is soft).
  QImage apply(const QImage& image, const QRect& placement, const QSize& documentSize);

private:
  QImage mask_;
  QRect cachedPlace_;
  QSize cachedSize_;
  QImage cachedAlpha_;  // Grayscale8 at the preview's size
};

}  // namespace latentshop::ui
