#include "ui/panels/layers_model.h"

#include <algorithm>
#include <cmath>

#include <QDataStream>
#include <QJsonDocument>
#include <QMimeData>
#include <QPainter>

#include "ui/document/document.h"

namespace latentshop::ui {

namespace {

QString kindTitle(LayerKind kind) {
  switch (kind) {
    case LayerKind::Image: return LayersModel::tr("Image");
    case LayerKind::Result: return LayersModel::tr("Result");
    case LayerKind::Mask: return LayersModel::tr("Mask");
    case LayerKind::Annotation: return LayersModel::tr("Annotation");
  }
  return QString();
}

QString paramsText(const QJsonObject& params) {
  return params.isEmpty() ? QString() : QString::fromUtf8(QJsonDocument(params).toJson(QJsonDocument::Indented)).trimmed();
}

}  // namespace

LayersModel::LayersModel(QObject* parent) : QAbstractListModel(parent) {}

void LayersModel::setDocument(Document* doc) {
  if (doc_ == doc) return;
  if (doc_) disconnect(doc_, nullptr, this, nullptr);
  beginResetModel();
  doc_ = doc;
  ids_ = currentIds();
  thumbs_.clear();
  endResetModel();
  if (doc_) {
    connect(doc_, &Document::layersChanged, this, &LayersModel::sync);
    connect(doc_, &Document::documentReset, this, [this] {
      ++updating_;
      beginResetModel();
      ids_ = currentIds();
      thumbs_.clear();
      endResetModel();
      --updating_;
    });
    // The original's pixels change only by merging down, which also changes the layers.
    connect(doc_, &QObject::destroyed, this, [this] {
      beginResetModel();
      ids_.clear();
      endResetModel();
    });
  }
}

QList<LayerId> LayersModel::currentIds() const {
  QList<LayerId> ids;
  if (!doc_ || doc_->isNull()) return ids;
  for (int i = doc_->layerCount() - 1; i >= 0; --i) ids.push_back(doc_->layerAt(i).id);
  return ids;
}

void LayersModel::sync() {
  ++updating_;
  syncRows();
  --updating_;
}

void LayersModel::syncRows() {
  const QList<LayerId> next = currentIds();
  const QList<LayerId>& prev = ids_;
  const auto refreshAll = [this] {
    if (rowCount() > 0) Q_EMIT dataChanged(index(0), index(rowCount() - 1));
  };
  if (next == prev) {
    refreshAll();
    return;
  }
  // One row inserted or removed: the lists agree except for it.
  if (next.size() == prev.size() + 1 || next.size() + 1 == prev.size()) {
    const bool inserted = next.size() > prev.size();
    const QList<LayerId>& longer = inserted ? next : prev;
    const QList<LayerId>& shorter = inserted ? prev : next;
    int at = 0;
    while (at < shorter.size() && shorter[at] == longer[at]) ++at;
    if (std::equal(shorter.begin() + at, shorter.end(), longer.begin() + at + 1)) {
      if (inserted) {
        beginInsertRows(QModelIndex(), at, at);
        ids_ = next;
        endInsertRows();
      } else {
        beginRemoveRows(QModelIndex(), at, at);
        ids_ = next;
        endRemoveRows();
      }
      refreshAll();
      return;
    }
  }
  // One row moved.
  if (next.size() == prev.size()) {
    for (int from = 0; from < prev.size(); ++from) {
      QList<LayerId> without = prev;
      const LayerId id = without.takeAt(from);
      const int to = int(next.indexOf(id));
      QList<LayerId> candidate = without;
      candidate.insert(to, id);
      if (candidate != next) continue;
      const int destination = to > from ? to + 1 : to;  // Qt counts the destination before the move
      beginMoveRows(QModelIndex(), from, from, QModelIndex(), destination);
      ids_ = next;
      endMoveRows();
      refreshAll();
      return;
    }
  }
  beginResetModel();
  ids_ = next;
  endResetModel();
}

int LayersModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() || !doc_ || doc_->isNull()) return 0;
  return int(ids_.size()) + 1;
}

LayerId LayersModel::layerIdAt(int row) const { return row >= 0 && row < ids_.size() ? ids_[row] : 0; }

int LayersModel::rowOf(LayerId id) const {
  if (id == 0) return rowCount() > 0 ? originalRow() : -1;
  return int(ids_.indexOf(id));
}

