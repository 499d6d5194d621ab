#include "ui/panels/layers_panel.h"

#include <cmath>

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include "engine/io/png_parameters.h"
#include "ui/document/document.h"
#include "ui/document/project_convert.h"
#include "ui/panels/layer_item_delegate.h"
#include "ui/panels/layers_model.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

namespace {

// One "key: value" line per parameter (strings bare, numbers as they are, lists and objects as
// compact JSON): easier to read in a narrow pane than indented JSON. Copy gives the JSON itself.
QString readableParams(const QJsonObject& params) {
  QStringList lines;
  for (auto it = params.begin(); it != params.end(); ++it) {
    const QJsonValue v = it.value();
    QString text;
    if (v.isString()) {
      text = v.toString();
    } else if (v.isArray()) {
      text = QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    } else if (v.isObject()) {
      text = QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    } else {
      text = QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
    }
    lines << QStringLiteral("%1: %2").arg(it.key(), text);
  }
  return lines.join(QLatin1Char('\n'));
}

}  // namespace

LayersPanel::LayersPanel(QWidget* parent) : QWidget(parent), model_(new LayersModel(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->setSpacing(6);

  auto* opacityRow = new QHBoxLayout;
  opacityLabel_ = new QLabel(tr("Opacity"), this);
  opacity_ = new QSlider(Qt::Horizontal, this);
  opacity_->setRange(0, 100);
  opacity_->setToolTip(tr("Opacity of the selected layer"));
  opacitySpin_ = new QSpinBox(this);
  opacitySpin_->setRange(0, 100);
  opacitySpin_->setSuffix(tr(" %"));
  opacityLabel_->setBuddy(opacity_);
  opacityRow->addWidget(opacityLabel_);
  opacityRow->addWidget(opacity_, 1);
  opacityRow->addWidget(opacitySpin_);
  layout->addLayout(opacityRow);

  view_ = new QListView(this);
  view_->setModel(model_);
  view_->setItemDelegate(new LayerItemDelegate(view_));
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
  view_->setDragEnabled(true);
  view_->setAcceptDrops(true);
  view_->setDropIndicatorShown(true);
  view_->setDragDropMode(QAbstractItemView::InternalMove);
  view_->setDefaultDropAction(Qt::MoveAction);
  view_->setUniformItemSizes(true);
  view_->setMouseTracking(true);
  view_->setContextMenuPolicy(Qt::CustomContextMenu);
  view_->setMinimumHeight(LayerItemDelegate::kRowHeight * 3 + 4);
  view_->installEventFilter(this);
  layout->addWidget(view_, 3);

  auto* buttons = new QHBoxLayout;
  buttons->setSpacing(2);
  const auto button = [this, buttons](IconId icon, const QString& tip) {
    auto* b = new QToolButton(this);
    b->setIcon(themedIcon(icon));
    b->setToolTip(tip);
    b->setAutoRaise(true);
    b->setIconSize(QSize(18, 18));
    buttons->addWidget(b);
    return b;
  };
  moveUp_ = button(IconId::MoveUp, tr("Move the layer up"));
  moveDown_ = button(IconId::MoveDown, tr("Move the layer down"));
  duplicate_ = button(IconId::Duplicate, tr("Duplicate the layer"));
  mergeDown_ = button(IconId::MergeDown, tr("Merge the layer into the one below"));
  buttons->addStretch(1);
  copy_ = button(IconId::Copy, tr("Copy the parameters that made the layer"));
  delete_ = button(IconId::Delete, tr("Delete the layer (Delete)"));
  layout->addLayout(buttons);

  auto* detailsLabel = new QLabel(tr("Parameters"), this);
  detailsLabel->setForegroundRole(QPalette::PlaceholderText);
  details_ = new QPlainTextEdit(this);
  details_->setReadOnly(true);
  details_->setLineWrapMode(QPlainTextEdit::NoWrap);
  details_->setPlaceholderText(tr("The selected layer's parameters appear here."));
  QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  mono.setPointSizeF(std::max(7.0, font().pointSizeF() * 0.9));
  details_->setFont(mono);
  details_->setMinimumHeight(96);
  details_->setMaximumHeight(160);
  layout->addWidget(detailsLabel);
  layout->addWidget(details_, 1);

  connect(moveUp_, &QToolButton::clicked, this, [this] { moveSelected(1); });
  connect(moveDown_, &QToolButton::clicked, this, [this] { moveSelected(-1); });
  connect(duplicate_, &QToolButton::clicked, this, &LayersPanel::duplicateSelected);
  connect(mergeDown_, &QToolButton::clicked, this, &LayersPanel::mergeDownSelected);
  connect(copy_, &QToolButton::clicked, this, &LayersPanel::copyParameters);
  connect(delete_, &QToolButton::clicked, this, &LayersPanel::deleteSelected);
  connect(view_, &QListView::customContextMenuRequested, this, &LayersPanel::showContextMenu);
  connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (syncing_ || model_->isUpdating() || !doc_ || !current.isValid()) return;
    doc_->selectLayer(model_->layerIdAt(current.row()));
  });
  connect(opacity_, &QSlider::valueChanged, this, [this](int v) {
    if (syncing_ || !doc_ || !selectedLayer()) return;
    doc_->setLayerOpacity(selectedLayer(), v / 100.0);
  });
  connect(opacitySpin_, &QSpinBox::valueChanged, this, [this](int v) {
    if (syncing_ || !doc_ || !selectedLayer()) return;
    doc_->setLayerOpacity(selectedLayer(), v / 100.0);
  });
  // Rows inserted, moved or reset: the selection follows the document's selected layer.
  connect(model_, &QAbstractItemModel::modelReset, this, &LayersPanel::syncFromDocument);
  connect(model_, &QAbstractItemModel::rowsInserted, this, &LayersPanel::syncFromDocument);
  connect(model_, &QAbstractItemModel::rowsMoved, this, &LayersPanel::syncFromDocument);
  connect(model_, &QAbstractItemModel::dataChanged, this, &LayersPanel::syncFromDocument);
  syncFromDocument();
}

