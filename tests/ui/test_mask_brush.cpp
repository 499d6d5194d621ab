// The mask brush driven by synthetic mouse events on the canvas: a stroke changes exactly the
// pixels whose centres lie within the brush radius of the stroke's path (hard brush), the soft
// brush follows its falloff, one stroke is one undo command holding its changed rectangle, and
// undo/redo restore the mask bit for bit, at zoom 1 and at other zooms/offsets.
#include <cmath>

#include <QtTest/QtTest>
#include <QUndoStack>

#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/document/mask_commands.h"
#include "ui/document/mask_image.h"
#include "ui/tools/mask_brush_tool.h"

using namespace latentshop::ui;

namespace {

double segmentDistance(QPointF p, QPointF a, QPointF b) {
  const QPointF ab = b - a;
  const double len2 = QPointF::dotProduct(ab, ab);
  double t = len2 > 0 ? QPointF::dotProduct(p - a, ab) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const QPointF d = p - (a + t * ab);
  return std::hypot(d.x(), d.y());
}

// The mask a hard brush of `radius` leaves along `path` (image coordinates): 255 where a pixel's
// centre is within `radius` of the path.
QImage expectedHardStroke(QSize size, const QList<QPointF>& path, double radius) {
  QImage m = emptyMask(size);
  for (int y = 0; y < size.height(); ++y) {
    for (int x = 0; x < size.width(); ++x) {
      const QPointF c(x + 0.5, y + 0.5);
      double d = 1e9;
      for (int i = 0; i + 1 < path.size(); ++i) d = std::min(d, segmentDistance(c, path[i], path[i + 1]));
      if (path.size() == 1) d = segmentDistance(c, path[0], path[0]);
      if (d <= radius) m.scanLine(y)[x] = 255;
    }
  }
  return m;
}

QImage photoLike(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.setPixel(x, y, qRgb((x * 7) % 256, (y * 5) % 256, 128));
  return img;
}

int countDiff(const QImage& a, const QImage& b) {
  int n = 0;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width(); ++x) n += a.constScanLine(y)[x] != b.constScanLine(y)[x];
  return n;
}

}  // namespace

class TestMaskBrush : public QObject {
  Q_OBJECT
private:
  Canvas* canvas_ = nullptr;
  Document* doc_ = nullptr;
  MaskBrushTool* tool_ = nullptr;

  QWidget* vp() { return canvas_->viewport(); }
  void stroke(const QList<QPoint>& widgetPath, Qt::MouseButton button = Qt::LeftButton) {
    QTest::mousePress(vp(), button, Qt::NoModifier, widgetPath.first());
    for (int i = 1; i < widgetPath.size(); ++i) QTest::mouseMove(vp(), widgetPath[i]);
    QTest::mouseRelease(vp(), button, Qt::NoModifier, widgetPath.last());
  }

private Q_SLOTS:
  void init() {
    canvas_ = new Canvas;
    doc_ = new Document(canvas_);
    tool_ = new MaskBrushTool(canvas_);
    canvas_->resize(420, 320);
    canvas_->show();
    QVERIFY(QTest::qWaitForWindowExposed(canvas_));
    doc_->reset(photoLike(200, 150), QString());
    canvas_->setDocument(doc_);
    canvas_->setTool(tool_);
    tool_->setSettings(BrushSettings{20.0, 1.0, false});
    canvas_->setView(ViewTransform(1.0, QPointF(0, 0), canvas_->viewport()->devicePixelRatioF()));
    QCOMPARE(canvas_->viewport()->devicePixelRatioF(), 1.0);
  }

  void cleanup() {
    delete canvas_;
    canvas_ = nullptr;
  }

  void hardStrokeChangesExactlyTheExpectedPixels() {
    const QImage before = doc_->mask().copy();
    stroke({QPoint(50, 60), QPoint(80, 60), QPoint(120, 90)});
    const QImage expected = expectedHardStroke(doc_->size(), {QPointF(50, 60), QPointF(80, 60), QPointF(120, 90)}, 10.0);
    QCOMPARE(countDiff(doc_->mask(), expected), 0);
    QVERIFY(countDiff(doc_->mask(), before) > 500);

    // One undo command, holding just the changed rectangle.
    QCOMPARE(doc_->undoStack()->count(), 1);
    const auto* cmd = dynamic_cast<const MaskEditCommand*>(doc_->undoStack()->command(0));
    QVERIFY(cmd);
    QCOMPARE(cmd->rect(), nonZeroBounds(expected));
    QCOMPARE(cmd->rect(), QRect(QPoint(40, 50), QPoint(129, 99)));
  }

  void undoRedoRestoreBitForBit() {
    const QImage empty = doc_->mask().copy();
    stroke({QPoint(30, 30), QPoint(150, 40)});
    const QImage afterPaint = doc_->mask().copy();
    tool_->setSize(12);
    stroke({QPoint(90, 10), QPoint(90, 80)}, Qt::RightButton);  // the right button erases
    const QImage afterErase = doc_->mask().copy();
    QVERIFY(countDiff(afterPaint, afterErase) > 0);
    // The erased band is a hard 6 px radius around x = 90.
    QCOMPARE(int(afterErase.constScanLine(35)[90]), 0);
    QCOMPARE(int(afterErase.constScanLine(35)[80]), 255);
    QCOMPARE(doc_->undoStack()->count(), 2);

    doc_->undoStack()->undo();
    QCOMPARE(doc_->mask(), afterPaint);
    doc_->undoStack()->undo();
    QCOMPARE(doc_->mask(), empty);
    doc_->undoStack()->redo();
    QCOMPARE(doc_->mask(), afterPaint);
    doc_->undoStack()->redo();
    QCOMPARE(doc_->mask(), afterErase);
  }

