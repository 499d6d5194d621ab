// The document being edited: the original image, a stack of layers over it (results of edits,
// masks, annotations), the working mask the brush paints, the working drag points, the selected
// layer, and the QUndoStack every change goes through. Views (canvas, layers panel, history panel)
// listen to its signals; project I/O (ORA/PSD, autosave) takes a snapshot() and restores with
// reset() (ui/document/project_convert.h converts both to engine/io's Project).
//
// Editing API: each public mutator below pushes exactly one undo command (or a macro), so Ctrl+Z
// undoes it. The "no-undo" section is for undo commands themselves (and project loading): it changes
// state and emits signals without touching the stack.
#pragma once
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QImage>
#include <QRect>
#include <QString>

#include "ui/document/layer.h"

class QUndoStack;

namespace latentshop::ui {

// Document-level data a project file keeps besides the pixels (engine/io/project.h's
// ProjectMetadata and the original image's own layer entry).
struct DocumentInfo {
  QString originalId = QStringLiteral("original");   // the original's layer id in project files
  QString originalName = QStringLiteral("Original");  // its name there (and in the layers panel)
  QJsonObject originalParams;                         // parameters stored with it (usually none)
  QString model;        // the model selected when the document was last edited
  QString sourcePath;   // the image or project the document came from
  QRect selection;      // rectangular selection in document pixels (empty: none)
  QJsonObject extra;    // GUI state kept with the project (pending results, view, tool settings)
};

// Everything a document holds, as cheap implicitly shared copies: a snapshot can be handed to a
// worker thread (QImage detaches when the document later writes its own copy).
struct DocumentContent {
  QImage original;               // RGB32 or ARGB32 (see Document::original)
  QList<Layer> layers;           // bottom -> top
  QImage mask;                   // Grayscale8 of the original's size, or null (no mask)
  QImage keepOut;                // Grayscale8 of the original's size, or null (no keep-out region)
  QList<DragPair> workingPoints; // drag points being placed
  LayerId activeLayer = 0;       // the selected layer; 0 = the original
  DocumentInfo info;
};

// Which working mask a brush stroke or mask edit writes: the hole to fill, or the keep-out region
// content-aware removal never copies from (engine/pipelines/exemplar, PatchMatch's keepOut).
enum class MaskTarget { Hole, KeepOut };

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
  // The same with everything a project restores (selected layer, drag points, metadata).
  void reset(const DocumentContent& content, const QString& path);
  // The whole document as shared copies (no pixel copy), for saving on another thread.
  DocumentContent snapshot() const;

  // Project metadata. Not undoable and not an edit: it does not mark the document modified.
  const DocumentInfo& info() const { return info_; }
  void setModel(const QString& model) { info_.model = model; }
  void setExtra(const QString& key, const QJsonValue& value);  // info().extra[key]; null removes

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

  // ---- Keep-out mask (document_keep_out.cpp) -----------------------------------------------
  // Format_Grayscale8, document size; > 127 = content-aware removal never copies from there.
  const QImage& keepOut() const { return keepOut_; }
  bool keepOutIsEmpty() const;
  void replaceKeepOut(const QImage& next, const QString& undoText);  // one undo step
  void clearKeepOut();
  // The mask a target names (mask() or keepOut()).
  const QImage& maskOf(MaskTarget target) const { return target == MaskTarget::KeepOut ? keepOut_ : mask_; }

  // ---- Rendering ----------------------------------------------------------------------------
  // The visible pixel layers over the original inside `region` (empty: the whole document), as
  // Format_ARGB32_Premultiplied of the region's size. includePending=false gives "before".
  QImage render(const QRect& region = QRect(), bool includePending = true) const;
  // What the next edit starts from: the original with the visible *applied* layers.
  QImage editSource() const { return render(QRect(), false); }

  QUndoStack* undoStack() const { return undo_; }
  // Unsaved changes: the undo stack is away from its clean index, or the document was restored
  // from a recovery file and not saved since.
  bool isModified() const;
  // After a save: the current state is what the file holds.
  void markClean();
  // Marks the document modified without an undo step (a restored recovery file).
  void markModified();
  // Bumped by every change of the undo stack's state and by reset(): a save that took its
  // snapshot at revision r may mark the document clean only if revision() is still r.
  quint64 revision() const { return revision_; }

  // ---- Selected layer (undoable; consecutive selections merge into one step) -----------------
  LayerId activeLayer() const;  // 0 = the original (also when the selected layer went away)
  void selectLayer(LayerId id);

  // ---- Working drag points ------------------------------------------------------------------
  const QList<DragPair>& workingPoints() const { return points_; }
  void setWorkingPoints(const QList<DragPair>& points, const QString& undoText);

