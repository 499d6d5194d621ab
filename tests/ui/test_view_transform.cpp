// ViewTransform: widget <-> image mapping at several zooms and device pixel ratios, zoom around the
// cursor, fit, the zoom ladder, and whole-device-pixel offsets (crisp 1:1 rendering).
#include <cmath>

#include <QtTest/QtTest>

#include "ui/canvas/view_transform.h"

using latentshop::ui::ViewTransform;

class TestViewTransform : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void mapsImageToWidgetAndBack_data() {
    QTest::addColumn<double>("zoom");
    QTest::addColumn<double>("dpr");
    for (double zoom : {1.0 / 16, 0.3, 1.0, 2.5, 8.0, 64.0})
      for (double dpr : {1.0, 1.25, 1.5, 2.0, 3.0})
        QTest::addRow("zoom %g dpr %g", zoom, dpr) << zoom << dpr;
  }

  void mapsImageToWidgetAndBack() {
    QFETCH(double, zoom);
    QFETCH(double, dpr);
    const ViewTransform v(zoom, QPointF(37.4, -12.6), dpr);
    QCOMPARE(v.offset(), QPointF(37, -13));  // whole device pixels
    for (const QPointF p : {QPointF(0, 0), QPointF(10.5, 3.25), QPointF(1999, 1499), QPointF(-4, 7)}) {
      const QPointF w = v.imageToWidget(p);
      // The definition: device = image * zoom + offset, widget = device / dpr.
      QVERIFY(std::abs(w.x() - (p.x() * zoom + 37) / dpr) < 1e-9);
      QVERIFY(std::abs(w.y() - (p.y() * zoom - 13) / dpr) < 1e-9);
      const QPointF back = v.widgetToImage(w);
      QVERIFY(std::abs(back.x() - p.x()) < 1e-9 && std::abs(back.y() - p.y()) < 1e-9);
    }
    QCOMPARE(v.widgetScale(), zoom / dpr);
    const QRectF r(5, 6, 20, 10);
    const QRectF wr = v.imageToWidget(r);
    QVERIFY(std::abs(wr.width() - 20 * zoom / dpr) < 1e-9);
    QVERIFY(std::abs(v.widgetToImage(wr).left() - 5) < 1e-9);
    QCOMPARE(v.imageToWidgetTransform().map(QPointF(3, 4)), v.imageToWidget(QPointF(3, 4)));
    QCOMPARE(v.imageToDeviceTransform().map(QPointF(3, 4)), v.imageToDevice(QPointF(3, 4)));
  }

  void pixelUnderCursorFloors() {
    const ViewTransform v(4.0, QPointF(10, 10), 2.0);
    // Widget (5, 5) = device (10, 10) = image (0, 0): the top-left corner of pixel (0, 0).
    QCOMPARE(v.widgetToPixel(QPointF(5, 5)), QPoint(0, 0));
    QCOMPARE(v.widgetToPixel(QPointF(6.99, 6.99)), QPoint(0, 0));  // device 13.98 -> image 0.995
    QCOMPARE(v.widgetToPixel(QPointF(7, 7)), QPoint(1, 1));
    QCOMPARE(v.widgetToPixel(QPointF(4.9, 4.9)), QPoint(-1, -1));
  }

  void oneToOneIsOneDevicePixelPerImagePixel() {
    for (double dpr : {1.0, 2.0}) {
      const ViewTransform v(1.0, QPointF(3, 5), dpr);
      QCOMPARE(v.imageToDevice(QPointF(10, 20)), QPointF(13, 25));
      QCOMPARE(v.imageToWidget(QPointF(10, 20)), QPointF(13 / dpr, 25 / dpr));
    }
  }

  void zoomAroundKeepsTheAnchor_data() {
    QTest::addColumn<double>("dpr");
    QTest::newRow("dpr 1") << 1.0;
    QTest::newRow("dpr 1.5") << 1.5;
    QTest::newRow("dpr 2") << 2.0;
  }

  void zoomAroundKeepsTheAnchor() {
    QFETCH(double, dpr);
    ViewTransform v(0.5, QPointF(100, 40), dpr);
    const QPointF anchor(321.5, 177.25);
    for (double z : {0.75, 1.0, 3.0, 12.0, 0.1}) {
      const QPointF before = v.widgetToImage(anchor);
      v.zoomAround(anchor, z);
      QCOMPARE(v.zoom(), z);
      const QPointF after = v.widgetToImage(anchor);
      // The offset is rounded to whole device pixels: at most half a device pixel of drift.
      QVERIFY(std::abs(after.x() - before.x()) <= 0.5 / z + 1e-9);
      QVERIFY(std::abs(after.y() - before.y()) <= 0.5 / z + 1e-9);
    }
  }

  void zoomIsClamped() {
    ViewTransform v;
    v.setZoom(1000);
    QCOMPARE(v.zoom(), ViewTransform::kMaxZoom);
    v.setZoom(1e-6);
    QCOMPARE(v.zoom(), ViewTransform::kMinZoom);
    v.setZoom(-1);
    QCOMPARE(v.zoom(), 1.0);
  }

  void panMovesByWidgetDelta() {
    ViewTransform v(2.0, QPointF(0, 0), 2.0);
    const QPointF w = v.imageToWidget(QPointF(50, 50));
    v.panBy(QPointF(10, -4));
    QCOMPARE(v.imageToWidget(QPointF(50, 50)), w + QPointF(10, -4));
    QCOMPARE(v.offset(), QPointF(20, -8));
  }

  void devicePixelRatioChangeKeepsTheAnchor() {
    ViewTransform v(1.0, QPointF(40, 40), 1.0);
    const QPointF anchor(200, 150);
    const QPointF image = v.widgetToImage(anchor);
    v.setDevicePixelRatio(2.0, anchor);
    QCOMPARE(v.devicePixelRatio(), 2.0);
    QVERIFY(std::abs(v.widgetToImage(anchor).x() - image.x()) <= 0.5);
    QVERIFY(std::abs(v.widgetToImage(anchor).y() - image.y()) <= 0.5);
  }

  void fitAndCenter() {
    // 2000 x 1000 into 800 x 600 logical, no margin: limited by the width.
    QCOMPARE(ViewTransform::fitZoom(QSize(2000, 1000), QSizeF(800, 600), 1.0, 0.0), 0.4);
    // At dpr 2 the same widget has twice the device pixels.
    QCOMPARE(ViewTransform::fitZoom(QSize(2000, 1000), QSizeF(800, 600), 2.0, 0.0), 0.8);
    // A small image is not enlarged past maxFit.
    QCOMPARE(ViewTransform::fitZoom(QSize(100, 50), QSizeF(800, 600), 1.0, 16.0, 1.0), 1.0);
    QCOMPARE(ViewTransform::fitZoom(QSize(100, 50), QSizeF(800, 600), 1.0, 0.0, 64.0), 8.0);
    ViewTransform v(0.4, QPointF(), 1.0);
    v.centerOn(QSize(2000, 1000), QSizeF(800, 600));
    QCOMPARE(v.imageToWidget(QPointF(1000, 500)), QPointF(400, 300));
  }

  void zoomLadder() {
    QCOMPARE(ViewTransform::nextZoomStep(1.0, true), 1.5);
    QCOMPARE(ViewTransform::nextZoomStep(1.0, false), 2.0 / 3.0);
    QCOMPARE(ViewTransform::nextZoomStep(0.7, true), 1.0);
    QCOMPARE(ViewTransform::nextZoomStep(0.7, false), 2.0 / 3.0);
    QCOMPARE(ViewTransform::nextZoomStep(64.0, true), 64.0);
    QCOMPARE(ViewTransform::nextZoomStep(1.0 / 64, false), 1.0 / 64);
  }
};

QTEST_GUILESS_MAIN(TestViewTransform)
#include "test_view_transform.moc"
