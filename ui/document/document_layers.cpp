// Document: the selected layer, the working drag points, and the layer operations built from
// several undo commands (duplicate, merge down).
#include <QJsonArray>
#include <QPainter>
#include <QUndoStack>

#include "ui/document/document.h"
#include "ui/document/layer_commands.h"

namespace latentshop::ui {

LayerId Document::activeLayer() const { return indexOf(active_) >= 0 ? active_ : 0; }

void Document::selectLayer(LayerId id) {
  if (id != 0 && indexOf(id) < 0) return;
  if (id == activeLayer()) return;
  const QString name = id ? layer(id)->name : info_.originalName;
  undo_->push(new SelectLayerCommand(this, activeLayer(), id, tr("Select \u201c%1\u201d").arg(name)));
}

void Document::setWorkingPoints(const QList<DragPair>& points, const QString& undoText) {
  if (points == points_) return;
  undo_->push(new WorkingPointsCommand(this, points_, points, undoText));
}

LayerId Document::duplicateLayer(LayerId id) {
  const int index = indexOf(id);
  if (index < 0) return 0;
  Layer copy = layers_[index];
  copy.id = nextLayerId();
  copy.name = tr("%1 copy").arg(copy.name);
  copy.pending = false;
  const LayerId newId = copy.id;
  const QString text = tr("Duplicate \u201c%1\u201d").arg(layers_[index].name);
  undo_->beginMacro(text);
  undo_->push(new InsertLayerCommand(this, index + 1, std::move(copy), text));
  undo_->push(new SelectLayerCommand(this, activeLayer(), newId, text));
  undo_->endMacro();
  return newId;
}

QString Document::mergeDownBlocker(LayerId id) const {
  const int index = indexOf(id);
  if (index < 0) return tr("Select a layer to merge down.");
  const Layer& upper = layers_[index];
  if (!upper.isPixelLayer()) return tr("Only image and result layers can be merged.");
  if (upper.pending) return tr("Apply or discard the result first.");
  if (!upper.visible) return tr("Show the layer first: merging keeps what you see.");
  if (index == 0) return QString();  // into the original
  const Layer& lower = layers_[index - 1];
  if (!lower.isPixelLayer()) return tr("The layer below is not an image layer.");
  if (!lower.visible) return tr("Show the layer below first: merging keeps what you see.");
  return QString();
}

LayerId Document::mergeDown(LayerId id) {
  if (!mergeDownBlocker(id).isEmpty()) return -1;
  const int index = indexOf(id);
  const Layer upper = layers_[index];
  if (index == 0) {
    // Into the original: only the rectangle the layer covers changes.
    const QRect r = upper.bounds() & rect();
    const QString text = tr("Merge \u201c%1\u201d into %2").arg(upper.name, info_.originalName);
    undo_->beginMacro(text);
    if (!r.isEmpty()) {
      const QImage before = original_.copy(r);
      QImage after = before.convertToFormat(QImage::Format_ARGB32_Premultiplied);
      QPainter p(&after);
      p.setOpacity(upper.opacity);
      p.drawImage(upper.offset - r.topLeft(), upper.image);
      p.end();
      undo_->push(new ChangeOriginalCommand(this, r.topLeft(), before, after.convertToFormat(original_.format()), text));
    }
    undo_->push(new SelectLayerCommand(this, activeLayer(), 0, text));
    undo_->push(new RemoveLayerCommand(this, id, text));
    undo_->endMacro();
    return 0;
  }
  const Layer lower = layers_[index - 1];
  const QRect r = lower.bounds() | upper.bounds();
  QImage pixels(r.size(), QImage::Format_ARGB32_Premultiplied);
  pixels.fill(Qt::transparent);
  QPainter p(&pixels);
  p.setOpacity(lower.opacity);
  p.drawImage(lower.offset - r.topLeft(), lower.image);
  p.setOpacity(upper.opacity);
  p.drawImage(upper.offset - r.topLeft(), upper.image);
  p.end();
  Layer merged = lower;
  merged.image = pixels.convertToFormat(QImage::Format_ARGB32);
  merged.offset = r.topLeft();
  merged.opacity = 1.0;
  if (!upper.params.isEmpty()) {
    QJsonArray list = merged.params.value(QStringLiteral("merged_layers")).toArray();
    list.append(QJsonObject{{QStringLiteral("name"), upper.name}, {QStringLiteral("params"), upper.params}});
    merged.params.insert(QStringLiteral("merged_layers"), list);
  }
  const QString text = tr("Merge \u201c%1\u201d down into \u201c%2\u201d").arg(upper.name, lower.name);
  undo_->beginMacro(text);
  undo_->push(new ChangeLayerCommand(this, lower, merged, text));
  undo_->push(new SelectLayerCommand(this, activeLayer(), lower.id, text));
  undo_->push(new RemoveLayerCommand(this, id, text));
  undo_->endMacro();
  return lower.id;
}

void Document::showVariation(LayerId id, const Layer& variation) {
  const Layer* l = layer(id);
  if (!l || !l->pending) return;
  Layer after = variation;
  after.id = id;
  after.kind = LayerKind::Result;
  after.pending = true;
  after.visible = l->visible;
  after.opacity = l->opacity;
  after.image = variation.image.convertToFormat(QImage::Format_ARGB32);
  if (!after.mask.isNull()) after.mask = after.mask.convertToFormat(QImage::Format_Grayscale8);
  undo_->push(new ChangeLayerCommand(this, *l, after, tr("Show variation"), ChangeLayerCommand::VariationKey));
}

}  // namespace latentshop::ui
