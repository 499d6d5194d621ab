// The layers panel and its model: rows top to bottom over the original, names/visibility/opacity
// through the model (each an undo step), reordering by moveRows and by drag-and-drop data, the eye
// toggled by a click, selection kept in sync both ways, the buttons (duplicate, delete, merge down,
// move, copy parameters), the parameters in the tooltip and the details pane, cached thumbnails.
#include <QtTest/QtTest>
#include <QClipboard>
#include <QListView>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSlider>
#include <QToolButton>
#include <QUndoStack>

#include "ui/document/document.h"
#include "ui/panels/layer_item_delegate.h"
#include "ui/panels/layers_model.h"
#include "ui/panels/layers_panel.h"

using namespace latentshop::ui;

namespace {

QImage solid(int w, int h, QColor c) {
  QImage img(w, h, QImage::Format_ARGB32);
  img.fill(c);
  return img;
}

QStringList names(const LayersModel& m) {
  QStringList out;
  for (int r = 0; r < m.rowCount(); ++r) out << m.index(r).data().toString();
  return out;
}

}  // namespace

class TestLayersPanel : public QObject {
  Q_OBJECT
private:
  LayersPanel* panel_ = nullptr;
  Document* doc_ = nullptr;
  LayerId a_ = 0, b_ = 0, c_ = 0;
  LayersModel* model() const { return panel_->model(); }

private Q_SLOTS:
  void init() {
    doc_ = new Document;
    QImage photo(80, 60, QImage::Format_RGB32);
    photo.fill(QColor(90, 90, 90));
    doc_->reset(photo, QStringLiteral("/tmp/layers-panel.png"));
    Layer l;
    l.name = QStringLiteral("A");
    l.image = solid(80, 60, Qt::red);
    a_ = doc_->addLayer(l);
    l.name = QStringLiteral("B");
    l.image = solid(20, 20, Qt::green);
    l.offset = QPoint(10, 10);
    l.kind = LayerKind::Result;
    l.params = QJsonObject{{QStringLiteral("method"), QStringLiteral("classical.telea")}, {QStringLiteral("grow_px"), 4}};
    b_ = doc_->addLayer(l);
    l.name = QStringLiteral("C");
    l.image = solid(10, 10, Qt::blue);
    l.params = {};
    l.kind = LayerKind::Image;
    c_ = doc_->addLayer(l);
    doc_->undoStack()->clear();
    panel_ = new LayersPanel;
    panel_->setDocument(doc_);
    panel_->resize(300, 500);
    panel_->show();
    QVERIFY(QTest::qWaitForWindowExposed(panel_));
  }

  void cleanup() {
    delete panel_;
    delete doc_;
  }

  void rowsAreTopFirstWithTheOriginalLast() {
    QCOMPARE(names(*model()), (QStringList{QStringLiteral("C"), QStringLiteral("B"), QStringLiteral("A"), QStringLiteral("Original")}));
    QCOMPARE(model()->layerIdAt(0), c_);
    QCOMPARE(model()->rowOf(a_), 2);
    QCOMPARE(model()->rowOf(0), 3);
    QVERIFY(model()->index(3).data(LayersModel::IsOriginalRole).toBool());
    QVERIFY(!(model()->flags(model()->index(3)) & Qt::ItemIsDragEnabled));
    QVERIFY(!(model()->flags(model()->index(3)) & Qt::ItemIsEditable));
    QVERIFY(model()->flags(model()->index(0)) & Qt::ItemIsEditable);
    QCOMPARE(model()->index(1).data(LayersModel::KindRole).toString(), QStringLiteral("result"));
    QVERIFY(model()->index(1).data(LayersModel::ParamsRole).toString().contains(QStringLiteral("\"grow_px\": 4")));
    QVERIFY(model()->index(1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("classical.telea")));
  }

