// Undo commands for the layer stack, the selected layer, the original's pixels and the working drag
// points. Each keeps what it needs to go both ways (QImage copies are implicitly shared, so holding
// a Layer costs no pixel copy). Document's public edits (add, remove, duplicate, merge down, ...)
// are built from these, alone or in macros.
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

  enum MergeKey { OpacityKey = 1001, SelectKey = 1002, VariationKey = 1003 };

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

// Changes the selected layer. Consecutive selections merge into one step, and a selection that
// ends where it started leaves no step at all.
class SelectLayerCommand : public QUndoCommand {
public:
  SelectLayerCommand(Document* doc, LayerId before, LayerId after, const QString& text, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;
  int id() const override;
  bool mergeWith(const QUndoCommand* other) override;

private:
  Document* doc_;
  LayerId before_;
  LayerId after_;
};

// Writes pixels into the original image (merging the bottom layer down): the before/after of one
// rectangle, in the original's format.
class ChangeOriginalCommand : public QUndoCommand {
public:
  ChangeOriginalCommand(Document* doc, const QPoint& topLeft, QImage before, QImage after, const QString& text,
                        QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

private:
  Document* doc_;
  QPoint topLeft_;
  QImage before_;
  QImage after_;
};

// Replaces the working drag points.
class WorkingPointsCommand : public QUndoCommand {
public:
  WorkingPointsCommand(Document* doc, QList<DragPair> before, QList<DragPair> after, const QString& text,
                       QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

private:
  Document* doc_;
  QList<DragPair> before_;
  QList<DragPair> after_;
};

}  // namespace latentshop::ui
