// Undo commands for the layer stack. Each keeps what it needs to go both ways (QImage copies are
// implicitly shared, so holding a Layer costs no pixel copy). Others add theirs next to these
// (duplicate, merge down) using Document's no-undo primitives.
#pragma once
#include <QUndoCommand>

#include "ui/document/layer.h"

namespace latentshop::ui {

class Document;

// Inserts `layer` at `index` (redo) / takes it out again (undo).
class InsertLayerCommand : public QUndoCommand {
public:
  InsertLayerCommand(Document* doc, int index, Layer layer, const QString& text, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

private:
  Document* doc_;
  int index_;
  Layer layer_;
};

// Removes the layer with `id` (redo) / puts it back where it was (undo).
class RemoveLayerCommand : public QUndoCommand {
public:
  RemoveLayerCommand(Document* doc, LayerId id, const QString& text, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

private:
  Document* doc_;
  LayerId id_;
  int index_ = -1;
  Layer layer_;
};

// Replaces a layer's properties (visibility, opacity, name, pending, pixels) by `after`. Commands
// built with a non-negative `mergeKey` merge with the previous one of the same key and layer, so an
// opacity slider drag is one undo step.
class ChangeLayerCommand : public QUndoCommand {
public:
  ChangeLayerCommand(Document* doc, Layer before, Layer after, const QString& text, int mergeKey = -1,
                     QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;
  int id() const override { return mergeKey_; }
  bool mergeWith(const QUndoCommand* other) override;

  enum MergeKey { OpacityKey = 1001 };

private:
  void set(const Layer& layer);
  Document* doc_;
  Layer before_;
  Layer after_;
  int mergeKey_;
};

// Moves a layer from one index to another.
class MoveLayerCommand : public QUndoCommand {
public:
  MoveLayerCommand(Document* doc, LayerId id, int from, int to, const QString& text, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

private:
  void move(int from, int to);
  Document* doc_;
  LayerId id_;
  int from_;
  int to_;
};

}  // namespace latentshop::ui
