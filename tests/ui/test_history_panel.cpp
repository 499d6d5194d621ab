// The history panel shows the document's undo stack: one row for the document as opened plus one
// per step, the current one selected; clicking a row goes back (or forward) to it; a new document
// empties it.
#include <QtTest/QtTest>
#include <QUndoStack>
#include <QUndoView>

#include "ui/document/document.h"
#include "ui/panels/history_panel.h"

using namespace latentshop::ui;

class TestHistoryPanel : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void showsTheStackAndJumps() {
    Document doc;
    QImage photo(40, 30, QImage::Format_RGB32);
    photo.fill(Qt::gray);
    doc.reset(photo, QStringLiteral("/tmp/history.png"));
    HistoryPanel panel;
    panel.setDocument(&doc);
    panel.resize(240, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QUndoView* view = panel.view();
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, 0).data().toString(), QStringLiteral("Open history.png"));

    Layer l;
    l.name = QStringLiteral("Patch");
    l.image = QImage(5, 5, QImage::Format_ARGB32);
    l.image.fill(Qt::red);
    const LayerId id = doc.addLayer(l);
    doc.setLayerOpacity(id, 0.5);
    doc.renameLayer(id, QStringLiteral("Patch 2"));
    doc.setLayerVisible(id, false);
    QCOMPARE(view->model()->rowCount(), 5);
    QCOMPARE(view->model()->index(2, 0).data().toString(), QStringLiteral("Opacity of \u201cPatch\u201d"));
    QCOMPARE(view->currentIndex().row(), 4);

    // Click the "Add layer" row: back to just after it.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, view->visualRect(view->model()->index(1, 0)).center());
    QCOMPARE(doc.undoStack()->index(), 1);
    QCOMPARE(doc.layer(id)->opacity, 1.0);
    QCOMPARE(doc.layer(id)->name, QStringLiteral("Patch"));
    QVERIFY(doc.layer(id)->visible);
    // And forward again.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, view->visualRect(view->model()->index(3, 0)).center());
    QCOMPARE(doc.layer(id)->name, QStringLiteral("Patch 2"));
    QVERIFY(doc.layer(id)->visible);
    // The first row: the document as opened.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, view->visualRect(view->model()->index(0, 0)).center());
    QCOMPARE(doc.layerCount(), 0);
    QVERIFY(!doc.isModified());

    doc.reset(photo, QStringLiteral("/tmp/next.png"));
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, 0).data().toString(), QStringLiteral("Open next.png"));
  }
};

QTEST_MAIN(TestHistoryPanel)
#include "test_history_panel.moc"
