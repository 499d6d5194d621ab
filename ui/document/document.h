// The document being edited: the original image, a stack of layers over it (results of edits,
// masks, annotations), the working mask the brush paints, and the QUndoStack every change goes
// through. Views (canvas, layers panel, history panel) listen to its signals; project I/O
// (ORA/PSD, autosave) reads layers()/original()/mask() and restores with reset().
//
// Editing API: each public mutator below pushes exactly one undo command (or a macro), so Ctrl+Z
// undoes it. The "no-undo" section is for undo commands themselves (and project loading): it changes
// state and emits signals without touching the stack.
#pragma once
#include <QList>
#include <QObject>
#include <QImage>
#include <QRect>
#include <QString>

#include "ui/document/layer.h"

class QUndoStack;

namespace latentshop::ui {

class Document : public QObject {
  Q_OBJECT
public:
  explicit Document(QObject* parent = nullptr);
  ~Document() override;

  // ---- Content ------------------------------------------------------------------------------
  bool isNull() const { return original_.isNull(); }
  QSize size() const { return original_.size(); }
  QRect rect() const { return original_.rect(); }
  // Format_RGB32 (opaque images) or Format_ARGB32 (images with alpha).
  const QImage& original() const { return original_; }
  QString filePath() const { return filePath_; }
  void setFilePath(const QString& path);
  QString displayName() const;  // file name, or "Untitled"

  // Replaces everything (original, layers, mask), clears the undo stack and emits documentReset().
  // `layers` keep their ids when they are unique and > 0; `mask` must be empty or Grayscale8 of the
  // image's size (empty: nothing selected). For opening images and project files.
  void reset(const QImage& original, const QString& path, const QList<Layer>& layers = {},
             const QImage& mask = QImage());

  // ---- Layers (index 0 is the bottom, just above the original) ------------------------------
  const QList<Layer>& layers() const { return layers_; }
  int layerCount() const { return int(layers_.size()); }
  const Layer& layerAt(int index) const { return layers_.at(index); }
  int indexOf(LayerId id) const;  // -1 when absent
  const Layer* layer(LayerId id) const;
  LayerId topPendingLayer() const;  // the topmost pending result, 0 if none
  bool hasPendingResult() const { return topPendingLayer() != 0; }

  // ---- Working mask -------------------------------------------------------------------------
  // Format_Grayscale8, document size, 0 = keep, 255 = edit, in between = soft selection.
  const QImage& mask() const { return mask_; }
  bool maskIsEmpty() const;
  QRect maskBounds() const;  // bounding box of non-zero pixels (empty rect when none)

  // ---- Rendering ----------------------------------------------------------------------------
  // The visible pixel layers over the original inside `region` (empty: the whole document), as
  // Format_ARGB32_Premultiplied of the region's size. includePending=false gives "before".
  QImage render(const QRect& region = QRect(), bool includePending = true) const;
  // What the next edit starts from: the original with the visible *applied* layers.
  QImage editSource() const { return render(QRect(), false); }

  QUndoStack* undoStack() const { return undo_; }
  bool isModified() const;

  // ---- Edits (one undo step each) -----------------------------------------------------------
  LayerId addLayer(Layer layer, int index = -1, const QString& undoText = QString());
  // A pending result from an edit; replaces (in the same undo step) any pending result already
  // there, so re-running an edit shows only the newest result.
  LayerId addPendingResult(const QImage& image, const QPoint& offset, const QString& name,
                           const QJsonObject& params, const QImage& mask = QImage());
  // The same for a prepared layer (e.g. with drag points); kind and pending are set here.
  LayerId addPendingResult(Layer layer);
  void applyResult(LayerId id);    // pending -> applied ("Apply")
  void discardResult(LayerId id);  // removes it ("Discard")
  void removeLayer(LayerId id, const QString& undoText = QString());
  void setLayerVisible(LayerId id, bool visible);
  void setLayerOpacity(LayerId id, qreal opacity);  // consecutive changes of one layer merge
  void renameLayer(LayerId id, const QString& name);
  void moveLayer(LayerId id, int toIndex);

  // Whole-mask edits; the undo command stores only the bounding box of the changed pixels.
  void replaceMask(const QImage& newMask, const QString& undoText);
  void clearMask();
  void invertMask();
  void growMask(int px);  // px < 0 shrinks; exact Euclidean distance (engine/pipelines/mask_ops)

  // Brush strokes: begin, write into strokeMask() and report each dirty rect, end. The stroke is one
  // undo command holding the before/after pixels of the changed rectangle only.
  void beginMaskStroke();
  bool isStroking() const { return stroking_; }
  QImage& strokeMask();                    // the live mask; valid between begin and end
  void strokeUpdated(const QRect& dirty);  // repaints; accumulates the stroke's rectangle
  bool endMaskStroke(const QString& undoText);  // false (no command) when nothing changed
  void cancelMaskStroke();                      // restores the mask as it was at begin

  // ---- No-undo primitives for undo commands and project loading -----------------------------
  LayerId nextLayerId();
  void insertLayerNoUndo(int index, const Layer& layer);
  Layer takeLayerNoUndo(int index);
  void replaceLayerNoUndo(int index, const Layer& layer);  // same id; emits the right signals
  void writeMaskNoUndo(const QPoint& topLeft, const QImage& pixels);

Q_SIGNALS:
  void documentReset();                     // new original/layers/mask: views rebuild everything
  void contentChanged(const QRect& region); // the composite changed inside region (doc pixels)
  void layersChanged();                     // the stack or a layer's properties changed
  void maskChanged(const QRect& region);
  void filePathChanged(const QString& path);
  void modifiedChanged(bool modified);

private:
  QImage original_;
  QString filePath_;
  QList<Layer> layers_;
  QImage mask_;
  QUndoStack* undo_;
  LayerId nextId_ = 1;
  bool stroking_ = false;
  QImage strokeBefore_;
  QRect strokeRect_;
};

}  // namespace latentshop::ui
