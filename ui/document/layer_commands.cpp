#include "ui/document/layer_commands.h"

#include "ui/document/document.h"

namespace latentshop::ui {

InsertLayerCommand::InsertLayerCommand(Document* doc, int index, Layer layer, const QString& text,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), index_(index), layer_(std::move(layer)) {}

void InsertLayerCommand::redo() { doc_->insertLayerNoUndo(index_, layer_); }

void InsertLayerCommand::undo() { layer_ = doc_->takeLayerNoUndo(doc_->indexOf(layer_.id)); }

RemoveLayerCommand::RemoveLayerCommand(Document* doc, LayerId id, const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), id_(id) {}

void RemoveLayerCommand::redo() {
  index_ = doc_->indexOf(id_);
  if (index_ >= 0) layer_ = doc_->takeLayerNoUndo(index_);
}

void RemoveLayerCommand::undo() {
  if (index_ >= 0) doc_->insertLayerNoUndo(index_, layer_);
}

ChangeLayerCommand::ChangeLayerCommand(Document* doc, Layer before, Layer after, const QString& text, int mergeKey,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), before_(std::move(before)), after_(std::move(after)),
      mergeKey_(mergeKey) {}

void ChangeLayerCommand::set(const Layer& layer) {
  const int index = doc_->indexOf(layer.id);
  if (index >= 0) doc_->replaceLayerNoUndo(index, layer);
}

void ChangeLayerCommand::redo() { set(after_); }
void ChangeLayerCommand::undo() { set(before_); }

bool ChangeLayerCommand::mergeWith(const QUndoCommand* other) {
  const auto* o = dynamic_cast<const ChangeLayerCommand*>(other);
  if (!o || o->mergeKey_ != mergeKey_ || mergeKey_ < 0 || o->after_.id != after_.id) return false;
  after_ = o->after_;
  return true;
}

MoveLayerCommand::MoveLayerCommand(Document* doc, LayerId id, int from, int to, const QString& text,
                                   QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), id_(id), from_(from), to_(to) {}

void MoveLayerCommand::move(int from, int to) { doc_->moveLayerNoUndo(from, to); }

void MoveLayerCommand::redo() { move(from_, to_); }
void MoveLayerCommand::undo() { move(to_, from_); }

SelectLayerCommand::SelectLayerCommand(Document* doc, LayerId before, LayerId after, const QString& text,
                                       QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), before_(before), after_(after) {}

void SelectLayerCommand::redo() { doc_->setActiveLayerNoUndo(after_); }
void SelectLayerCommand::undo() { doc_->setActiveLayerNoUndo(before_); }

int SelectLayerCommand::id() const { return ChangeLayerCommand::SelectKey; }

bool SelectLayerCommand::mergeWith(const QUndoCommand* other) {
  const auto* o = dynamic_cast<const SelectLayerCommand*>(other);
  if (!o) return false;
  after_ = o->after_;
  setText(o->text());
  setObsolete(after_ == before_);
  return true;
}

ChangeOriginalCommand::ChangeOriginalCommand(Document* doc, const QPoint& topLeft, QImage before, QImage after,
                                             const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), topLeft_(topLeft), before_(std::move(before)), after_(std::move(after)) {}

void ChangeOriginalCommand::redo() { doc_->writeOriginalNoUndo(topLeft_, after_); }
void ChangeOriginalCommand::undo() { doc_->writeOriginalNoUndo(topLeft_, before_); }

WorkingPointsCommand::WorkingPointsCommand(Document* doc, QList<DragPair> before, QList<DragPair> after,
                                           const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent), doc_(doc), before_(std::move(before)), after_(std::move(after)) {}

void WorkingPointsCommand::redo() { doc_->setWorkingPointsNoUndo(after_); }
void WorkingPointsCommand::undo() { doc_->setWorkingPointsNoUndo(before_); }

}  // namespace latentshop::ui
