// The document's keep-out mask: the region content-aware removal must never copy from (another
// object, a face, text), painted with the mask brush in its keep-out mode. Mirrors the working mask's
// edits (document.cpp): one undo command per change, holding only the changed rectangle.
#include "ui/document/document.h"
#include "ui/document/mask_commands.h"
#include "ui/document/mask_image.h"

namespace latentshop::ui {

bool Document::keepOutIsEmpty() const { return !anyNonZero(keepOut_); }

void Document::replaceKeepOut(const QImage& next, const QString& undoText) {
  if (isNull() || next.size() != keepOut_.size()) return;
  const QImage gray = next.convertToFormat(QImage::Format_Grayscale8);
  const QRect changed = differenceBounds(keepOut_, gray);
  if (changed.isEmpty()) return;
  undo_->push(new MaskEditCommand(this, changed.topLeft(), keepOut_.copy(changed), gray.copy(changed), undoText,
                                  MaskTarget::KeepOut));
}

void Document::clearKeepOut() {
  if (!isNull()) replaceKeepOut(emptyMask(size()), tr("Clear keep-out"));
}

}  // namespace latentshop::ui
