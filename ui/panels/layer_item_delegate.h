// How one row of the layers panel looks and reacts: an eye (click to show/hide), a thumbnail on a
// checkerboard, the name (double-click or F2 renames in place), a subtitle ("Result · 80 % ·
// pending"), and a marker for a pending result.
#pragma once
#include <QStyledItemDelegate>

namespace latentshop::ui {

class LayerItemDelegate : public QStyledItemDelegate {
  Q_OBJECT
public:
  explicit LayerItemDelegate(QObject* parent = nullptr);

  static constexpr int kRowHeight = 50;

  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  bool editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option,
                   const QModelIndex& index) override;
  void updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

  // Where the parts of a row are, for a row rectangle (also used by tests to click the eye).
  static QRect eyeRect(const QRect& row);
  static QRect thumbnailRect(const QRect& row);
  static QRect nameRect(const QRect& row);
};

}  // namespace latentshop::ui