QVariant LayersModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || !doc_ || index.row() >= rowCount()) return QVariant();
  const bool original = index.row() == originalRow();
  const Layer* l = original ? nullptr : doc_->layer(ids_[index.row()]);
  if (!original && !l) return QVariant();
  const QString name = original ? doc_->info().originalName : l->name;
  switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole: return name;
    case Qt::DecorationRole: return thumbnail(index.row());
    case Qt::CheckStateRole: return (original || l->visible) ? Qt::Checked : Qt::Unchecked;
    case LayerIdRole: return original ? 0 : l->id;
    case OpacityRole: return original ? 1.0 : l->opacity;
    case KindRole: return original ? QStringLiteral("image") : layerKindName(l->kind);
    case PendingRole: return !original && l->pending;
    case ParamsRole: return paramsText(original ? doc_->info().originalParams : l->params);
    case IsOriginalRole: return original;
    case SubtitleRole: {
      if (original) return tr("Original \u00b7 %1 \u00d7 %2").arg(doc_->size().width()).arg(doc_->size().height());
      QStringList parts{kindTitle(l->kind)};
      if (l->opacity < 1.0) parts << tr("%1 %").arg(std::lround(l->opacity * 100));
      if (!l->visible) parts << tr("hidden");
      if (l->pending) parts << tr("pending");
      return parts.join(QStringLiteral(" \u00b7 "));
    }
    case Qt::ToolTipRole: {
      QString tip = QStringLiteral("<b>%1</b><br>%2").arg(name.toHtmlEscaped(), data(index, SubtitleRole).toString());
      if (!original) {
        tip += tr("<br>%1 \u00d7 %2 px at %3, %4").arg(l->image.width()).arg(l->image.height()).arg(l->offset.x()).arg(l->offset.y());
        if (!l->mask.isNull()) tip += tr("<br>keeps the mask that made it");
        if (!l->points.isEmpty()) tip += tr("<br>%n drag point(s)", nullptr, int(l->points.size()));
      }
      const QString params = data(index, ParamsRole).toString();
      if (!params.isEmpty())
        tip += QStringLiteral("<pre style='margin-top:6px'>%1</pre>").arg(params.left(1500).toHtmlEscaped());
      return tip;
    }
    default: return QVariant();
  }
}

bool LayersModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid() || !doc_ || index.row() >= originalRow()) return false;
  const LayerId id = ids_[index.row()];
  switch (role) {
    case Qt::EditRole: {
      const QString name = value.toString().trimmed();
      if (name.isEmpty()) return false;
      doc_->renameLayer(id, name);
      return true;
    }
    case Qt::CheckStateRole:
      doc_->setLayerVisible(id, Qt::CheckState(value.toInt()) == Qt::Checked);
      return true;
    case OpacityRole: doc_->setLayerOpacity(id, value.toDouble()); return true;
    default: return false;
  }
}

Qt::ItemFlags LayersModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::ItemIsDropEnabled;  // drops land between rows
  Qt::ItemFlags f = Qt::ItemIsSelectable | Qt::ItemIsEnabled;
  if (index.row() < originalRow()) f |= Qt::ItemIsEditable | Qt::ItemIsUserCheckable | Qt::ItemIsDragEnabled;
  return f;
}

QHash<int, QByteArray> LayersModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractListModel::roleNames();
  names.insert(LayerIdRole, "layerId");
  names.insert(OpacityRole, "opacity");
  names.insert(KindRole, "kind");
  names.insert(PendingRole, "pending");
  names.insert(ParamsRole, "params");
  names.insert(IsOriginalRole, "isOriginal");
  names.insert(SubtitleRole, "subtitle");
  return names;
}

QStringList LayersModel::mimeTypes() const { return {QString::fromLatin1(kMimeType)}; }

QMimeData* LayersModel::mimeData(const QModelIndexList& indexes) const {
  if (indexes.size() != 1 || indexes.first().row() >= originalRow()) return nullptr;
  auto* data = new QMimeData;
  data->setData(QString::fromLatin1(kMimeType), QByteArray::number(ids_[indexes.first().row()]));
  return data;
}

int LayersModel::targetIndexFor(int fromRow, int row) const {
  // Rows after the move: the dragged row leaves first, so a later row shifts up by one.
  int newRow = row > fromRow ? row - 1 : row;
  newRow = std::clamp(newRow, 0, int(ids_.size()) - 1);  // never below the original
  return int(ids_.size()) - 1 - newRow;
}