  // ---- Edits (one undo step each) -----------------------------------------------------------
  LayerId addLayer(Layer layer, int index = -1, const QString& undoText = QString());
  // A pending result from an edit; replaces (in the same undo step) any pending result already
  // there, so re-running an edit shows only the newest result.
  LayerId addPendingResult(const QImage& image, const QPoint& offset, const QString& name,
                           const QJsonObject& params, const QImage& mask = QImage());
  // The same for a prepared layer (e.g. with drag points); kind and pending are set here.
  LayerId addPendingResult(Layer layer);
  // Shows another candidate of a batch in the pending result `id` (pixels, placement, name,
  // parameters; the id stays). Consecutive switches merge into one undo step.
  void showVariation(LayerId id, const Layer& variation);
  void applyResult(LayerId id);    // pending -> applied ("Apply")
  void discardResult(LayerId id);  // removes it ("Discard")
  void removeLayer(LayerId id, const QString& undoText = QString());
  void setLayerVisible(LayerId id, bool visible);
  void setLayerOpacity(LayerId id, qreal opacity);  // consecutive changes of one layer merge
  void renameLayer(LayerId id, const QString& name);
  void moveLayer(LayerId id, int toIndex);
  // A copy of the layer right above it, named "<name> copy" and selected; returns its id.
  LayerId duplicateLayer(LayerId id);
  // Merges a visible, applied pixel layer into the one below it (or into the original when it is
  // the bottom layer): the merged pixels look as the two did (to 8-bit rounding), the lower keeps its
  // name, kind, mask and parameters (the upper's are added under "merged_layers"). Returns the
  // layer merged into (0 for the original), or -1 when mergeDownBlocker() is not empty.
  LayerId mergeDown(LayerId id);
  QString mergeDownBlocker(LayerId id) const;  // why it cannot merge down ("" when it can)

  // Whole-mask edits; the undo command stores only the bounding box of the changed pixels.
  void replaceMask(const QImage& newMask, const QString& undoText);
  void replaceMaskOf(MaskTarget target, const QImage& next, const QString& undoText);
  void clearMask();
  void invertMask();
  void growMask(int px);  // px < 0 shrinks; exact Euclidean distance (engine/pipelines/mask_ops)

  // Brush strokes: begin, write into strokeMask() and report each dirty rect, end. The stroke is one
  // undo command holding the before/after pixels of the changed rectangle only. A stroke paints the
  // hole mask or the keep-out mask (`target`).
  void beginMaskStroke(MaskTarget target = MaskTarget::Hole);
  bool isStroking() const { return stroking_; }
  QImage& strokeMask();                    // the live mask of the stroke's target; valid between begin and end
  void strokeUpdated(const QRect& dirty);  // repaints; accumulates the stroke's rectangle
  bool endMaskStroke(const QString& undoText);  // false (no command) when nothing changed
  void cancelMaskStroke();                      // restores the mask as it was at begin

  // ---- Whole-document geometry (document_transform.cpp, ui/document/document_geometry.h) ------
  // Replaces the whole content by `after` (crop, resize, canvas size, rotate, flip, a new
  // document's pixels) in one undo step; undo gives the content back as it was. Views rebuild as
  // after reset(), but the undo history and the file path stay.
  void transformContent(const DocumentContent& after, const QString& undoText);

  // ---- No-undo primitives for undo commands and project loading -----------------------------
  // Everything of `content` (not the path, the undo stack or the saved state); emits documentReset.
  void loadContentNoUndo(const DocumentContent& content);
  LayerId nextLayerId();
  void insertLayerNoUndo(int index, const Layer& layer);
  Layer takeLayerNoUndo(int index);
  void moveLayerNoUndo(int from, int to);  // one layersChanged, so views see a move
  void replaceLayerNoUndo(int index, const Layer& layer);  // same id; emits the right signals
  void writeMaskNoUndo(const QPoint& topLeft, const QImage& pixels, MaskTarget target = MaskTarget::Hole);
  void writeOriginalNoUndo(const QPoint& topLeft, const QImage& pixels);  // same format as original()
  void setActiveLayerNoUndo(LayerId id);
  void setWorkingPointsNoUndo(const QList<DragPair>& points);

Q_SIGNALS:
  void documentReset();                     // new original/layers/mask: views rebuild everything
  void contentChanged(const QRect& region); // the composite changed inside region (doc pixels)
  void layersChanged();                     // the stack or a layer's properties changed
  void maskChanged(const QRect& region);
  void keepOutChanged(const QRect& region);
  void filePathChanged(const QString& path);
  void modifiedChanged(bool modified);
  void activeLayerChanged(latentshop::ui::LayerId id);
  void workingPointsChanged();

private:
  void emitModified();
  void removeWithSelection(LayerId id, const QString& text);

  QImage original_;
  QString filePath_;
  QList<Layer> layers_;
  QImage mask_;
  QImage keepOut_;
  MaskTarget strokeTarget_ = MaskTarget::Hole;
  QUndoStack* undo_;
  LayerId nextId_ = 1;
  bool stroking_ = false;
  QImage strokeBefore_;
  QRect strokeRect_;
  LayerId active_ = 0;
  QList<DragPair> points_;
  DocumentInfo info_;
  bool forcedModified_ = false;
  bool lastModified_ = false;
  quint64 revision_ = 0;
};

}  // namespace latentshop::ui
