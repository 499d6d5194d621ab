// Large images: an 8000 x 6000 JPEG opens on a worker thread while the GUI thread keeps running;
// the canvas shares the photo instead of copying it and draws it through a bounded tile cache over a
// zoom/pan sequence (fit, 25 %, 50 %, 100 %, 200 %, panning): tiles stay within their byte budget,
// a pan renders only the tiles that scroll in, pixels at 100 % and 200 % are the photo's; tiles join
// without seams; an image over the 250 MP limit is refused from its header with a clear message;
// the large document exports to PNG. Timings are in tests/bench/bench_canvas_tiles.cpp.
#include <QtTest/QtTest>
#include <QImageReader>
#include <QImageWriter>
#include <QPainter>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/document/background_tasks.h"
#include "ui/document/document.h"
#include "engine/io/decode_policy.h"
#include "ui/document/document_files.h"

using namespace latentshop::ui;

namespace {

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + QLatin1Char('/') + name; }

// A photo-like test pattern: smooth colour ramps with a fine grid, so misplaced pixels show.
QImage pattern(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y) {
    auto* row = reinterpret_cast<QRgb*>(img.scanLine(y));
    for (int x = 0; x < w; ++x) {
      const bool line = x % 97 == 0 || y % 89 == 0;
      row[x] = line ? qRgb(255, 255, 255) : qRgb((x * 255) / w, (y * 255) / h, ((x / 13 + y / 11) * 37) % 256);
    }
  }
  return img;
}

