// Canvas basics (issue 19): crop, resize, canvas size, rotate and flip move every layer, mask,
// keep-out and drag point with the image and are one undo step each that gives the document back
// bit for bit; rotating four times or flipping twice is the identity; the Select tool turns
// rectangle, ellipse and lasso drags into mask (Alt subtracts), one undo step per selection.
#include <QtTest/QtTest>
#include <QUndoStack>

#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/document/document_geometry.h"
#include "ui/document/mask_image.h"
#include "ui/tools/selection_tool.h"

using namespace latentshop::ui;

namespace {

QImage photoLike(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.setPixel(x, y, qRgb((x * 7) % 256, (y * 5) % 256, (x * y) % 251));
  return img;
}

QImage patch(int w, int h, QRgb color) {
  QImage img(w, h, QImage::Format_ARGB32);
  img.fill(color);
  return img;
}

// A document with a layer off the origin, a mask, a keep-out region and a drag point.
void fill(Document& doc) {
  doc.reset(photoLike(120, 80), QString());
  Layer layer;
  layer.name = QStringLiteral("patch");
  layer.kind = LayerKind::Result;
  layer.image = patch(30, 20, qRgba(255, 0, 0, 255));
  layer.offset = QPoint(70, 10);
  doc.addLayer(layer);
  QImage mask = emptyMask(doc.size());
  for (int y = 50; y < 70; ++y)
    for (int x = 10; x < 40; ++x) mask.scanLine(y)[x] = 255;
  doc.replaceMask(mask, QStringLiteral("mask"));
  QImage keep = emptyMask(doc.size());
  keep.scanLine(5)[5] = 255;
  doc.replaceKeepOut(keep, QStringLiteral("keep"));
  doc.setWorkingPoints({DragPair{QPointF(20.5, 60.5), QPointF(30.5, 60.5)}}, QStringLiteral("points"));
}

int countNonZero(const QImage& mask) {
  int n = 0;
  for (int y = 0; y < mask.height(); ++y)
    for (int x = 0; x < mask.width(); ++x) n += mask.constScanLine(y)[x] != 0;
  return n;
}

}  // namespace

