// Document: whole-content edits (crop, resize, canvas size, rotate, flip) as one undo step that
// holds the content before and after as shared copies (no pixel copy until either is written).
#include <QUndoCommand>
#include <QUndoStack>

#include "ui/document/document.h"

namespace latentshop::ui {

namespace {

class ContentCommand : public QUndoCommand {
public:
  ContentCommand(Document* doc, DocumentContent before, DocumentContent after, const QString& text)
      : QUndoCommand(text), doc_(doc), before_(std::move(before)), after_(std::move(after)) {}
  void redo() override { doc_->loadContentNoUndo(after_); }
  void undo() override { doc_->loadContentNoUndo(before_); }

private:
  Document* doc_;
  DocumentContent before_;
  DocumentContent after_;
};

}  // namespace

void Document::transformContent(const DocumentContent& after, const QString& undoText) {
  if (isNull() || after.original.isNull()) return;
  if (stroking_) cancelMaskStroke();
  undo_->push(new ContentCommand(this, snapshot(), after, undoText));
}

}  // namespace latentshop::ui