bool LayersModel::canDropMimeData(const QMimeData* data, Qt::DropAction action, int, int, const QModelIndex&) const {
  return doc_ && action == Qt::MoveAction && data && data->hasFormat(QString::fromLatin1(kMimeType));
}

bool LayersModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column, const QModelIndex& parent) {
  if (!canDropMimeData(data, action, row, column, parent)) return false;
  bool ok = false;
  const LayerId id = data->data(QString::fromLatin1(kMimeType)).toInt(&ok);
  const int from = int(ids_.indexOf(id));
  if (!ok || from < 0) return false;
  if (row < 0) row = parent.isValid() ? parent.row() : rowCount();  // on an item: before it; on empty space: the end
  doc_->moveLayer(id, targetIndexFor(from, row));
  // The move is done; returning false keeps the view from also removing the dragged row.
  return false;
}

bool LayersModel::moveRows(const QModelIndex& sourceParent, int sourceRow, int count, const QModelIndex& destinationParent,
                           int destinationChild) {
  if (sourceParent.isValid() || destinationParent.isValid() || count != 1 || !doc_ || sourceRow < 0 ||
      sourceRow >= originalRow())
    return false;
  const int target = targetIndexFor(sourceRow, destinationChild);
  if (doc_->indexOf(ids_[sourceRow]) == target) return false;
  doc_->moveLayer(ids_[sourceRow], target);
  return true;
}

QImage LayersModel::thumbnail(int row, double dpr) const {
  if (!doc_ || doc_->isNull() || row < 0 || row >= rowCount()) return QImage();
  const bool original = row == originalRow();
  const Layer* l = original ? nullptr : doc_->layer(ids_[row]);
  const QImage& image = original ? doc_->original() : l->image;
  const QPoint offset = original ? QPoint() : l->offset;
  const LayerId id = original ? 0 : l->id;
  const quint64 slot = (quint64(quint32(id)) << 8) | quint64(std::lround(dpr * 4) & 0xff);
  const qint64 key = image.cacheKey() ^ (qint64(offset.x()) << 40) ^ (qint64(offset.y()) << 20) ^
                     (qint64(doc_->size().width()) << 8);
  auto it = thumbs_.find(slot);
  if (it != thumbs_.end() && it->key == key) return it->image;

  // The document's aspect inside a kThumbnailSize box; the layer drawn where it sits.
  const QSize docSize = doc_->size();
  const int side = int(std::lround(kThumbnailSize * dpr));
  const QSize box = docSize.scaled(side, side, Qt::KeepAspectRatio).expandedTo(QSize(1, 1));
  const double scale = double(box.width()) / docSize.width();
  QImage thumb(box, QImage::Format_ARGB32_Premultiplied);
  thumb.fill(Qt::transparent);
  if (!image.isNull()) {
    // Sample a large image down in two steps: nearest to ~4x the target (cheap, reads few
    // pixels), then smooth.
    const QSize target(std::max(1, int(std::lround(image.width() * scale))), std::max(1, int(std::lround(image.height() * scale))));
    QImage src = image;
    if (image.width() > target.width() * 4 && image.height() > target.height() * 4)
      src = image.scaled(target * 4, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    const QImage scaled = src.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    QPainter p(&thumb);
    const QPointF at(offset.x() * scale, offset.y() * scale);
    p.drawImage(at, scaled);
    // A patch too small to see at this size gets an outline, so the thumbnail still says where.
    if (!original && (scaled.width() < 6 * dpr || scaled.height() < 6 * dpr)) {
      const QSizeF s(std::max(6.0 * dpr, double(scaled.width())), std::max(6.0 * dpr, double(scaled.height())));
      const QRectF box(at + QPointF(scaled.width() / 2.0, scaled.height() / 2.0) - QPointF(s.width() / 2, s.height() / 2), s);
      p.setRenderHint(QPainter::Antialiasing);
      p.setPen(QPen(QColor(240, 170, 40), 1.2 * dpr));
      p.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5));
    }
  }
  thumb.setDevicePixelRatio(dpr);
  ++thumbnailsRendered_;
  thumbs_.insert(slot, Thumb{key, thumb});
  return thumb;
}

}  // namespace latentshop::ui
