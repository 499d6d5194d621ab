// A running job's previews on the main window's canvas: a fake job (as the diffusion and drag
// pipelines will) emits preview images with placements and handle points through the engine
// bridge; the canvas draws the newest over the document while the job runs, the progress widget
// shows step/total, and when the job ends the preview goes and the result lands as a pending layer.
#include <atomic>
#include <thread>

#include <QtTest/QtTest>
#include <QStandardPaths>

#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "engine/core/threads.h"
#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/job_progress_widget.h"

using namespace latentshop;
using namespace latentshop::ui;
using namespace std::chrono_literals;

class TestPreviewOverlay : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopPreviewTest"));
  }

  void previewsFromAFakeJobAreDrawnThenReplacedByTheResult() {
    MainWindow w;
    w.setInteractive(false);
    w.resize(1000, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openImage(QString::fromStdString(lstest::photoPath("home.jpg"))));
    Canvas* canvas = w.canvas();
    const double dpr = canvas->viewport()->devicePixelRatioF();
    canvas->setView(ViewTransform(1.0, QPointF(0, 0), dpr));

    std::atomic<bool> release{false};
    std::atomic<int> emitted{0};
    JobSpec spec;
    spec.kind = "test.drag";
    spec.title = "Fake drag";
    spec.run = [&](JobContext& ctx) {
      ctx.beginStage("Optimising", 3);
      for (int step = 1; step <= 3; ++step) {
        PreviewImage p;
        // A latent-sized preview (20 x 10) covering a 100 x 50 crop of the document.
        p.rgb = cv::Mat(10, 20, CV_8UC3, cv::Scalar(0, 0, 40 * step + 100));
        p.placement = cv::Rect(60, 80, 100, 50);
        p.step = step;
        p.total = 3;
        p.points = {cv::Point2f(200.f + 10 * step, 200.f)};
        p.targets = {cv::Point2f(260.f, 220.f)};
        ctx.preview(p);
        ++emitted;
        ctx.progress(step);
      }
      while (!release.load()) {  // hold the job open while the test looks at the canvas
        std::this_thread::sleep_for(2ms);
        ctx.throwIfCancelled();
      }
      JobResult r;
      r.image = cv::Mat(50, 100, CV_8UC4, cv::Scalar(255, 255, 0, 255));
      r.placement = cv::Rect(60, 80, 100, 50);
      r.params = {{"tool", "drag"}, {"points", {{200, 200, 260, 220}}}};
      r.message = "Fake drag finished";
      return r;
    };
    QSignalSpy arrived(&w, &MainWindow::resultArrived);
    QVERIFY(w.runDocumentJob(std::move(spec), w.inpaintPanel()->progress()) != 0);

    QTRY_COMPARE(canvas->preview().step, 3);
    QCOMPARE(emitted.load(), 3);
    QCOMPARE(canvas->preview().placement, QRect(60, 80, 100, 50));
    QCOMPARE(canvas->preview().label, QStringLiteral("Fake drag"));
    QTRY_VERIFY(w.inpaintPanel()->progress()->text().contains(QStringLiteral("step 3/3")));

    QImage shot = canvas->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    // Inside the crop: the preview's colour (blue = 40 * 3 + 100); outside: the photo.
    const auto at = [&](double x, double y) { return shot.pixel(int(x * dpr), int(y * dpr)); };
    QCOMPARE(at(110, 105), qRgb(0, 0, 220));
    QCOMPARE(at(62, 128), qRgb(0, 0, 220));
    const QImage photo = w.document()->render().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(at(110, 140), photo.pixel(110, 140));
    // The tracked handle of the last preview: a red dot at (230, 200).
    const QRgb handle = at(230, 200);
    QVERIFY2(qRed(handle) > 200 && qGreen(handle) < 100 && qBlue(handle) < 100, qPrintable(QString::number(handle, 16)));

    release = true;
    QVERIFY(arrived.wait(10000));
    QTRY_VERIFY(canvas->preview().isNull());
    const LayerId id = w.document()->topPendingLayer();
    QVERIFY(id);
    QCOMPARE(w.document()->layer(id)->bounds(), QRect(60, 80, 100, 50));
    QCOMPARE(w.document()->layer(id)->params.value(QStringLiteral("tool")).toString(), QStringLiteral("drag"));
    shot = canvas->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(at(110, 105), qRgb(255, 255, 0));
    QCOMPARE(w.inpaintPanel()->progress()->message(), QStringLiteral("Fake drag finished"));
  }
};

QTEST_MAIN(TestPreviewOverlay)
#include "test_preview_overlay.moc"
