#include "ui/document/document.h"

#include <algorithm>

#include <QFileInfo>
#include <QPainter>
#include <QSet>
#include <QUndoStack>

#include "ui/document/layer_commands.h"
#include "ui/document/mask_commands.h"
#include "ui/document/mask_image.h"

namespace latentshop::ui {

Document::Document(QObject* parent) : QObject(parent), undo_(new QUndoStack(this)) {
  connect(undo_, &QUndoStack::cleanChanged, this, &Document::emitModified);
  connect(undo_, &QUndoStack::indexChanged, this, [this] { ++revision_; });
}

Document::~Document() = default;

void Document::setFilePath(const QString& path) {
  if (path == filePath_) return;
  filePath_ = path;
  Q_EMIT filePathChanged(path);
}

QString Document::displayName() const {
  return filePath_.isEmpty() ? tr("Untitled") : QFileInfo(filePath_).fileName();
}

bool Document::isModified() const { return forcedModified_ || !undo_->isClean(); }

void Document::emitModified() {
  const bool now = isModified();
  if (now == lastModified_) return;
  lastModified_ = now;
  Q_EMIT modifiedChanged(now);
}

void Document::markClean() {
  forcedModified_ = false;
  undo_->setClean();
  emitModified();
}

void Document::markModified() {
  forcedModified_ = true;
  emitModified();
}

void Document::reset(const QImage& original, const QString& path, const QList<Layer>& layers, const QImage& mask) {
  DocumentContent content;
  content.original = original;
  content.layers = layers;
  content.mask = mask;
  reset(content, path);
}

void Document::reset(const DocumentContent& content, const QString& path) {
  if (stroking_) cancelMaskStroke();
  undo_->clear();
  filePath_ = path;
  forcedModified_ = false;
  loadContentNoUndo(content);
  undo_->setClean();
  ++revision_;
  Q_EMIT filePathChanged(filePath_);
  lastModified_ = !isModified();  // always announce the state after a reset
  emitModified();
}

void Document::loadContentNoUndo(const DocumentContent& content) {
  if (stroking_) cancelMaskStroke();
  const QImage& original = content.original;
  original_ = original.hasAlphaChannel() ? original.convertToFormat(QImage::Format_ARGB32)
                                         : original.convertToFormat(QImage::Format_RGB32);
  layers_.clear();
  nextId_ = 1;
  QSet<LayerId> used;
  for (const Layer& l : content.layers)
    if (l.id > 0) nextId_ = std::max(nextId_, l.id + 1);
  for (Layer l : content.layers) {
    if (l.id <= 0 || used.contains(l.id)) l.id = nextId_++;
    used.insert(l.id);
    layers_.push_back(l);
  }
  const QImage& mask = content.mask;
  if (!mask.isNull() && mask.size() == original_.size()) {
    mask_ = mask.convertToFormat(QImage::Format_Grayscale8);
  } else {
    mask_ = original_.isNull() ? QImage() : emptyMask(original_.size());
  }
  const QImage& keepOut = content.keepOut;
  keepOut_ = !keepOut.isNull() && keepOut.size() == original_.size() ? keepOut.convertToFormat(QImage::Format_Grayscale8)
             : original_.isNull()                                     ? QImage()
                                                                      : emptyMask(original_.size());
  points_ = content.workingPoints;
  active_ = used.contains(content.activeLayer) ? content.activeLayer : 0;
  info_ = content.info;
  Q_EMIT documentReset();
  Q_EMIT layersChanged();
  Q_EMIT activeLayerChanged(active_);
  Q_EMIT workingPointsChanged();
  Q_EMIT maskChanged(rect());
  Q_EMIT keepOutChanged(rect());
  Q_EMIT contentChanged(rect());
}

DocumentContent Document::snapshot() const {
  DocumentContent c;
  c.original = original_;
  c.layers = layers_;
  c.mask = maskIsEmpty() ? QImage() : mask_;
  c.keepOut = keepOutIsEmpty() ? QImage() : keepOut_;
  c.workingPoints = points_;
  c.activeLayer = activeLayer();
  c.info = info_;
  return c;
}

void Document::setExtra(const QString& key, const QJsonValue& value) {
  if (value.isNull() || value.isUndefined()) {
    info_.extra.remove(key);
  } else {
    info_.extra.insert(key, value);
  }
}

int Document::indexOf(LayerId id) const {
  for (int i = 0; i < layers_.size(); ++i)
    if (layers_[i].id == id) return i;
  return -1;
}

const Layer* Document::layer(LayerId id) const {
  const int i = indexOf(id);
  return i < 0 ? nullptr : &layers_[i];
}

LayerId Document::topPendingLayer() const {
  for (int i = int(layers_.size()) - 1; i >= 0; --i)
    if (layers_[i].pending) return layers_[i].id;
  return 0;
}

bool Document::maskIsEmpty() const { return !anyNonZero(mask_); }

QRect Document::maskBounds() const { return nonZeroBounds(mask_); }

QImage Document::render(const QRect& region, bool includePending) const {
  const QRect r = region.isEmpty() ? rect() : (region & rect());
  QImage out(r.size(), QImage::Format_ARGB32_Premultiplied);
  if (r.isEmpty()) return out;
  out.fill(Qt::transparent);
  QPainter p(&out);
  p.setCompositionMode(QPainter::CompositionMode_Source);
  p.drawImage(QPoint(0, 0), original_, r);
  p.setCompositionMode(QPainter::CompositionMode_SourceOver);
  for (const Layer& l : layers_) {
    if (!l.visible || !l.isPixelLayer() || (l.pending && !includePending) || l.opacity <= 0.0) continue;
    const QRect part = l.bounds() & r;
    if (part.isEmpty()) continue;
    p.setOpacity(l.opacity);
    p.drawImage(part.topLeft() - r.topLeft(), l.image, part.translated(-l.offset));
  }
  p.end();
  return out;
}

// ---- Edits ------------------------------------------------------------------------------------

LayerId Document::addLayer(Layer layer, int index, const QString& undoText) {
  if (index < 0 || index > layers_.size()) index = int(layers_.size());
  layer.id = nextLayerId();
  const LayerId id = layer.id;
  const QString text = undoText.isEmpty() ? tr("Add layer \u201c%1\u201d").arg(layer.name) : undoText;
  undo_->beginMacro(text);
  undo_->push(new InsertLayerCommand(this, index, std::move(layer), text));
  undo_->push(new SelectLayerCommand(this, active_, id, text));
  undo_->endMacro();
  return id;
}

LayerId Document::addPendingResult(const QImage& image, const QPoint& offset, const QString& name,
                                   const QJsonObject& params, const QImage& mask) {
  Layer l;
  l.name = name;
  l.image = image;
  l.offset = offset;
  l.params = params;
  l.mask = mask;
  return addPendingResult(std::move(l));
}

LayerId Document::addPendingResult(Layer l) {
  l.id = nextLayerId();
  l.kind = LayerKind::Result;
  l.pending = true;
  l.image = l.image.convertToFormat(QImage::Format_ARGB32);
  if (!l.mask.isNull()) l.mask = l.mask.convertToFormat(QImage::Format_Grayscale8);
  const LayerId id = l.id;
  const QString name = l.name;
  undo_->beginMacro(name);
  for (int i = int(layers_.size()) - 1; i >= 0; --i)
    if (layers_[i].pending) undo_->push(new RemoveLayerCommand(this, layers_[i].id, tr("Replace result")));
  undo_->push(new InsertLayerCommand(this, int(layers_.size()), std::move(l), name));
  undo_->push(new SelectLayerCommand(this, active_, id, name));
  undo_->endMacro();
  return id;
}

void Document::applyResult(LayerId id) {
  const Layer* l = layer(id);
  if (!l || !l->pending) return;
  Layer after = *l;
  after.pending = false;
  undo_->push(new ChangeLayerCommand(this, *l, after, tr("Apply %1").arg(l->name)));
}

void Document::discardResult(LayerId id) {
  const Layer* l = layer(id);
  if (!l) return;
  removeWithSelection(id, tr("Discard %1").arg(l->name));
}

void Document::removeLayer(LayerId id, const QString& undoText) {
  const Layer* l = layer(id);
  if (!l) return;
  removeWithSelection(id, undoText.isEmpty() ? tr("Delete layer \u201c%1\u201d").arg(l->name) : undoText);
}

void Document::removeWithSelection(LayerId id, const QString& text) {
  const int i = indexOf(id);
  if (activeLayer() != id) {
    undo_->push(new RemoveLayerCommand(this, id, text));
    return;
  }
  // The selection moves to the layer below (as in other editors), else above, else the original.
  const LayerId next = i > 0 ? layers_[i - 1].id : (i + 1 < layers_.size() ? layers_[i + 1].id : 0);
  undo_->beginMacro(text);
  undo_->push(new SelectLayerCommand(this, active_, next, text));
  undo_->push(new RemoveLayerCommand(this, id, text));
  undo_->endMacro();
}

void Document::setLayerVisible(LayerId id, bool visible) {
  const Layer* l = layer(id);
  if (!l || l->visible == visible) return;
  Layer after = *l;
  after.visible = visible;
  undo_->push(new ChangeLayerCommand(this, *l, after,
                                     (visible ? tr("Show \u201c%1\u201d") : tr("Hide \u201c%1\u201d")).arg(l->name)));
}

void Document::setLayerOpacity(LayerId id, qreal opacity) {
  const Layer* l = layer(id);
  opacity = std::clamp(opacity, 0.0, 1.0);
  if (!l || qFuzzyCompare(l->opacity, opacity)) return;
  Layer after = *l;
  after.opacity = opacity;
  undo_->push(new ChangeLayerCommand(this, *l, after, tr("Opacity of \u201c%1\u201d").arg(l->name),
                                     ChangeLayerCommand::OpacityKey));
}

void Document::renameLayer(LayerId id, const QString& name) {
  const Layer* l = layer(id);
  if (!l || l->name == name) return;
  Layer after = *l;
  after.name = name;
  undo_->push(new ChangeLayerCommand(this, *l, after, tr("Rename \u201c%1\u201d to \u201c%2\u201d").arg(l->name, name)));
}

void Document::moveLayer(LayerId id, int toIndex) {
  const int from = indexOf(id);
  if (from < 0) return;
  toIndex = std::clamp(toIndex, 0, int(layers_.size()) - 1);
  if (toIndex == from) return;
  undo_->push(new MoveLayerCommand(this, id, from, toIndex, tr("Move \u201c%1\u201d").arg(layers_[from].name)));
}

void Document::replaceMask(const QImage& newMask, const QString& undoText) {
  replaceMaskOf(MaskTarget::Hole, newMask, undoText);
}

void Document::replaceMaskOf(MaskTarget target, const QImage& next, const QString& undoText) {
  const QImage& current = maskOf(target);
  if (isNull() || next.size() != current.size()) return;
  const QImage gray = next.convertToFormat(QImage::Format_Grayscale8);
  const QRect changed = differenceBounds(current, gray);
  if (changed.isEmpty()) return;
  undo_->push(new MaskEditCommand(this, changed.topLeft(), current.copy(changed), gray.copy(changed), undoText, target));
}

void Document::clearMask() {
  if (!isNull()) replaceMask(emptyMask(size()), tr("Clear mask"));
}

void Document::invertMask() {
  if (!isNull()) replaceMask(invertedMask(mask_), tr("Invert mask"));
}

void Document::growMask(int px) {
  if (isNull() || px == 0) return;
  replaceMask(grownMask(mask_, px), px > 0 ? tr("Grow mask by %1 px").arg(px) : tr("Shrink mask by %1 px").arg(-px));
}

void Document::beginMaskStroke(MaskTarget target) {
  if (isNull()) return;
  if (stroking_) cancelMaskStroke();
  stroking_ = true;
  strokeTarget_ = target;
  strokeBefore_ = strokeMask().copy();
  strokeRect_ = QRect();
}

QImage& Document::strokeMask() { return strokeTarget_ == MaskTarget::KeepOut ? keepOut_ : mask_; }

void Document::strokeUpdated(const QRect& dirty) {
  const QRect r = dirty & rect();
  if (r.isEmpty()) return;
  strokeRect_ |= r;
  if (strokeTarget_ == MaskTarget::KeepOut) Q_EMIT keepOutChanged(r);
  else Q_EMIT maskChanged(r);
}

bool Document::endMaskStroke(const QString& undoText) {
  if (!stroking_) return false;
  stroking_ = false;
  const QImage& live = strokeMask();
  const QRect changed = differenceBounds(strokeBefore_, live, strokeRect_);
  QImage before = changed.isEmpty() ? QImage() : strokeBefore_.copy(changed);
  strokeBefore_ = QImage();
  if (changed.isEmpty()) return false;
  undo_->push(new MaskEditCommand(this, changed.topLeft(), before, live.copy(changed), undoText, strokeTarget_));
  return true;
}

void Document::cancelMaskStroke() {
  if (!stroking_) return;
  stroking_ = false;
  const QRect r = strokeRect_;
  if (!r.isEmpty()) writeMaskNoUndo(r.topLeft(), strokeBefore_.copy(r), strokeTarget_);
  strokeBefore_ = QImage();
}

// ---- No-undo primitives -------------------------------------------------------------------------

LayerId Document::nextLayerId() { return nextId_++; }

void Document::insertLayerNoUndo(int index, const Layer& layer) {
  index = std::clamp(index, 0, int(layers_.size()));
  layers_.insert(index, layer);
  nextId_ = std::max(nextId_, layer.id + 1);
  Q_EMIT layersChanged();
  if (layer.isPixelLayer() && layer.visible) Q_EMIT contentChanged(layer.bounds() & rect());
}

Layer Document::takeLayerNoUndo(int index) {
  Layer l = layers_.takeAt(index);
  Q_EMIT layersChanged();
  if (l.isPixelLayer() && l.visible) Q_EMIT contentChanged(l.bounds() & rect());
  return l;
}

void Document::moveLayerNoUndo(int from, int to) {
  if (from == to || from < 0 || to < 0 || from >= layers_.size() || to >= layers_.size()) return;
  layers_.move(from, to);
  Q_EMIT layersChanged();
  const Layer& l = layers_[to];
  if (l.isPixelLayer() && l.visible) Q_EMIT contentChanged(l.bounds() & rect());
}

void Document::replaceLayerNoUndo(int index, const Layer& layer) {
  const QRect old = layers_[index].bounds();
  layers_[index] = layer;
  Q_EMIT layersChanged();
  Q_EMIT contentChanged((old | layer.bounds()) & rect());
}

void Document::writeOriginalNoUndo(const QPoint& topLeft, const QImage& pixels) {
  const QRect r = QRect(topLeft, pixels.size()) & rect();
  if (r.isEmpty()) return;
  const QImage src = pixels.convertToFormat(original_.format());
  const size_t bytes = static_cast<size_t>(r.width()) * 4;
  for (int y = r.top(); y <= r.bottom(); ++y) {
    const uchar* s = src.constScanLine(y - topLeft.y()) + size_t(r.left() - topLeft.x()) * 4;
    std::copy(s, s + bytes, original_.scanLine(y) + size_t(r.left()) * 4);
  }
  Q_EMIT contentChanged(r);
}

void Document::setActiveLayerNoUndo(LayerId id) {
  if (id == active_) return;
  active_ = id;
  Q_EMIT activeLayerChanged(activeLayer());
}

void Document::setWorkingPointsNoUndo(const QList<DragPair>& points) {
  points_ = points;
  Q_EMIT workingPointsChanged();
}

void Document::writeMaskNoUndo(const QPoint& topLeft, const QImage& pixels, MaskTarget target) {
  const QRect r = QRect(topLeft, pixels.size()) & rect();
  if (r.isEmpty()) return;
  QImage& dst = target == MaskTarget::KeepOut ? keepOut_ : mask_;
  const QImage src = pixels.convertToFormat(QImage::Format_Grayscale8);
  for (int y = r.top(); y <= r.bottom(); ++y) {
    const uchar* s = src.constScanLine(y - topLeft.y()) + (r.left() - topLeft.x());
    std::copy(s, s + r.width(), dst.scanLine(y) + r.left());
  }
  if (target == MaskTarget::KeepOut) Q_EMIT keepOutChanged(r);
  else Q_EMIT maskChanged(r);
}

}  // namespace latentshop::ui
