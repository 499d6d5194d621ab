// The canvas widget: crisp 1:1 and integer-zoom rendering, widget <-> image mapping through real
// mouse and wheel events (zoom to the cursor), the mask overlay, the hold-to-compare view and the
// preview overlay (image + handle points) drawn over the document.
#include <cmath>

#include <QtTest/QtTest>
#include <QScrollBar>
#include <QWheelEvent>

#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/document/mask_image.h"

using namespace latentshop::ui;

namespace {

// A 1-pixel checkerboard with a coloured ramp: any resampling or half-pixel shift shows.
QImage pattern(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      img.setPixel(x, y, ((x + y) % 2) ? qRgb(250, 250, 250) : qRgb(x * 255 / w, 10, y * 255 / h));
  return img;
}

QImage solid(int w, int h, QColor c) {
  QImage img(w, h, QImage::Format_ARGB32);
  img.fill(c);
  return img;
}

}  // namespace

class TestCanvas : public QObject {
  Q_OBJECT
private:
  Canvas* canvas_ = nullptr;
  Document* doc_ = nullptr;

  QImage grabViewport() { return canvas_->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32); }

private Q_SLOTS:
  void init() {
    canvas_ = new Canvas;
    doc_ = new Document(canvas_);
    canvas_->resize(400, 300);
    canvas_->show();
    QVERIFY(QTest::qWaitForWindowExposed(canvas_));
    doc_->reset(pattern(64, 48), QString());
    canvas_->setDocument(doc_);
  }

  void cleanup() {
    delete canvas_;
    canvas_ = nullptr;
  }

  void opensFittedAndCentred() {
    // 64 x 48 fits at 100 % (opening never enlarges) and is centred.
    QCOMPARE(canvas_->zoom(), 1.0);
    const QPointF centre = canvas_->view().imageToWidget(QPointF(32, 24));
    QVERIFY(std::abs(centre.x() - canvas_->viewport()->width() / 2.0) <= 1.0);
    QVERIFY(std::abs(centre.y() - canvas_->viewport()->height() / 2.0) <= 1.0);
    QVERIFY(!canvas_->horizontalScrollBar()->isVisible());
    canvas_->fitToWindow();  // the explicit fit does enlarge
    QVERIFY(canvas_->zoom() > 4.0);
  }

  void oneToOneIsPixelExact() {
    canvas_->setView(ViewTransform(1.0, QPointF(10, 20), 1.0));
    const QImage shot = grabViewport();
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 64; ++x) QCOMPARE(shot.pixel(10 + x, 20 + y), doc_->original().pixel(x, y));
  }

  void integerZoomGivesSharpBlocks() {
    canvas_->setView(ViewTransform(3.0, QPointF(-5, 7), 1.0));
    const QImage shot = grabViewport();
    for (int y = 0; y < 40; ++y)
      for (int x = 2; x < 60; ++x)
        for (int j = 0; j < 3; ++j)
          for (int i = 0; i < 3; ++i) QCOMPARE(shot.pixel(-5 + 3 * x + i, 7 + 3 * y + j), doc_->original().pixel(x, y));
  }

  void cursorMappingAtSeveralZooms() {
    QSignalSpy moved(canvas_, &Canvas::cursorMoved);
    for (double zoom : {0.5, 1.0, 2.0, 5.0}) {
      canvas_->setView(ViewTransform(zoom, QPointF(13, 9), 1.0));
      for (const QPoint w : {QPoint(13, 9), QPoint(40, 30), QPoint(100, 70)}) {
        QTest::mouseMove(canvas_->viewport(), w);
        QVERIFY(!moved.isEmpty());
        const QPoint px = moved.last().at(0).toPoint();
        QCOMPARE(px, QPoint(int(std::floor((w.x() - 13) / zoom)), int(std::floor((w.y() - 9) / zoom))));
      }
    }
  }

  void wheelZoomsAtTheCursor() {
    canvas_->setView(ViewTransform(1.0, QPointF(30, 40), 1.0));
    const QPointF at(90, 75);
    for (int notches : {1, 1, 2, -1}) {
      const QPointF imageBefore = canvas_->view().widgetToImage(at);
      QWheelEvent wheel(at, canvas_->viewport()->mapToGlobal(at), QPoint(), QPoint(0, 120 * notches), Qt::NoButton,
                        Qt::NoModifier, Qt::NoScrollPhase, false);
      QApplication::sendEvent(canvas_->viewport(), &wheel);
      const QPointF imageAfter = canvas_->view().widgetToImage(at);
      QVERIFY(std::abs(imageAfter.x() - imageBefore.x()) <= 0.5 / canvas_->zoom() + 1e-9);
      QVERIFY(std::abs(imageAfter.y() - imageBefore.y()) <= 0.5 / canvas_->zoom() + 1e-9);
    }
    QVERIFY(canvas_->zoom() > 1.5);
    // Wheel panning when zoom-on-wheel is off.
    canvas_->setWheelZooms(false);
    const double z = canvas_->zoom();
    const QPointF offset = canvas_->view().offset();
    QWheelEvent wheel(at, canvas_->viewport()->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(canvas_->viewport(), &wheel);
    QCOMPARE(canvas_->zoom(), z);
    QCOMPARE(canvas_->view().offset(), offset + QPointF(0, -60));
    // Ctrl+wheel still zooms.
    QWheelEvent ctrl(at, canvas_->viewport()->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton,
                     Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(canvas_->viewport(), &ctrl);
    QVERIFY(canvas_->zoom() > z);
  }

  void zoomOutUsesSmoothPyramid() {
    // At 25 % the checkerboard averages to a flat grey-ish colour instead of aliasing.
    doc_->reset(pattern(400, 300), QString());
    canvas_->setView(ViewTransform(0.25, QPointF(0, 0), 1.0));
    const QImage shot = grabViewport();
    const QRgb a = shot.pixel(40, 30), b = shot.pixel(41, 30);
    QVERIFY(std::abs(qGreen(a) - qGreen(b)) < 20);
    QVERIFY(qGreen(a) > 90 && qGreen(a) < 170);
  }

  void scrollBarsAppearWhenTheImageIsLarger() {
    canvas_->setView(ViewTransform(8.0, QPointF(0, 0), 1.0));
    QScrollBar* h = canvas_->horizontalScrollBar();
    QVERIFY(h->maximum() > h->minimum());
    const QPointF before = canvas_->view().offset();
    h->setValue(h->value() + 50);
    QCOMPARE(canvas_->view().offset(), before - QPointF(50, 0));
  }

  void maskOverlayAndVisibility() {
    canvas_->setView(ViewTransform(1.0, QPointF(0, 0), 1.0));
    QImage m = emptyMask(doc_->size());
    for (int y = 10; y < 20; ++y)
      for (int x = 10; x < 20; ++x) m.scanLine(y)[x] = 255;
    doc_->replaceMask(m, QStringLiteral("mask"));
    canvas_->setMaskStyle(QColor(0, 0, 255), 1.0);
    QCOMPARE(grabViewport().pixel(15, 15), qRgb(0, 0, 255));
    QCOMPARE(grabViewport().pixel(25, 15), doc_->original().pixel(25, 15));
    canvas_->setMaskStyle(QColor(0, 0, 255), 0.5);
    const QRgb blended = grabViewport().pixel(14, 14);
    const QRgb under = doc_->original().pixel(14, 14);
    QVERIFY(std::abs(qBlue(blended) - (qBlue(under) + 255) / 2) <= 2);
    canvas_->setMaskVisible(false);
    QCOMPARE(grabViewport().pixel(15, 15), doc_->original().pixel(15, 15));
  }

  void compareShowsTheImageBeforeThePendingResult() {
    canvas_->setView(ViewTransform(1.0, QPointF(0, 0), 1.0));
    doc_->addPendingResult(solid(10, 10, Qt::green), QPoint(5, 5), QStringLiteral("result"), {});
    QCOMPARE(grabViewport().pixel(8, 8), qRgb(0, 255, 0));
    canvas_->setComparing(true);
    QCOMPARE(grabViewport().pixel(8, 8), doc_->original().pixel(8, 8));
    canvas_->setComparing(false);
    QCOMPARE(grabViewport().pixel(8, 8), qRgb(0, 255, 0));
  }

  void previewOverlayIsDrawnOverTheDocument() {
    canvas_->setView(ViewTransform(2.0, QPointF(0, 0), 1.0));
    CanvasPreview p;
    p.image = solid(4, 2, QColor(0, 0, 255)).convertToFormat(QImage::Format_RGB888);  // scaled to the placement
    p.placement = QRect(20, 40, 16, 8);
    p.points = {QPointF(5, 50)};
    p.targets = {QPointF(40, 50)};
    p.step = 3;
    p.total = 10;
    canvas_->setPreview(p);
    const QImage shot = grabViewport();
    // Inside the placement (document 20..36 x 40..48, widget x2): blue. (The step badge sits in
    // the viewport's top-left corner, above this.)
    QCOMPARE(shot.pixel(56, 88), qRgb(0, 0, 255));
    QCOMPARE(shot.pixel(44, 82), qRgb(0, 0, 255));
    // Outside it: the document.
    QCOMPARE(shot.pixel(36, 88), doc_->original().pixel(18, 44));
    // The handle: a red dot at document (5, 50) = widget (10, 100).
    const QRgb handle = shot.pixel(10, 100);
    QVERIFY2(qRed(handle) > 200 && qGreen(handle) < 100, qPrintable(QString::number(handle, 16)));
    // The target ring at widget (80, 100) is drawn in blue around it.
    bool ring = false;
    for (int dx = -7; dx <= 7; ++dx) {
      const QRgb c = shot.pixel(80 + dx, 100 - 6);
      ring |= qBlue(c) > 180 && qRed(c) < 120;
    }
    QVERIFY(ring);
    canvas_->clearPreview();
    QCOMPARE(grabViewport().pixel(56, 88), doc_->original().pixel(28, 44));
  }
};

QTEST_MAIN(TestCanvas)
#include "test_canvas.moc"