class TestCanvasBasics : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void cropKeepsWhatIsInsideAndUndoes() {
    Document doc;
    fill(doc);
    const QImage before = doc.render();
    const int steps = doc.undoStack()->count();
    const QRect box(60, 5, 50, 70);
    doc.transformContent(cropContent(doc.snapshot(), box), QStringLiteral("Crop"));
    QCOMPARE(doc.undoStack()->count(), steps + 1);
    QCOMPARE(doc.size(), box.size());
    QCOMPARE(doc.render(), before.copy(box));                  // what was inside, pixel for pixel
    QCOMPARE(doc.layerAt(0).offset, QPoint(10, 5));            // the layer moved with it
    QCOMPARE(countNonZero(doc.mask()), 0);                     // the mask was left of the box
    QVERIFY(doc.workingPoints().isEmpty());                    // the point was outside too
    doc.undoStack()->undo();
    QCOMPARE(doc.size(), QSize(120, 80));
    QCOMPARE(doc.render(), before);
    QCOMPARE(countNonZero(doc.mask()), 30 * 20);
    QCOMPARE(doc.workingPoints().size(), 1);
    doc.undoStack()->redo();
    QCOMPARE(doc.render(), before.copy(box));
  }

  void rotateFourTimesAndFlipTwiceAreTheIdentity() {
    Document doc;
    fill(doc);
    const QImage before = doc.render();
    const QImage maskBefore = doc.mask();
    doc.transformContent(rotateContent(doc.snapshot(), 1), QStringLiteral("Rotate"));
    QCOMPARE(doc.size(), QSize(80, 120));
    // Clockwise: the old top-left pixel is now at the top-right, the layer's corner follows.
    QCOMPARE(doc.render().pixel(79, 0), before.pixel(0, 0));
    QCOMPARE(doc.render().pixel(79 - 10, 70), before.pixel(70, 10));
    QCOMPARE(doc.layerAt(0).bounds(), QRect(80 - 10 - 20, 70, 20, 30));
    QCOMPARE(doc.workingPoints().first().handle, QPointF(80 - 60.5, 20.5));
    for (int i = 0; i < 3; ++i) doc.transformContent(rotateContent(doc.snapshot(), 1), QStringLiteral("Rotate"));
    QCOMPARE(doc.render(), before);
    QCOMPARE(doc.mask(), maskBefore);
    QCOMPARE(doc.workingPoints().first().handle, QPointF(20.5, 60.5));
    doc.transformContent(flipContent(doc.snapshot(), true), QStringLiteral("Flip"));
    QCOMPARE(doc.render().pixel(119, 0), before.pixel(0, 0));
    QCOMPARE(doc.layerAt(0).offset, QPoint(120 - 100, 10));
    doc.transformContent(flipContent(doc.snapshot(), true), QStringLiteral("Flip"));
    doc.transformContent(flipContent(doc.snapshot(), false), QStringLiteral("Flip"));
    QCOMPARE(doc.render().pixel(0, 79), before.pixel(0, 0));
    doc.transformContent(flipContent(doc.snapshot(), false), QStringLiteral("Flip"));
    QCOMPARE(doc.render(), before);
    // Each was one step: undoing them all gives the start back.
    for (int i = 0; i < 8; ++i) doc.undoStack()->undo();
    QCOMPARE(doc.render(), before);
  }

  void resizeAndCanvasSizeMoveEverything() {
    Document doc;
    fill(doc);
    doc.transformContent(resizeContent(doc.snapshot(), QSize(240, 160)), QStringLiteral("Resize"));
    QCOMPARE(doc.size(), QSize(240, 160));
    QCOMPARE(doc.layerAt(0).bounds(), QRect(140, 20, 60, 40));
    QCOMPARE(doc.mask().size(), QSize(240, 160));
    QVERIFY(std::abs(countNonZero(doc.mask()) - 4 * 30 * 20) < 2 * (60 + 40) * 2);  // scaled, soft edge
    QCOMPARE(doc.workingPoints().first().target, QPointF(61.0, 121.0));
    doc.undoStack()->undo();
    QCOMPARE(doc.size(), QSize(120, 80));

    const QImage before = doc.render();
    const QSize bigger(160, 100);
    const QPoint at = anchoredOffset(doc.size(), bigger, Qt::AlignCenter);
    QCOMPARE(at, QPoint(20, 10));
    doc.transformContent(resizeCanvas(doc.snapshot(), bigger, at, Qt::white), QStringLiteral("Canvas"));
    QCOMPARE(doc.size(), bigger);
    QCOMPARE(doc.render().copy(QRect(at, QSize(120, 80))), before);
    QCOMPARE(QColor(doc.render().pixel(0, 0)), QColor(Qt::white));
    QCOMPARE(doc.layerAt(0).offset, QPoint(90, 20));
    QCOMPARE(doc.mask().pixelColor(30, 60).value(), 255);
    QCOMPARE(doc.mask().pixelColor(5, 5).value(), 0);
    // Transparent room makes the original carry alpha.
    doc.undoStack()->undo();
    doc.transformContent(resizeCanvas(doc.snapshot(), bigger, QPoint(0, 0), Qt::transparent), QStringLiteral("Canvas"));
    QVERIFY(doc.original().hasAlphaChannel());
    QCOMPARE(qAlpha(doc.original().pixel(150, 90)), 0);
    QCOMPARE(qAlpha(doc.original().pixel(10, 10)), 255);
    QCOMPARE(anchoredOffset(QSize(10, 10), QSize(30, 20), Qt::AlignRight | Qt::AlignBottom), QPoint(20, 10));
  }

  void selectionsAddAndSubtractMask() {
    Canvas canvas;
    Document doc(&canvas);
    SelectionTool tool;
    canvas.resize(400, 300);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    doc.reset(photoLike(200, 150), QString());
    canvas.setDocument(&doc);
    canvas.setTool(&tool);
    canvas.setView(ViewTransform(1.0, QPointF(0, 0), canvas.viewport()->devicePixelRatioF()));
    QWidget* vp = canvas.viewport();
    const auto drag = [&](QPoint a, QPoint b, Qt::KeyboardModifiers mods = Qt::NoModifier, QList<QPoint> via = {}) {
      QTest::mousePress(vp, Qt::LeftButton, mods, a);
      for (const QPoint& p : via) QTest::mouseMove(vp, p);
      QTest::mouseMove(vp, b);
      QTest::mouseRelease(vp, Qt::LeftButton, mods, b);
    };
    drag(QPoint(20, 30), QPoint(60, 50));
    QCOMPARE(doc.undoStack()->count(), 1);
    QCOMPARE(countNonZero(doc.mask()), 40 * 20);
    QCOMPARE(doc.maskBounds(), QRect(20, 30, 40, 20));
    QVERIFY(doc.undoStack()->text(0).contains(QStringLiteral("rectangle")));
    // Alt subtracts: a hole in the middle.
    drag(QPoint(30, 35), QPoint(40, 45), Qt::AltModifier);
    QCOMPARE(countNonZero(doc.mask()), 40 * 20 - 10 * 10);
    QCOMPARE(doc.mask().pixelColor(35, 40).value(), 0);
    // An ellipse: about pi r^2, soft only at its edge.
    tool.setShape(SelectionShape::Ellipse);
    drag(QPoint(100, 40), QPoint(140, 80));
    const int ellipse = countNonZero(doc.mask()) - (40 * 20 - 10 * 10);
    QVERIFY2(std::abs(ellipse - 3.14159 * 20 * 20) < 2 * 3.14159 * 20 * 1.5, qPrintable(QString::number(ellipse)));
    QCOMPARE(doc.mask().pixelColor(120, 60).value(), 255);
    QCOMPARE(doc.mask().pixelColor(101, 41).value(), 0);  // the box's corner is outside the ellipse
    // A lasso triangle.
    tool.setShape(SelectionShape::Lasso);
    const int beforeLasso = countNonZero(doc.mask());
    drag(QPoint(20, 140), QPoint(60, 140), Qt::NoModifier, {QPoint(40, 100)});
    QVERIFY(countNonZero(doc.mask()) > beforeLasso + 500);
    QCOMPARE(doc.mask().pixelColor(40, 130).value(), 255);
    QCOMPARE(doc.undoStack()->count(), 4);
    // Undo takes them back one selection at a time.
    doc.undoStack()->undo();
    QCOMPARE(countNonZero(doc.mask()), beforeLasso);
    // The pure merge: subtracting everything empties it.
    const QImage none = mergeShapeIntoMask(doc.mask(), QPolygonF(QRectF(0, 0, 200, 150)), SelectionMode::Subtract);
    QCOMPARE(countNonZero(none), 0);
  }
};

QTEST_MAIN(TestCanvasBasics)
#include "test_canvas_basics.moc"