void LayersPanel::setDocument(Document* doc) {
  if (doc_) disconnect(doc_, nullptr, this, nullptr);
  doc_ = doc;
  model_->setDocument(doc);
  if (doc_) {
    connect(doc_, &Document::activeLayerChanged, this, &LayersPanel::syncFromDocument);
    connect(doc_, &Document::layersChanged, this, &LayersPanel::syncFromDocument);
  }
  syncFromDocument();
}

LayerId LayersPanel::selectedLayer() const { return doc_ ? doc_->activeLayer() : 0; }

void LayersPanel::syncFromDocument() {
  syncing_ = true;
  const bool hasDoc = doc_ && !doc_->isNull();
  const LayerId id = selectedLayer();
  const Layer* l = hasDoc && id ? doc_->layer(id) : nullptr;
  if (hasDoc) {
    const int row = model_->rowOf(id);
    if (row >= 0 && view_->currentIndex().row() != row)
      view_->selectionModel()->setCurrentIndex(model_->index(row), QItemSelectionModel::ClearAndSelect);
  }
  const int percent = l ? int(std::lround(l->opacity * 100)) : 100;
  opacity_->setValue(percent);
  opacitySpin_->setValue(percent);
  opacity_->setEnabled(l != nullptr);
  opacitySpin_->setEnabled(l != nullptr);
  opacityLabel_->setEnabled(l != nullptr);
  const int index = l ? doc_->indexOf(id) : -1;
  duplicate_->setEnabled(l != nullptr);
  delete_->setEnabled(l != nullptr);
  moveUp_->setEnabled(l && index < doc_->layerCount() - 1);
  moveDown_->setEnabled(l && index > 0);
  const QString blocker = hasDoc ? doc_->mergeDownBlocker(id) : QString();
  mergeDown_->setEnabled(l && blocker.isEmpty());
  mergeDown_->setToolTip(blocker.isEmpty() ? tr("Merge the layer into the one below") : blocker);

  QString text;
  if (hasDoc) {
    const QJsonObject params = l ? l->params : doc_->info().originalParams;
    text = readableParams(params);
    if (l && !l->mask.isNull()) text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + tr("(keeps the mask that made it)");
    if (l && !l->points.isEmpty())
      text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + tr("(%n drag point(s))", nullptr, int(l->points.size()));
  }
  if (details_->toPlainText() != text) details_->setPlainText(text);
  copy_->setEnabled(l && !l->params.isEmpty());
  syncing_ = false;
}

void LayersPanel::duplicateSelected() {
  if (doc_ && selectedLayer()) doc_->duplicateLayer(selectedLayer());
}

void LayersPanel::deleteSelected() {
  if (doc_ && selectedLayer()) doc_->removeLayer(selectedLayer());
}

