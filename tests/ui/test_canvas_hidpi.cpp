// The canvas on a hi-DPI screen (device pixel ratio 2, through QT_SCALE_FACTOR): 100 % shows one
// image pixel per *device* pixel, crisp; mouse positions (logical) map to the right image pixels;
// fitting accounts for the ratio.
#include <cmath>

#include <QtTest/QtTest>
#include <QApplication>

#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/tools/mask_brush_tool.h"

using namespace latentshop::ui;

namespace {
QImage pattern(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      img.setPixel(x, y, ((x + y) % 2) ? qRgb(255, 255, 255) : qRgb(x * 4 % 256, 0, y * 4 % 256));
  return img;
}
}  // namespace

class TestCanvasHiDpi : public QObject {
  Q_OBJECT
private:
  Canvas* canvas_ = nullptr;
  Document* doc_ = nullptr;

private Q_SLOTS:
  void init() {
    canvas_ = new Canvas;
    doc_ = new Document(canvas_);
    canvas_->resize(300, 200);
    canvas_->show();
    QVERIFY(QTest::qWaitForWindowExposed(canvas_));
    doc_->reset(pattern(100, 80), QString());
    canvas_->setDocument(doc_);
  }
  void cleanup() {
    delete canvas_;
    canvas_ = nullptr;
  }

  void runsAtRatioTwo() {
    QCOMPARE(canvas_->viewport()->devicePixelRatioF(), 2.0);
    QCOMPARE(canvas_->view().devicePixelRatio(), 2.0);
  }

  void actualPixelsIsOneDevicePixelPerImagePixel() {
    canvas_->setView(ViewTransform(1.0, QPointF(10, 20), 2.0));
    const QImage shot = canvas_->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(shot.size(), canvas_->viewport()->size() * 2);  // device resolution
    for (int y = 0; y < 80; ++y)
      for (int x = 0; x < 100; ++x) QCOMPARE(shot.pixel(10 + x, 20 + y), doc_->original().pixel(x, y));
    // On screen, 100 image pixels span 50 logical pixels.
    QCOMPARE(canvas_->view().imageToWidget(QRectF(0, 0, 100, 80)).width(), 50.0);
  }

  void zoomTwoIsTwoByTwoDeviceBlocks() {
    canvas_->setView(ViewTransform(2.0, QPointF(4, 6), 2.0));
    const QImage shot = canvas_->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < 80; ++y)
      for (int x = 0; x < 100; ++x)
        for (int j = 0; j < 2; ++j)
          for (int i = 0; i < 2; ++i) QCOMPARE(shot.pixel(4 + 2 * x + i, 6 + 2 * y + j), doc_->original().pixel(x, y));
  }

  void mouseMapsThroughTheRatio() {
    canvas_->setView(ViewTransform(1.0, QPointF(10, 20), 2.0));
    // QTest's synthetic events pass through the platform's native (device) coordinates and may
    // arrive a logical pixel off the requested point; record where they really land.
    struct Spy : QObject {
      QPointF last;
      bool eventFilter(QObject*, QEvent* e) override {
        if (e->type() == QEvent::MouseMove || e->type() == QEvent::MouseButtonPress)
          last = static_cast<QMouseEvent*>(e)->position();
        return false;
      }
    } spy;
    canvas_->viewport()->installEventFilter(&spy);
    QSignalSpy moved(canvas_, &Canvas::cursorMoved);
    QTest::mouseMove(canvas_->viewport(), QPoint(30, 40));
    // Logical p = device 2p = image 2p - offset at 100 %.
    const QPoint expected(int(std::floor(2 * spy.last.x() - 10)), int(std::floor(2 * spy.last.y() - 20)));
    QCOMPARE(moved.last().at(0).toPoint(), expected);

    MaskBrushTool tool;
    tool.setSettings(BrushSettings{4.0, 1.0, false});
    canvas_->setTool(&tool);
    QTest::mousePress(canvas_->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(30, 40));
    QTest::mouseRelease(canvas_->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(30, 40));
    canvas_->viewport()->removeEventFilter(&spy);
    // Pixel centres within 2 image px of the press point: a 4 x 4 block around it.
    const QPointF centre(2 * spy.last.x() - 10, 2 * spy.last.y() - 20);
    QCOMPARE(doc_->maskBounds(), QRect(int(centre.x()) - 2, int(centre.y()) - 2, 4, 4));
    canvas_->setTool(nullptr);
  }

  void fitUsesDevicePixels() {
    canvas_->fitToWindow();
    // The fitted image fills the viewport's device pixels (minus margins): more than 1 image pixel
    // per device pixel is needed for a 100 px image in ~600 device pixels.
    const QRectF shown = canvas_->view().imageToWidget(QRectF(0, 0, 100, 80));
    QVERIFY(shown.height() <= canvas_->viewport()->height());
    QVERIFY(shown.height() >= canvas_->viewport()->height() - 40);
  }
};

int main(int argc, char** argv) {
  qputenv("QT_SCALE_FACTOR", "2");
  QApplication app(argc, argv);
  TestCanvasHiDpi test;
  return QTest::qExec(&test, argc, argv);
}
#include "test_canvas_hidpi.moc"
