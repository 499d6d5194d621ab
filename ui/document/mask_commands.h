// Undo command for the working mask: the before/after pixels of one rectangle (a brush stroke's
// bounding box, or the changed part of an invert/clear/grow), so a stroke on a 24 MP mask stores
// kilobytes, not the whole mask.
#pragma once
#include <QImage>
#include <QPoint>
#include <QUndoCommand>

namespace latentshop::ui {

class Document;
enum class MaskTarget;

class MaskEditCommand : public QUndoCommand {
public:
  // before/after: Grayscale8 images of the same size placed at topLeft in the mask `target` names.
  MaskEditCommand(Document* doc, const QPoint& topLeft, QImage before, QImage after, const QString& text,
                  MaskTarget target, QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;
  QRect rect() const { return QRect(topLeft_, after_.size()); }

private:
  Document* doc_;
  QPoint topLeft_;
  QImage before_;
  QImage after_;
  MaskTarget target_;
};

}  // namespace latentshop::ui