void LayersPanel::mergeDownSelected() {
  if (!doc_ || !selectedLayer()) return;
  const QString blocker = doc_->mergeDownBlocker(selectedLayer());
  if (!blocker.isEmpty()) {
    Q_EMIT statusMessage(blocker);
    return;
  }
  doc_->mergeDown(selectedLayer());
}

void LayersPanel::moveSelected(int steps) {
  if (!doc_ || !selectedLayer()) return;
  doc_->moveLayer(selectedLayer(), doc_->indexOf(selectedLayer()) + steps);
}

void LayersPanel::copyParameters() {
  const Layer* l = doc_ && selectedLayer() ? doc_->layer(selectedLayer()) : nullptr;
  if (!l || l->params.isEmpty()) return;
  QApplication::clipboard()->setText(QString::fromUtf8(QJsonDocument(l->params).toJson(QJsonDocument::Indented)));
  Q_EMIT statusMessage(tr("Copied the parameters of \u201c%1\u201d.").arg(l->name));
}

void LayersPanel::copyA1111Parameters() {
  const Layer* l = doc_ && selectedLayer() ? doc_->layer(selectedLayer()) : nullptr;
  if (!l || l->params.isEmpty()) return;
  QApplication::clipboard()->setText(QString::fromStdString(latentshop::formatA1111Parameters(toNlohmann(l->params))));
  Q_EMIT statusMessage(tr("Copied the parameters of \u201c%1\u201d as A1111 text.").arg(l->name));
}

void LayersPanel::renameSelected() {
  if (doc_ && selectedLayer()) view_->edit(model_->index(model_->rowOf(selectedLayer())));
}

bool LayersPanel::eventFilter(QObject* watched, QEvent* event) {
  // Delete in the list deletes the layer (keys typed while renaming go to the editor, not here).
  // The window's own Delete shortcut (discard a result) must not take the key first.
  if (watched == view_ && (event->type() == QEvent::KeyPress || event->type() == QEvent::ShortcutOverride)) {
    auto* k = static_cast<QKeyEvent*>(event);
    if ((k->key() == Qt::Key_Delete || k->key() == Qt::Key_Backspace) && k->modifiers() == Qt::NoModifier) {
      if (event->type() == QEvent::ShortcutOverride) {
        event->accept();
        return true;
      }
      deleteSelected();
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

void LayersPanel::showContextMenu(const QPoint& pos) {
  const QModelIndex index = view_->indexAt(pos);
  if (!doc_ || !index.isValid()) return;
  const LayerId id = model_->layerIdAt(index.row());
  if (id != selectedLayer()) doc_->selectLayer(id);
  const Layer* l = id ? doc_->layer(id) : nullptr;
  QMenu menu(this);
  if (l) {
    if (l->pending) {
      menu.addAction(tr("Apply result"), this, [this, id] { doc_->applyResult(id); });
      menu.addAction(tr("Discard result"), this, [this, id] { doc_->discardResult(id); });
      menu.addSeparator();
    }
    menu.addAction(tr("Rename\u2026"), this, &LayersPanel::renameSelected);
    menu.addAction(l->visible ? tr("Hide") : tr("Show"), this, [this, id, v = l->visible] { doc_->setLayerVisible(id, !v); });
    menu.addAction(themedIcon(IconId::Duplicate), tr("Duplicate"), this, &LayersPanel::duplicateSelected);
    QAction* merge = menu.addAction(themedIcon(IconId::MergeDown), tr("Merge down"), this, &LayersPanel::mergeDownSelected);
    merge->setEnabled(doc_->mergeDownBlocker(id).isEmpty());
    menu.addSeparator();
    menu.addAction(themedIcon(IconId::Copy), tr("Copy parameters (JSON)"), this, &LayersPanel::copyParameters)->setEnabled(!l->params.isEmpty());
    menu.addAction(tr("Copy parameters (A1111 text)"), this, &LayersPanel::copyA1111Parameters)->setEnabled(!l->params.isEmpty());
    menu.addSeparator();
    menu.addAction(themedIcon(IconId::Delete), tr("Delete"), this, &LayersPanel::deleteSelected);
  } else {
    menu.addAction(tr("The original image: merge layers into it with Merge down"))->setEnabled(false);
  }
  menu.exec(view_->viewport()->mapToGlobal(pos));
}

}  // namespace latentshop::ui