  void editsThroughTheModelAreUndoable() {
    QVERIFY(model()->setData(model()->index(0), QStringLiteral("Sky"), Qt::EditRole));
    QCOMPARE(doc_->layer(c_)->name, QStringLiteral("Sky"));
    QVERIFY(!model()->setData(model()->index(0), QStringLiteral("   "), Qt::EditRole));  // no empty names
    QVERIFY(model()->setData(model()->index(1), Qt::Unchecked, Qt::CheckStateRole));
    QVERIFY(!doc_->layer(b_)->visible);
    QCOMPARE(model()->index(1).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    QVERIFY(model()->setData(model()->index(2), 0.25, LayersModel::OpacityRole));
    QCOMPARE(doc_->layer(a_)->opacity, 0.25);
    QVERIFY(model()->index(2).data(LayersModel::SubtitleRole).toString().contains(QStringLiteral("25 %")));
    QVERIFY(!model()->setData(model()->index(3), QStringLiteral("x"), Qt::EditRole));  // the original
    QCOMPARE(doc_->undoStack()->count(), 3);
    doc_->undoStack()->undo();
    doc_->undoStack()->undo();
    doc_->undoStack()->undo();
    QCOMPARE(doc_->layer(c_)->name, QStringLiteral("C"));
    QVERIFY(doc_->layer(b_)->visible);
    QCOMPARE(names(*model()).first(), QStringLiteral("C"));
  }

  void reorderViaMoveRows() {
    QSignalSpy moved(model(), &QAbstractItemModel::rowsMoved);
    // C (row 0) to just above the original (before row 3): the bottom layer.
    QVERIFY(model()->moveRows(QModelIndex(), 0, 1, QModelIndex(), 3));
    QCOMPARE(names(*model()), (QStringList{QStringLiteral("B"), QStringLiteral("A"), QStringLiteral("C"), QStringLiteral("Original")}));
    QCOMPARE(doc_->layerAt(0).id, c_);
    QCOMPARE(moved.count(), 1);  // one move, not a reset: the view keeps its selection
    // A (row 1) to the top.
    QVERIFY(model()->moveRows(QModelIndex(), 1, 1, QModelIndex(), 0));
    QCOMPARE(names(*model()).first(), QStringLiteral("A"));
    QVERIFY(!model()->moveRows(QModelIndex(), 3, 1, QModelIndex(), 0));  // the original stays
    doc_->undoStack()->undo();
    doc_->undoStack()->undo();
    QCOMPARE(names(*model()), (QStringList{QStringLiteral("C"), QStringLiteral("B"), QStringLiteral("A"), QStringLiteral("Original")}));
  }

  void reorderViaDragAndDropData() {
    std::unique_ptr<QMimeData> data(model()->mimeData({model()->index(2)}));  // A
    QVERIFY(data);
    QVERIFY(model()->canDropMimeData(data.get(), Qt::MoveAction, 0, 0, QModelIndex()));
    // Dropped between rows, at the top.
    QVERIFY(!model()->dropMimeData(data.get(), Qt::MoveAction, 0, 0, QModelIndex()));  // false: the view removes nothing
    QCOMPARE(names(*model()), (QStringList{QStringLiteral("A"), QStringLiteral("C"), QStringLiteral("B"), QStringLiteral("Original")}));
    QCOMPARE(doc_->layerCount(), 3);
    // Dropped onto the original's row: just above it (the bottom).
    data.reset(model()->mimeData({model()->index(0)}));
    model()->dropMimeData(data.get(), Qt::MoveAction, -1, 0, model()->index(3));
    QCOMPARE(doc_->layerAt(0).id, a_);
    QVERIFY(!model()->mimeData({model()->index(3)}));  // the original cannot be dragged
  }

  void eyeClickTogglesVisibility() {
    QListView* view = panel_->view();
    const QRect row = view->visualRect(model()->index(1));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, LayerItemDelegate::eyeRect(row).center());
    QVERIFY(!doc_->layer(b_)->visible);
    QCOMPARE(doc_->activeLayer(), c_);  // the eye does not select
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, LayerItemDelegate::eyeRect(row).center());
    QVERIFY(doc_->layer(b_)->visible);
  }

  void selectionFollowsBothWays() {
    QListView* view = panel_->view();
    QCOMPARE(view->currentIndex().row(), 0);  // C, the last layer added
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, LayerItemDelegate::nameRect(view->visualRect(model()->index(2))).center());
    QCOMPARE(doc_->activeLayer(), a_);
    QCOMPARE(doc_->undoStack()->count(), 1);
    doc_->undoStack()->undo();
    QCOMPARE(doc_->activeLayer(), c_);
    QCOMPARE(view->currentIndex().row(), 0);
    doc_->selectLayer(b_);
    QCOMPARE(view->currentIndex().row(), 1);
    QVERIFY(panel_->details()->toPlainText().contains(QStringLiteral("method: classical.telea")));
    QVERIFY(panel_->details()->toPlainText().contains(QStringLiteral("grow_px: 4")));
    QCOMPARE(panel_->opacitySlider()->value(), 100);
    panel_->opacitySlider()->setValue(40);
    QCOMPARE(doc_->layer(b_)->opacity, 0.4);
    doc_->selectLayer(0);
    QCOMPARE(view->currentIndex().row(), 3);
    QVERIFY(!panel_->opacitySlider()->isEnabled());
    QVERIFY(!panel_->deleteButton()->isEnabled());
  }

  void buttons() {
    doc_->selectLayer(b_);
    QTest::mouseClick(panel_->duplicateButton(), Qt::LeftButton);
    QCOMPARE(doc_->layerCount(), 4);
    const LayerId copy = doc_->activeLayer();
    QCOMPARE(doc_->layer(copy)->name, QStringLiteral("B copy"));
    QCOMPARE(panel_->view()->currentIndex().row(), model()->rowOf(copy));
    QTest::mouseClick(panel_->moveUpButton(), Qt::LeftButton);
    QCOMPARE(doc_->indexOf(copy), 3);
    QVERIFY(!panel_->moveUpButton()->isEnabled());
    QTest::mouseClick(panel_->moveDownButton(), Qt::LeftButton);
    QCOMPARE(doc_->indexOf(copy), 2);
    QVERIFY(panel_->mergeDownButton()->isEnabled());
    QTest::mouseClick(panel_->mergeDownButton(), Qt::LeftButton);  // into B
    QCOMPARE(doc_->layerCount(), 3);
    QCOMPARE(doc_->activeLayer(), b_);
    QTest::mouseClick(panel_->copyButton(), Qt::LeftButton);
    QVERIFY(QGuiApplication::clipboard()->text().contains(QStringLiteral("\"method\": \"classical.telea\"")));
    panel_->copyA1111Parameters();
    QVERIFY(QGuiApplication::clipboard()->text().contains(QStringLiteral("classical.telea")));
    QTest::mouseClick(panel_->deleteButton(), Qt::LeftButton);
    QCOMPARE(doc_->layerCount(), 2);
    QVERIFY(!doc_->layer(b_));
    // Delete key in the list deletes too.
    doc_->selectLayer(c_);
    QTest::keyClick(panel_->view(), Qt::Key_Delete);
    QCOMPARE(doc_->layerCount(), 1);
    // Hidden layers cannot be merged (it would change the picture): the button says why.
    doc_->setLayerVisible(a_, false);
    doc_->selectLayer(a_);
    QVERIFY(!panel_->mergeDownButton()->isEnabled());
    QVERIFY(panel_->mergeDownButton()->toolTip().contains(QStringLiteral("Show")));
  }

  void thumbnailsAreCachedUntilPixelsChange() {
    QCOMPARE(doc_->layer(c_)->offset, QPoint(10, 10));
    const QImage t = model()->thumbnail(0);
    QVERIFY(!t.isNull());
    QVERIFY(t.width() <= LayersModel::kThumbnailSize && t.height() <= LayersModel::kThumbnailSize);
    QCOMPARE(t.width(), LayersModel::kThumbnailSize);  // 80 x 60: the longer side fills the box
    const int rendered = model()->thumbnailsRendered();
    model()->thumbnail(0);
    panel_->view()->viewport()->repaint();
    model()->thumbnail(0);
    QCOMPARE(model()->thumbnailsRendered(), rendered);
    // The layer sits where it is: C (10 x 10 at 10,10) covers a small square of its thumbnail.
    QCOMPARE(QColor(t.pixel(7, 7)), QColor(Qt::blue));
    QCOMPARE(qAlpha(t.pixel(1, 1)), 0);
    QCOMPARE(qAlpha(t.pixel(t.width() - 2, t.height() - 2)), 0);
    Layer changed = *doc_->layer(c_);
    changed.image = solid(10, 10, Qt::yellow);
    doc_->replaceLayerNoUndo(doc_->indexOf(c_), changed);
    QCOMPARE(QColor(model()->thumbnail(0).pixel(7, 7)), QColor(Qt::yellow));
    QCOMPARE(model()->thumbnailsRendered(), rendered + 1);
  }

  void followsDocumentReset() {
    doc_->reset(solid(30, 20, Qt::white), QStringLiteral("/tmp/other.png"));
    QCOMPARE(model()->rowCount(), 1);
    QVERIFY(!panel_->duplicateButton()->isEnabled());
    QVERIFY(panel_->details()->toPlainText().isEmpty());
  }
};

QTEST_MAIN(TestLayersPanel)
#include "test_layers_panel.moc"
