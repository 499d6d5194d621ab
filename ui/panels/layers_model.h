// The document's layer stack as a Qt list model for the layers panel: row 0 is the top layer, the
// last row the original image (not movable, always shown). Names are editable in place, the check
// state is visibility, OpacityRole the opacity, and drag and drop (or moveRows) reorders; every
// change goes through Document's undoable edits, and the model follows the document's signals
// (inserting, removing or moving one row in place, so the view keeps its selection).
#pragma once
#include <QAbstractListModel>
#include <QHash>
#include <QImage>
#include <QPointer>

#include "ui/document/document.h"

namespace latentshop::ui {


class LayersModel : public QAbstractListModel {
  Q_OBJECT
public:
  enum Role {
    LayerIdRole = Qt::UserRole + 1,  // LayerId (0 for the original)
    OpacityRole,                     // double 0..1 (settable)
    KindRole,                        // "image" / "result" / "mask" / "annotation"
    PendingRole,                     // bool: a result not applied yet
    ParamsRole,                      // QString: the parameters as indented JSON ("" when none)
    IsOriginalRole,                  // bool
    SubtitleRole,                    // QString: "Result · 80 % · pending"
  };
  static constexpr const char* kMimeType = "application/x-latentshop-layer";
  static constexpr int kThumbnailSize = 40;  // device-independent pixels, the longer side

  explicit LayersModel(QObject* parent = nullptr);

  void setDocument(Document* doc);
  Document* document() const { return doc_; }

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Drag and drop of one layer within the list (a move through Document::moveLayer).
  Qt::DropActions supportedDropActions() const override { return Qt::MoveAction; }
  Qt::DropActions supportedDragActions() const override { return Qt::MoveAction; }
  QStringList mimeTypes() const override;
  QMimeData* mimeData(const QModelIndexList& indexes) const override;
  bool canDropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                       const QModelIndex& parent) const override;
  bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                    const QModelIndex& parent) override;
  // Moves one layer so that it sits before `destinationChild` (rows as before the move).
  bool moveRows(const QModelIndex& sourceParent, int sourceRow, int count, const QModelIndex& destinationParent,
                int destinationChild) override;

  LayerId layerIdAt(int row) const;  // 0 for the original's row (and out of range)
  int rowOf(LayerId id) const;       // the original's row for 0; -1 when absent
  int originalRow() const { return int(ids_.size()); }
  // The thumbnail for a row: the layer where it sits on the document, scaled to fit
  // kThumbnailSize * devicePixelRatio (cached until the layer's pixels change).
  QImage thumbnail(int row, double devicePixelRatio = 1.0) const;
  int thumbnailsRendered() const { return thumbnailsRendered_; }
  // True while the model follows a document change (views move their current row then; that is
  // not the user selecting a layer).
  bool isUpdating() const { return updating_ > 0; }

private:
  void sync();
  void syncRows();
  QList<LayerId> currentIds() const;
  // The layer index a layer dropped before `row` ends at, when it came from `fromRow`.
  int targetIndexFor(int fromRow, int row) const;

  QPointer<Document> doc_;
  QList<LayerId> ids_;  // row order: top first
  struct Thumb {
    qint64 key = 0;
    QImage image;
  };
  mutable QHash<quint64, Thumb> thumbs_;  // by (LayerId, device pixel ratio)
  mutable int thumbnailsRendered_ = 0;
  int updating_ = 0;
};

}  // namespace latentshop::ui
