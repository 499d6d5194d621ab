// The document model: layers over the original, pending results (apply / discard / replace), layer
// properties, whole-mask edits, strokes; every change undoable and redoable bit for bit.
#include <QtTest/QtTest>
#include <QUndoStack>

#include "ui/document/document.h"
#include "ui/document/mask_commands.h"
#include "ui/document/mask_image.h"

using namespace latentshop::ui;

namespace {

QImage gradient(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.setPixel(x, y, qRgb(x * 255 / w, y * 255 / h, (x + y) % 256));
  return img;
}

QImage solid(int w, int h, QColor c) {
  QImage img(w, h, QImage::Format_ARGB32);
  img.fill(c);
  return img;
}

}  // namespace

class TestDocument : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void resetStartsClean() {
    Document doc;
    QVERIFY(doc.isNull());
    QSignalSpy reset(&doc, &Document::documentReset);
    doc.reset(gradient(64, 48), QStringLiteral("/tmp/a.png"));
    QCOMPARE(reset.count(), 1);
    QCOMPARE(doc.size(), QSize(64, 48));
    QCOMPARE(doc.layerCount(), 0);
    QCOMPARE(doc.mask().format(), QImage::Format_Grayscale8);
    QVERIFY(doc.maskIsEmpty());
    QVERIFY(!doc.isModified());
    QCOMPARE(doc.displayName(), QStringLiteral("a.png"));
    QCOMPARE(doc.render().convertToFormat(QImage::Format_RGB32), doc.original());
  }

  void pendingResultApplyDiscardUndo() {
    Document doc;
    doc.reset(gradient(64, 48), QString());
    const QImage before = doc.render();
    const LayerId id = doc.addPendingResult(solid(10, 8, Qt::red), QPoint(5, 6), QStringLiteral("Inpaint"),
                                            QJsonObject{{QStringLiteral("method"), QStringLiteral("classical.telea")}});
    QVERIFY(id > 0);
    QCOMPARE(doc.topPendingLayer(), id);
    const Layer* l = doc.layer(id);
    QVERIFY(l && l->pending && l->kind == LayerKind::Result);
    QCOMPARE(l->params.value(QStringLiteral("method")).toString(), QStringLiteral("classical.telea"));
    QCOMPARE(l->bounds(), QRect(5, 6, 10, 8));
    QImage after = doc.render();
    QCOMPARE(after.pixel(5, 6), qRgb(255, 0, 0));
    QCOMPARE(after.pixel(4, 6), before.pixel(4, 6));
    QCOMPARE(doc.editSource(), before);  // pending results are not part of the next edit's input
    QVERIFY(doc.isModified());

    doc.applyResult(id);
    QVERIFY(!doc.layer(id)->pending);
    QVERIFY(!doc.hasPendingResult());
    QCOMPARE(doc.editSource(), after);
    doc.undoStack()->undo();
    QVERIFY(doc.layer(id)->pending);
    doc.undoStack()->redo();
    QVERIFY(!doc.layer(id)->pending);

    const LayerId second = doc.addPendingResult(solid(4, 4, Qt::blue), QPoint(0, 0), QStringLiteral("Again"), {});
    doc.discardResult(second);
    QCOMPARE(doc.layerCount(), 1);
    doc.undoStack()->undo();
    QCOMPARE(doc.layerCount(), 2);
    QCOMPARE(doc.topPendingLayer(), second);
    doc.undoStack()->undo();  // undoes adding it
    QCOMPARE(doc.layerCount(), 1);
    doc.undoStack()->undo();  // undoes apply
    doc.undoStack()->undo();  // undoes the first result
    QCOMPARE(doc.layerCount(), 0);
    QCOMPARE(doc.render(), before);
    QVERIFY(!doc.isModified());
  }

  void newResultReplacesPendingInOneStep() {
    Document doc;
    doc.reset(gradient(32, 32), QString());
    const LayerId a = doc.addPendingResult(solid(4, 4, Qt::red), QPoint(), QStringLiteral("A"), {});
    const LayerId b = doc.addPendingResult(solid(4, 4, Qt::green), QPoint(), QStringLiteral("B"), {});
    QCOMPARE(doc.layerCount(), 1);
    QCOMPARE(doc.topPendingLayer(), b);
    doc.undoStack()->undo();
    QCOMPARE(doc.layerCount(), 1);
    QCOMPARE(doc.topPendingLayer(), a);
  }

  void layerPropertiesAreUndoable() {
    Document doc;
    doc.reset(gradient(32, 32), QString());
    Layer l;
    l.name = QStringLiteral("red");
    l.kind = LayerKind::Image;
    l.image = solid(32, 32, Qt::red);
    const LayerId red = doc.addLayer(l);
    l.name = QStringLiteral("blue");
    l.image = solid(8, 8, Qt::blue);
    const LayerId blue = doc.addLayer(l);
    QCOMPARE(doc.layerAt(1).id, blue);
    QCOMPARE(doc.render().pixel(0, 0), qRgb(0, 0, 255));

    doc.setLayerVisible(blue, false);
    QCOMPARE(doc.render().pixel(0, 0), qRgb(255, 0, 0));
    doc.undoStack()->undo();
    QCOMPARE(doc.render().pixel(0, 0), qRgb(0, 0, 255));

    const int before = doc.undoStack()->index();
    doc.setLayerOpacity(red, 0.8);
    doc.setLayerOpacity(red, 0.5);  // merges with the previous opacity change
    QCOMPARE(doc.undoStack()->index(), before + 1);
    QCOMPARE(doc.layer(red)->opacity, 0.5);
    const QRgb half = doc.render().pixel(20, 20);
    QVERIFY(qAbs(qRed(half) - (255 + qRed(doc.original().pixel(20, 20))) / 2) <= 1);
    doc.undoStack()->undo();
    QCOMPARE(doc.layer(red)->opacity, 1.0);

    doc.renameLayer(red, QStringLiteral("crimson"));
    QCOMPARE(doc.layer(red)->name, QStringLiteral("crimson"));
    doc.moveLayer(red, 1);
    QCOMPARE(doc.layerAt(1).id, red);
    QCOMPARE(doc.render().pixel(0, 0), qRgb(255, 0, 0));
    doc.undoStack()->undo();
    QCOMPARE(doc.layerAt(1).id, blue);
    doc.undoStack()->undo();
    QCOMPARE(doc.layer(red)->name, QStringLiteral("red"));
    doc.removeLayer(blue);
    QCOMPARE(doc.layerCount(), 1);
    doc.undoStack()->undo();
    QCOMPARE(doc.layerAt(1).id, blue);
  }

  void maskEditsStoreOnlyTheChangedRectangle() {
    Document doc;
    doc.reset(gradient(100, 80), QString());
    QImage m = emptyMask(doc.size());
    for (int y = 20; y < 30; ++y)
      for (int x = 40; x < 55; ++x) m.scanLine(y)[x] = 255;
    doc.replaceMask(m, QStringLiteral("paint"));
    const auto* cmd = dynamic_cast<const MaskEditCommand*>(doc.undoStack()->command(doc.undoStack()->count() - 1));
    QVERIFY(cmd);
    QCOMPARE(cmd->rect(), QRect(40, 20, 15, 10));
    QCOMPARE(doc.maskBounds(), QRect(40, 20, 15, 10));
    const QImage painted = doc.mask();

    doc.growMask(3);
    QCOMPARE(doc.maskBounds(), QRect(37, 17, 21, 16));
    doc.undoStack()->undo();
    QCOMPARE(doc.mask(), painted);

    doc.invertMask();
    QCOMPARE(int(doc.mask().constScanLine(0)[0]), 255);
    QCOMPARE(int(doc.mask().constScanLine(25)[45]), 0);
    doc.undoStack()->undo();
    QCOMPARE(doc.mask(), painted);

    doc.clearMask();
    QVERIFY(doc.maskIsEmpty());
    doc.undoStack()->undo();
    QCOMPARE(doc.mask(), painted);
    doc.undoStack()->redo();
    QVERIFY(doc.maskIsEmpty());

    // A no-op edit pushes nothing.
    const int count = doc.undoStack()->count();
    doc.clearMask();
    QCOMPARE(doc.undoStack()->count(), count);
  }

  void strokeIsOneCommandAndCancelRestores() {
    Document doc;
    doc.reset(gradient(50, 50), QString());
    QSignalSpy changed(&doc, &Document::maskChanged);
    doc.beginMaskStroke();
    doc.strokeMask().scanLine(10)[10] = 200;
    doc.strokeUpdated(QRect(10, 10, 1, 1));
    doc.strokeMask().scanLine(12)[30] = 100;
    doc.strokeUpdated(QRect(30, 12, 1, 1));
    QCOMPARE(changed.count(), 2);
    QVERIFY(doc.endMaskStroke(QStringLiteral("stroke")));
    QCOMPARE(doc.undoStack()->count(), 1);
    const auto* cmd = dynamic_cast<const MaskEditCommand*>(doc.undoStack()->command(0));
    QCOMPARE(cmd->rect(), QRect(QPoint(10, 10), QPoint(30, 12)));

    doc.beginMaskStroke();
    doc.strokeMask().scanLine(40)[40] = 255;
    doc.strokeUpdated(QRect(40, 40, 1, 1));
    doc.cancelMaskStroke();
    QCOMPARE(int(doc.mask().constScanLine(40)[40]), 0);
    QCOMPARE(doc.undoStack()->count(), 1);

    // A stroke that changes nothing (erasing nothing) leaves no command.
    doc.beginMaskStroke();
    doc.strokeUpdated(QRect(0, 0, 5, 5));
    QVERIFY(!doc.endMaskStroke(QStringLiteral("nothing")));
    QCOMPARE(doc.undoStack()->count(), 1);
  }

  // A keep-out stroke writes the keep-out mask only, signals keepOutChanged, undoes as one step and
  // travels with snapshot/reset.
  void keepOutStrokesLeaveTheHoleMaskAlone() {
    Document doc;
    doc.reset(gradient(50, 50), QString());
    QVERIFY(doc.keepOutIsEmpty());
    QSignalSpy maskSpy(&doc, &Document::maskChanged);
    QSignalSpy keepSpy(&doc, &Document::keepOutChanged);
    doc.beginMaskStroke(MaskTarget::KeepOut);
    doc.strokeMask().scanLine(20)[25] = 255;
    doc.strokeUpdated(QRect(25, 20, 1, 1));
    QVERIFY(doc.endMaskStroke(QStringLiteral("keep")));
    QCOMPARE(maskSpy.count(), 0);
    QVERIFY(keepSpy.count() >= 1);
    QVERIFY(doc.maskIsEmpty());
    QCOMPARE(int(doc.keepOut().constScanLine(20)[25]), 255);
    doc.undoStack()->undo();
    QVERIFY(doc.keepOutIsEmpty());
    QVERIFY(doc.maskIsEmpty());
    doc.undoStack()->redo();
    QVERIFY(!doc.keepOutIsEmpty());
    // Cancel restores the keep-out mask, not the hole mask.
    doc.beginMaskStroke(MaskTarget::KeepOut);
    doc.strokeMask().scanLine(30)[30] = 255;
    doc.strokeUpdated(QRect(30, 30, 1, 1));
    doc.cancelMaskStroke();
    QCOMPARE(int(doc.keepOut().constScanLine(30)[30]), 0);
    // The next default stroke paints the hole again.
    doc.beginMaskStroke();
    doc.strokeMask().scanLine(5)[5] = 255;
    doc.strokeUpdated(QRect(5, 5, 1, 1));
    QVERIFY(doc.endMaskStroke(QStringLiteral("hole")));
    QCOMPARE(int(doc.mask().constScanLine(5)[5]), 255);
    QCOMPARE(int(doc.keepOut().constScanLine(5)[5]), 0);
    // Snapshot and reset carry it.
    const DocumentContent c = doc.snapshot();
    QVERIFY(!c.keepOut.isNull());
    Document other;
    other.reset(c, QString());
    QCOMPARE(other.keepOut(), doc.keepOut());
    other.clearKeepOut();
    QVERIFY(other.keepOutIsEmpty());
    QCOMPARE(other.undoStack()->undoText(), QStringLiteral("Clear keep-out"));
  }

  void resetWithLayersKeepsThem() {
    Document doc;
    Layer l;
    l.id = 7;
    l.name = QStringLiteral("result");
    l.kind = LayerKind::Result;
    l.image = solid(4, 4, Qt::green);
    l.offset = QPoint(2, 3);
    l.params = QJsonObject{{QStringLiteral("seed"), 42}};
    QImage mask = emptyMask(QSize(16, 16));
    mask.scanLine(1)[1] = 255;
    doc.reset(gradient(16, 16), QStringLiteral("p.ora"), {l, l}, mask);
    QCOMPARE(doc.layerCount(), 2);
    QCOMPARE(doc.layerAt(0).id, 7);
    QVERIFY(doc.layerAt(1).id != 7);  // duplicate ids are renumbered
    QCOMPARE(doc.layerAt(0).params.value(QStringLiteral("seed")).toInt(), 42);
    QCOMPARE(doc.maskBounds(), QRect(1, 1, 1, 1));
    Layer n;
    n.image = solid(1, 1, Qt::black);
    QVERIFY(doc.addLayer(n) > 8);
  }

  void layerKindNames() {
    for (LayerKind k : {LayerKind::Image, LayerKind::Result, LayerKind::Mask, LayerKind::Annotation})
      QVERIFY(layerKindFromName(layerKindName(k)) == k);
    QVERIFY(!layerKindFromName(QStringLiteral("vector")).has_value());
  }
};

QTEST_MAIN(TestDocument)
#include "test_document.moc"
