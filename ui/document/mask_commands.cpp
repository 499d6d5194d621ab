#include "ui/document/mask_commands.h"

#include "ui/document/document.h"

namespace latentshop::ui {

MaskEditCommand::MaskEditCommand(Document* doc, const QPoint& topLeft, QImage before, QImage after,
                                 const QString& text, MaskTarget target, QUndoCommand* parent)
    : QUndoCommand(text, parent),
      doc_(doc),
      topLeft_(topLeft),
      before_(std::move(before)),
      after_(std::move(after)),
      target_(target) {}

// Writing is idempotent, so the first redo (when the stroke already painted these pixels) is harmless.
void MaskEditCommand::redo() { doc_->writeMaskNoUndo(topLeft_, after_, target_); }
void MaskEditCommand::undo() { doc_->writeMaskNoUndo(topLeft_, before_, target_); }

}  // namespace latentshop::ui
