#include "ui/panels/layer_item_delegate.h"

#include <QAbstractItemView>
#include <QKeyEvent>
#include <QApplication>
#include <QMouseEvent>
#include <QPainter>

#include "ui/panels/layers_model.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

namespace {

const QPixmap& checkerboard() {
  static const QPixmap checker = [] {
    QPixmap pm(8, 8);
    pm.fill(QColor(200, 200, 200));
    QPainter p(&pm);
    p.fillRect(0, 0, 4, 4, QColor(150, 150, 150));
    p.fillRect(4, 4, 4, 4, QColor(150, 150, 150));
    return pm;
  }();
  return checker;
}

}  // namespace

LayerItemDelegate::LayerItemDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

QRect LayerItemDelegate::eyeRect(const QRect& row) { return QRect(row.left() + 6, row.center().y() - 10, 20, 20); }

QRect LayerItemDelegate::thumbnailRect(const QRect& row) {
  const int s = LayersModel::kThumbnailSize;
  return QRect(row.left() + 32, row.center().y() - s / 2, s, s);
}

QRect LayerItemDelegate::nameRect(const QRect& row) {
  const QRect t = thumbnailRect(row);
  return QRect(t.right() + 9, row.top() + 6, row.right() - t.right() - 14, row.height() / 2 - 4);
}

QSize LayerItemDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const {
  return QSize(option.rect.width() > 0 ? option.rect.width() : 200, kRowHeight);
}

void LayerItemDelegate::paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  QStyleOptionViewItem opt = option;
  initStyleOption(&opt, index);
  const QWidget* widget = option.widget;
  QStyle* style = widget ? widget->style() : QApplication::style();
  // Background and selection as the style draws them, without the default text and icon.
  opt.text.clear();
  opt.icon = QIcon();
  opt.features &= ~QStyleOptionViewItem::HasCheckIndicator;
  style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, p, widget);

  const QRect row = option.rect;
  const bool selected = option.state & QStyle::State_Selected;
  const QPalette& pal = option.palette;
  const bool original = index.data(LayersModel::IsOriginalRole).toBool();
  const bool visible = index.data(Qt::CheckStateRole).toInt() == Qt::Checked;
  p->save();
  p->setRenderHint(QPainter::Antialiasing);

  // Eye.
  if (!original) {
    const QIcon eye = themedIcon(visible ? IconId::Eye : IconId::EyeOff);
    eye.paint(p, eyeRect(row), Qt::AlignCenter, selected ? QIcon::Selected : QIcon::Normal);
  }

  // Thumbnail on a checkerboard, framed.
  const double dpr = widget ? widget->devicePixelRatioF() : 1.0;
  const auto* model = qobject_cast<const LayersModel*>(index.model());
  const QImage thumb = model ? model->thumbnail(index.row(), dpr) : QImage();
  const QRect box = thumbnailRect(row);
  if (!thumb.isNull()) {
    const QSize logical = (QSizeF(thumb.size()) / thumb.devicePixelRatio()).toSize();
    const QRect t(box.center() - QPoint(logical.width() / 2, logical.height() / 2), logical);
    p->fillRect(t, QBrush(checkerboard()));
    p->drawImage(t, thumb);
    p->setPen(QPen(pal.color(QPalette::Mid), 1));
    p->setBrush(Qt::NoBrush);
    p->drawRect(QRectF(t).adjusted(-0.5, -0.5, 0.5, 0.5));
  }

  // Name and subtitle.
  const QColor text = pal.color(selected ? QPalette::HighlightedText : QPalette::Text);
  QFont nameFont = option.font;
  if (original) nameFont.setItalic(true);
  p->setFont(nameFont);
  p->setPen(visible ? text : pal.color(QPalette::Disabled, QPalette::Text));
  const QRect name = nameRect(row);
  p->drawText(name, Qt::AlignLeft | Qt::AlignBottom,
              QFontMetrics(nameFont).elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideRight, name.width()));
  QFont small = option.font;
  small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.85));
  p->setFont(small);
  QColor sub = text;
  sub.setAlphaF(0.65);
  p->setPen(sub);
  const QRect subRect(name.left(), name.bottom() + 3, name.width(), row.bottom() - name.bottom() - 6);
  p->drawText(subRect, Qt::AlignLeft | Qt::AlignTop,
              QFontMetrics(small).elidedText(index.data(LayersModel::SubtitleRole).toString(), Qt::ElideRight, subRect.width()));

  // A pending result: an accent bar on the left edge.
  if (index.data(LayersModel::PendingRole).toBool()) {
    p->setPen(Qt::NoPen);
    p->setBrush(QColor(240, 170, 40));
    p->drawRect(QRect(row.left(), row.top() + 4, 3, row.height() - 8));
  }
  p->restore();
}

bool LayerItemDelegate::editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option,
                                    const QModelIndex& index) {
  if (!(index.flags() & Qt::ItemIsUserCheckable)) return false;
  const auto toggle = [&] {
    const bool visible = index.data(Qt::CheckStateRole).toInt() == Qt::Checked;
    model->setData(index, visible ? Qt::Unchecked : Qt::Checked, Qt::CheckStateRole);
  };
  switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick: {
      auto* me = static_cast<QMouseEvent*>(event);
      if (me->button() != Qt::LeftButton || !eyeRect(option.rect).contains(me->position().toPoint())) return false;
      // The press toggles the eye; its release and a double click end there too, so a click on the
      // eye neither selects the row nor starts a drag or a rename.
      if (event->type() == QEvent::MouseButtonPress) toggle();
      return true;
    }
    case QEvent::KeyPress: {
      const int key = static_cast<QKeyEvent*>(event)->key();
      if (key != Qt::Key_Space && key != Qt::Key_Select) return false;
      toggle();
      return true;
    }
    default: return false;
  }
}

void LayerItemDelegate::updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option, const QModelIndex&) const {
  const QRect name = nameRect(option.rect);
  editor->setGeometry(name.adjusted(-3, 0, 0, 4));
}

}  // namespace latentshop::ui