quint32 crc32(const QByteArray& data) {
  quint32 c = 0xffffffffu;
  for (const char ch : data) {
    c ^= quint8(ch);
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

QByteArray be32(quint32 v) {
  QByteArray b(4, 0);
  for (int i = 0; i < 4; ++i) b[i] = char((v >> (24 - 8 * i)) & 0xff);
  return b;
}

QByteArray chunk(const QByteArray& type, const QByteArray& data) { return be32(quint32(data.size())) + type + data + be32(crc32(type + data)); }

// A PNG whose header says w x h (its pixel data is a stub: nothing should get that far).
QString pngHeaderOnly(const QString& name, quint32 w, quint32 h) {
  QByteArray png("\x89PNG\r\n\x1a\n", 8);
  png += chunk("IHDR", be32(w) + be32(h) + QByteArray("\x08\x02\x00\x00\x00", 5));
  png += chunk("IDAT", QByteArray(16, '\0'));
  png += chunk("IEND", QByteArray());
  QFile f(scratch(name));
  f.open(QIODevice::WriteOnly);
  f.write(png);
  return f.fileName();
}

}  // namespace

class TestLargeImage : public QObject {
  Q_OBJECT
private:
  QString jpeg_;
  QImage photo_;  // the decoded JPEG (the reference for pixel checks)

private Q_SLOTS:
  void initTestCase() {
    jpeg_ = scratch(QStringLiteral("large-8000x6000.jpg"));
    QImageWriter writer(jpeg_, "jpg");
    writer.setQuality(90);
    QVERIFY(writer.write(pattern(8000, 6000)));
  }

  void opensOnAWorkerWhileTheGuiRuns() {
    LoadedDocument loaded;
    bool done = false;
    std::atomic<int> ticks{0};
    std::atomic<int> ticksWhileLoading{-1};
    BackgroundTasks tasks;  // after what its worker touches: its destructor joins the worker first
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
    ticker.start();
    // The task does not end before the GUI thread's timer has fired a few times (or 60 s passed):
    // if the decode blocked the GUI thread, those ticks could not happen while the task is in
    // flight, however fast the machine decodes.
    tasks.run(
        [&] {
          loaded = loadDocumentFile(jpeg_);
          for (int waited = 0; ticks.load() <= 2 && waited < 60000; ++waited) std::this_thread::sleep_for(std::chrono::milliseconds(1));
          ticksWhileLoading = ticks.load();
        },
        [&] { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, 120000);
    ticker.stop();
    QVERIFY2(loaded.error.isEmpty(), qPrintable(loaded.error));
    QCOMPARE(loaded.content.original.size(), QSize(8000, 6000));
    QCOMPARE(loaded.content.original.format(), QImage::Format_RGB32);
    QVERIFY2(ticksWhileLoading.load() > 2, "the GUI thread's event loop kept turning while the JPEG decoded");
    photo_ = loaded.content.original;
  }

  void zoomAndPanStayWithinTheTileBudget() {
    QVERIFY(!photo_.isNull());
    Document doc;
    doc.reset(photo_, jpeg_);
    Canvas canvas;
    canvas.resize(1600, 1000);
    canvas.setDocument(&doc);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    const CanvasCache& cache = canvas.cache();
    QVERIFY(cache.sharesOriginal());  // no second 192 MB copy of the photo
    const qint64 tileBytes = qint64(TileCache::kTileSize) * TileCache::kTileSize * 4;
    const qint64 budget = cache.tiles().budget();
    const QSize vp = canvas.viewport()->size();
    // Tiles needed for one viewport, at most.
    const int perFrame = (vp.width() / TileCache::kTileSize + 2) * (vp.height() / TileCache::kTileSize + 2);
    QVERIFY(perFrame * tileBytes < budget);

    const auto frame = [&] {
      canvas.viewport()->repaint();
      QVERIFY2(cache.tiles().bytes() <= budget, qPrintable(QString::number(cache.tiles().bytes())));
      QVERIFY(cache.tiles().count() <= budget / tileBytes);
      // Pyramids (about a third of the photo for the composite, a third of the mask for the
      // overlay), the mask copy and the tiles: well under two photos' worth.
      QVERIFY2(cache.memoryBytes() < 2 * photo_.sizeInBytes(), qPrintable(QString::number(cache.memoryBytes() >> 20)));
    };
    canvas.fitToWindow();
    frame();
    QVERIFY(canvas.zoom() < 0.25);
    for (double z : {0.25, 0.5, 1.0, 2.0, 0.5, 0.125}) {
      canvas.zoomTo(z, QPointF(vp.width() * 0.4, vp.height() * 0.6));
      frame();
    }
    // Pan at 100 %: only the tiles scrolling in are rendered.
    canvas.setView(ViewTransform(1.0, QPointF(-3000, -2000), canvas.view().devicePixelRatio()));
    frame();
    const qint64 afterFirst = cache.tiles().rendered();
    frame();
    QCOMPARE(cache.tiles().rendered(), afterFirst);  // a repaint renders nothing new
    for (int i = 0; i < 12; ++i) {
      const qint64 before = cache.tiles().rendered();
      ViewTransform v = canvas.view();
      v.panBy(QPointF(-100, -40));
      canvas.setView(v);
      frame();
      // 100 px right and 40 px down expose at most one new column and one new row of tiles.
      const int columns = vp.width() / TileCache::kTileSize + 2, rows = vp.height() / TileCache::kTileSize + 2;
      QVERIFY2(cache.tiles().rendered() - before <= columns + rows, qPrintable(QString::number(cache.tiles().rendered() - before)));
    }
    // Pixels at 100 % are the photo's, exactly.
    const QImage shot = canvas.viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QPointF origin = canvas.view().offset();
    for (const QPoint& w : {QPoint(5, 5), QPoint(700, 400), QPoint(1500, 900), QPoint(257, 513)}) {
      const QPoint img = (QPointF(w) - origin).toPoint();
      QCOMPARE(shot.pixel(w), photo_.pixel(img));
    }
    // And at 200 %, blocks of 2 x 2.
    canvas.setView(ViewTransform(2.0, QPointF(-8000, -6000), canvas.view().devicePixelRatio()));
    const QImage shot2 = canvas.viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    for (const QPoint& w : {QPoint(10, 10), QPoint(11, 11), QPoint(801, 603)})
      QCOMPARE(shot2.pixel(w), photo_.pixel((w.x() + 8000) / 2, (w.y() + 6000) / 2));
    QVERIFY(cache.tiles().bytes() <= budget);
    // A mask stroke re-renders only the tiles under it.
    const qint64 before = cache.tiles().rendered();
    doc.beginMaskStroke();
    for (int y = 3100; y < 3120; ++y) std::fill(doc.strokeMask().scanLine(y) + 4100, doc.strokeMask().scanLine(y) + 4130, uchar(255));
    doc.strokeUpdated(QRect(4100, 3100, 30, 20));
    doc.endMaskStroke(QStringLiteral("stroke"));
    canvas.viewport()->repaint();
    QVERIFY2(cache.tiles().rendered() - before <= 4, qPrintable(QString::number(cache.tiles().rendered() - before)));
  }

  void tilesJoinWithoutSeams() {
    // A photo at an odd zoom: the tiled view equals one bilinear draw of the same pyramid level.
    QImage photo(QString::fromStdString(lstest::photoPath("fruits.jpg")));
    photo = photo.scaled(photo.size() * 3).convertToFormat(QImage::Format_RGB32);
    Document doc;
    doc.reset(photo, QString());
    Canvas canvas;
    canvas.resize(900, 700);
    canvas.setDocument(&doc);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    const double zoom = 0.37;
    canvas.setView(ViewTransform(zoom, QPointF(3, 5), canvas.view().devicePixelRatio()));
    const QImage shot = canvas.viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    MipImage mip;
    mip.reset(photo);
    const int k = mip.levelFor(zoom);
    const QImage& level = mip.level(k);
    QImage reference(canvas.viewport()->size(), QImage::Format_RGB32);
    reference.fill(Qt::black);
    QPainter p(&reference);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(QRectF(3, 5, photo.width() * zoom, photo.height() * zoom), level);
    p.end();
    const QRect inside = QRect(3, 5, int(photo.width() * zoom), int(photo.height() * zoom)).adjusted(2, 2, -2, -2) & shot.rect();
    int worst = 0;
    QPoint where;
    for (int y = inside.top(); y <= inside.bottom(); ++y)
      for (int x = inside.left(); x <= inside.right(); ++x) {
        const QRgb a = shot.pixel(x, y), b = reference.pixel(x, y);
        const int d = std::max({std::abs(qRed(a) - qRed(b)), std::abs(qGreen(a) - qGreen(b)), std::abs(qBlue(a) - qBlue(b))});
        if (d > worst) {
          worst = d;
          where = QPoint(x, y);
        }
      }
    QVERIFY2(worst <= 3, qPrintable(QStringLiteral("%1 at %2,%3").arg(worst).arg(where.x()).arg(where.y())));
  }

  void overTheLimitIsRefusedFromTheHeader() {
    const QString huge = pngHeaderOnly(QStringLiteral("huge.png"), 20000, 15000);
    QCOMPARE(QImageReader(huge).size(), QSize(20000, 15000));
    const LoadedDocument d = loadDocumentFile(huge);
    QVERIFY2(d.error.contains(QStringLiteral("huge.png")) && d.error.contains(QStringLiteral("300 MP")) &&
                 d.error.contains(QStringLiteral("250 MP")),
             qPrintable(d.error));
    const QString wide = pngHeaderOnly(QStringLiteral("wide.png"), 70000, 100);
    QVERIFY(loadDocumentFile(wide).error.contains(QStringLiteral("65535")));
  }

  void aTruncatedImageOpensOnlyWithAWarning() {
    QFile full(jpeg_);
    QVERIFY(full.open(QIODevice::ReadOnly));
    const QByteArray bytes = full.readAll();
    const QString half = scratch(QStringLiteral("half.jpg"));
    QFile out(half);
    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(bytes.left(bytes.size() / 2));
    out.close();
    // Qt decodes it "successfully" (grey lower half); the decode policy notices and says so.
    const LoadedDocument d = loadDocumentFile(half);
    QVERIFY2(d.error.isEmpty(), qPrintable(d.error));
    QVERIFY(!d.content.original.isNull());
    QVERIFY2(d.warning.contains(QStringLiteral("half.jpg")) && d.warning.contains(QStringLiteral("truncated")),
             qPrintable(d.warning));
    QVERIFY(loadDocumentFile(jpeg_).warning.isEmpty());
  }

  void thePixelBudgetIsConfigurable() {
    const latentshop::DecodePolicy saved = latentshop::decodePolicy();
    latentshop::DecodePolicy small;
    small.maxPixels = 40'000'000;
    latentshop::setDecodePolicy(small);
    const LoadedDocument d = loadDocumentFile(jpeg_);  // 8000 x 6000 = 48 MP
    latentshop::setDecodePolicy(saved);
    QVERIFY2(d.error.contains(QStringLiteral("48 MP")) && d.error.contains(QStringLiteral("40 MP")), qPrintable(d.error));
  }

  void largeDocumentExports() {
    QVERIFY(!photo_.isNull());
    Document doc;
    doc.reset(photo_, jpeg_);
    Layer l;
    l.name = QStringLiteral("Patch");
    l.image = QImage(500, 400, QImage::Format_ARGB32);
    l.image.fill(QColor(255, 0, 0, 128));
    l.offset = QPoint(7000, 5000);
    doc.addLayer(l);
    const QString png = scratch(QStringLiteral("large-export.png"));
    QStringList written;
    QCOMPARE(exportDocumentFile(doc.snapshot(), png, {}, &written), QString());
    QCOMPARE(written, QStringList{png});
    QImageReader reader(png);
    QCOMPARE(reader.size(), QSize(8000, 6000));
  }
};

QTEST_MAIN(TestLargeImage)
#include "test_large_image.moc"