  void strokeMapsThroughZoomAndPan() {
    // zoom 2, image origin at widget (-40, 10): widget (x, y) -> image ((x + 40) / 2, (y - 10) / 2).
    canvas_->setView(ViewTransform(2.0, QPointF(-40, 10), 1.0));
    stroke({QPoint(100, 100), QPoint(160, 100), QPoint(160, 160)});
    const QImage expected =
        expectedHardStroke(doc_->size(), {QPointF(70, 45), QPointF(100, 45), QPointF(100, 75)}, 10.0);
    QCOMPARE(countDiff(doc_->mask(), expected), 0);

    doc_->undoStack()->undo();
    canvas_->setView(ViewTransform(0.5, QPointF(12, 4), 1.0));
    stroke({QPoint(40, 40), QPoint(70, 52)});
    const QImage expectedSmall = expectedHardStroke(doc_->size(), {QPointF(56, 72), QPointF(116, 96)}, 10.0);
    QCOMPARE(countDiff(doc_->mask(), expectedSmall), 0);
  }

  void softBrushFollowsItsFalloff() {
    tool_->setSettings(BrushSettings{20.0, 0.5, false});
    stroke({QPoint(100, 75)});  // a single dab
    for (int y = 60; y < 90; ++y) {
      for (int x = 85; x < 115; ++x) {
        const double d = std::hypot(x + 0.5 - 100, y + 0.5 - 75);
        double c = 0;
        if (d <= 5) {
          c = 1;
        } else if (d <= 10) {
          const double t = (10 - d) / 5;
          c = t * t * (3 - 2 * t);
        }
        QCOMPARE(int(doc_->mask().constScanLine(y)[x]), int(std::lround(c * 255)));
      }
    }
  }

  void overlappingSegmentsDoNotBuildUp() {
    tool_->setSettings(BrushSettings{16.0, 0.3, false});
    stroke({QPoint(60, 60), QPoint(90, 60), QPoint(60, 60), QPoint(90, 60)});
    const QImage back = doc_->mask().copy();
    doc_->undoStack()->undo();
    stroke({QPoint(60, 60), QPoint(90, 60)});
    QCOMPARE(doc_->mask(), back);
  }

  void bracketKeysResizeTheBrush() {
    tool_->setSize(20);
    tool_->increaseSize();
    QCOMPARE(tool_->settings().size, 23.0);
    tool_->decreaseSize();
    QCOMPARE(tool_->settings().size, 20.0);
    tool_->setSize(1);
    tool_->decreaseSize();
    QCOMPARE(tool_->settings().size, BrushSettings::kMinSize);
    tool_->setSize(1e9);
    QCOMPARE(tool_->settings().size, BrushSettings::kMaxSize);
  }

  void hoverDrawsTheBrushOutline() {
    tool_->setSize(40);
    const QImage plain = canvas_->viewport()->grab().toImage();
    QTest::mouseMove(vp(), QPoint(100, 80));
    QCoreApplication::processEvents();
    const QImage hovered = canvas_->viewport()->grab().toImage();
    // Somewhere on the ring (radius 20 widget px at zoom 1) the pixels changed; far away they did not.
    int ringChanged = 0;
    for (int a = 0; a < 360; a += 10) {
      const int x = int(std::lround(100 + 20 * std::cos(a * M_PI / 180)));
      const int y = int(std::lround(80 + 20 * std::sin(a * M_PI / 180)));
      ringChanged += plain.pixel(x, y) != hovered.pixel(x, y);
    }
    QVERIFY2(ringChanged > 30, qPrintable(QString::number(ringChanged)));
    QCOMPARE(plain.pixel(180, 20), hovered.pixel(180, 20));
  }

  void spaceDragPansInsteadOfPainting() {
    const QPointF before = canvas_->view().offset();
    QTest::keyPress(canvas_, Qt::Key_Space);
    stroke({QPoint(50, 50), QPoint(80, 70)});
    QTest::keyRelease(canvas_, Qt::Key_Space);
    QCOMPARE(canvas_->view().offset(), before + QPointF(30, 20));
    QVERIFY(doc_->maskIsEmpty());
    QCOMPARE(doc_->undoStack()->count(), 0);
    // Middle-drag pans too.
    QTest::mousePress(vp(), Qt::MiddleButton, Qt::NoModifier, QPoint(100, 100));
    QTest::mouseMove(vp(), QPoint(90, 95));
    QTest::mouseRelease(vp(), Qt::MiddleButton, Qt::NoModifier, QPoint(90, 95));
    QCOMPARE(canvas_->view().offset(), before + QPointF(20, 15));
    QVERIFY(doc_->maskIsEmpty());
  }
};

QTEST_MAIN(TestMaskBrush)
#include "test_mask_brush.moc"
