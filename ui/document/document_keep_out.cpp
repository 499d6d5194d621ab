// The document's keep-out mask: the region content-aware removal must never copy from (another
// object, a face, text), painted with the mask brush in its keep-out mode. Mirrors the working mask's
// edits (document.cpp): one undo command per change, holding only the changed rectangle.
#include "ui/document/document.h"
#include "ui/document/mask_commands.h"
#include "ui/document/mask_image.h"

namespace latentshop::ui {

bool Document::keepOutIsEmpty() const { return !anyNonZero(keepOut_); }

void Document::replaceKeepOut(const QImage& next, const QString& undoText) {
  replaceMaskOf(MaskTarget::KeepOut, next, undoText);
}

void Document::clearKeepOut() {
  if (!isNull()) replaceKeepOut(emptyMask(size()), tr("Clear keep-out"));
}

}  // namespace latentshop::ui
