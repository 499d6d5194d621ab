// The whole editor, offscreen: open a real photo, paint a mask with mouse events, run classical
// inpainting from the panel's Run button, wait for the result layer, compare, apply, undo/redo,
// save PNG and JPEG, read the files back and check them against the engine's own result; bad files
// give clear errors; settings persist; a dropped file opens; cancel leaves the document unchanged.
#include <atomic>
#include <thread>

#include <QtTest/QtTest>
#include <QDockWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QToolButton>
#include <QUndoStack>

#include "app/gui/engine_bridge.h"
#include "app/gui/image_convert.h"
#include "app/gui/main_window.h"
#include "app/gui/recent_files.h"
#include "engine/core/threads.h"
#include "engine/pipelines/classical_inpaint.h"
#include "engine/pipelines/mask_ops.h"
#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/panels/brush_panel.h"
#include "ui/panels/classical_method.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/result_bar.h"
#include "ui/widgets/elided_label.h"
#include "ui/tools/mask_brush_tool.h"

using namespace latentshop;
using namespace latentshop::ui;
using namespace std::chrono_literals;

namespace {

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + QLatin1Char('/') + name; }

QString copyPhoto(const char* name) {
  const QString dst = scratch(QString::fromLatin1(name));
  QFile::remove(dst);
  QFile::copy(QString::fromStdString(lstest::photoPath(name)), dst);
  return dst;
}

void stroke(QWidget* vp, const QList<QPoint>& path) {
  QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, path.first());
  for (int i = 1; i < path.size(); ++i) QTest::mouseMove(vp, path[i]);
  QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, path.last());
}

// Largest per-channel difference of two RGB images over `where` (non-zero) or its complement.
int maxDiff(const cv::Mat& a, const cv::Mat& b, const cv::Mat& where, bool inside) {
  int worst = 0;
  for (int y = 0; y < a.rows; ++y)
    for (int x = 0; x < a.cols; ++x) {
      if ((where.at<uchar>(y, x) != 0) != inside) continue;
      for (int c = 0; c < 3; ++c) worst = std::max(worst, std::abs(a.at<cv::Vec3b>(y, x)[c] - b.at<cv::Vec3b>(y, x)[c]));
    }
  return worst;
}

}  // namespace

class TestGuiEndToEnd : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopEndToEnd"));
    QSettings().clear();
  }

  void openPaintInpaintApplySave() {
    const QString photo = copyPhoto("fruits.jpg");
    MainWindow w;
    w.setInteractive(false);
    w.resize(1200, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy opened(&w, &MainWindow::imageOpened);
    QVERIFY(w.openImage(photo));
    QCOMPARE(opened.count(), 1);
    Document* doc = w.document();
    QCOMPARE(doc->size(), QSize(512, 480));
    QVERIFY(w.windowTitle().contains(QStringLiteral("fruits.jpg")));
    QVERIFY(!w.inpaintPanel()->runButton()->isEnabled());  // no mask yet

    // Paint over a blemish-sized region of the lime at 100 %.
    w.canvas()->setView(ViewTransform(1.0, QPointF(0, 0), w.canvas()->viewport()->devicePixelRatioF()));
    w.brushTool()->setSettings(BrushSettings{18.0, 1.0, false});
    stroke(w.canvas()->viewport(), {QPoint(400, 170), QPoint(425, 185), QPoint(445, 200)});
    QCOMPARE(doc->undoStack()->count(), 1);
    QVERIFY(!doc->maskIsEmpty());

    QVERIFY(w.inpaintPanel()->setCurrentMethod(QStringLiteral("classical.telea")));
    auto* method = qobject_cast<ClassicalMethod*>(w.inpaintPanel()->currentMethod());
    QVERIFY(method);
    method->setOptions(3, 5, 5);
    QTRY_VERIFY(w.inpaintPanel()->runButton()->isEnabled());

    QSignalSpy arrived(&w, &MainWindow::resultArrived);
    QSignalSpy finished(&w, &MainWindow::jobFinished);
    QTest::mouseClick(w.inpaintPanel()->runButton(), Qt::LeftButton);
    QVERIFY(w.activeJob() != 0);
    QVERIFY(arrived.wait(60000));
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(JobState(finished.first().at(1).toInt()), JobState::Done);

    // The result is a pending layer with its parameters; the bar offers Apply/Discard/Compare.
    const LayerId id = doc->topPendingLayer();
    QVERIFY(id);
    const Layer* layer = doc->layer(id);
    QVERIFY(layer->kind == LayerKind::Result);
    QCOMPARE(layer->params.value(QStringLiteral("method")).toString(), QStringLiteral("classical.telea"));
    QCOMPARE(layer->params.value(QStringLiteral("grow_px")).toInt(), 3);
    QCOMPARE(layer->params.value(QStringLiteral("feather_px")).toInt(), 5);
    QCOMPARE(layer->mask, doc->mask());  // the result keeps the mask that made it
    QVERIFY(w.resultBar()->isVisible());
    QVERIFY(w.inpaintPanel()->progress()->message().contains(QStringLiteral("Telea")));

    // The engine's own result for the same input.
    ClassicalInpaintRequest r;
    r.image = toRgbMat(doc->original());
    r.mask = toGrayMat(doc->mask());
    r.method = ClassicalInpaintMethod::Telea;
    r.growPx = 3;
    r.featherPx = 5;
    r.radius = 5;
    const ClassicalInpaintOutput expected = runClassicalInpaint(r);
    const cv::Mat support = featherSupport(growShrinkMask(r.mask, 3), 5);
    const cv::Mat shown = toRgbMat(doc->render());
    QCOMPARE(maxDiff(shown, r.image, support, false), 0);          // outside: the photo, bit for bit
    QVERIFY(maxDiff(shown, expected.composite, support, true) <= 2);  // inside: the engine's fill
    QVERIFY(maxDiff(shown, r.image, support, true) > 10);           // and something did change

    // Hold '\' to compare with the image before the edit.
    QTest::keyPress(w.canvas(), Qt::Key_Backslash);
    QVERIFY(w.canvas()->isComparing());
    QTest::keyRelease(w.canvas(), Qt::Key_Backslash);
    QVERIFY(!w.canvas()->isComparing());
    QTest::mousePress(w.resultBar()->compareButton(), Qt::LeftButton);
    QVERIFY(w.canvas()->isComparing());
    QTest::mouseRelease(w.resultBar()->compareButton(), Qt::LeftButton);
    QVERIFY(!w.canvas()->isComparing());

    // Apply (which also clears the mask that made the edit, in the same undo step), undo, redo.
    const QImage usedMask = doc->mask().copy();
    QTest::mouseClick(w.resultBar()->applyButton(), Qt::LeftButton);
    QVERIFY(!doc->hasPendingResult());
    QVERIFY(!w.resultBar()->isVisible());
    QVERIFY(doc->maskIsEmpty());
    doc->undoStack()->undo();
    QCOMPARE(doc->topPendingLayer(), id);
    QCOMPARE(doc->mask(), usedMask);
    doc->undoStack()->redo();
    QVERIFY(!doc->hasPendingResult());
    QVERIFY(doc->maskIsEmpty());
    QCOMPARE(doc->layerCount(), 1);

    // Save and read back.
    const QString png = scratch(QStringLiteral("fruits-edited.png"));
    QString error;
    QVERIFY2(w.saveImage(png, &error), qPrintable(error));
    QVERIFY(!doc->isModified());
    const QImage back(png);
    QCOMPARE(back.size(), QSize(512, 480));
    QVERIFY(!back.hasAlphaChannel());
    const cv::Mat saved = toRgbMat(back);
    QCOMPARE(maxDiff(saved, r.image, support, false), 0);
    QVERIFY(maxDiff(saved, expected.composite, support, true) <= 2);
    QCOMPARE(maxDiff(saved, shown, support, true), 0);

    const QString jpg = scratch(QStringLiteral("fruits-edited.jpg"));
    QVERIFY(w.saveImage(jpg, &error));
    const QImage jpeg(jpg);
    QCOMPARE(jpeg.size(), QSize(512, 480));
    const double psnr = cv::PSNR(toRgbMat(jpeg), saved);  // JPEG at quality 95: close, not exact
    QVERIFY2(psnr > 33.0, qPrintable(QString::number(psnr)));

    QVERIFY(RecentFiles::load().contains(QFileInfo(photo).canonicalFilePath()));
  }

  void badFilesGiveClearErrors() {
    MainWindow w;
    w.setInteractive(false);
    QString error;
    QVERIFY(!w.openImage(scratch(QStringLiteral("missing.png")), &error));
    QVERIFY2(error.contains(QStringLiteral("missing.png")) && error.contains(QStringLiteral("no such file")), qPrintable(error));
    QVERIFY(w.statusText().contains(QStringLiteral("missing.png")));
    {
      QFile f(scratch(QStringLiteral("notes.jpg")));
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("plain text, not a JPEG\n");
    }
    QVERIFY(!w.openImage(scratch(QStringLiteral("notes.jpg")), &error));
    QVERIFY2(error.contains(QStringLiteral("notes.jpg")) && error.contains(QStringLiteral("not an image")), qPrintable(error));
    QVERIFY(w.document()->isNull());
    QVERIFY(!w.saveImage(scratch(QStringLiteral("nothing.png")), &error));
    QVERIFY(w.openImage(copyPhoto("butterfly.jpg")));
    QVERIFY(!w.saveImage(scratch(QStringLiteral("out.xyz")), &error));
    QVERIFY2(error.contains(QStringLiteral("unknown image extension")), qPrintable(error));
    QVERIFY(!w.saveImage(scratch(QStringLiteral("no/such/folder/out.png")), &error));
    QVERIFY(!error.isEmpty());
    // A JPEG cut in half opens (the user's choice: here, non-interactive, yes), never silently.
    {
      QFile full(copyPhoto("fruits.jpg"));
      QVERIFY(full.open(QIODevice::ReadOnly));
      const QByteArray bytes = full.readAll();
      QFile half(scratch(QStringLiteral("half.jpg")));
      QVERIFY(half.open(QIODevice::WriteOnly | QIODevice::Truncate));
      half.write(bytes.left(bytes.size() / 2));
    }
    QVERIFY(w.openImage(scratch(QStringLiteral("half.jpg")), &error));
    QVERIFY2(w.statusText().contains(QStringLiteral("half.jpg")) && w.statusText().contains(QStringLiteral("truncated")),
             qPrintable(w.statusText()));
  }

  void cancelLeavesTheDocumentUnchanged() {
    std::atomic<int> steps{0};  // shared with the worker: declared before the window that joins it
    MainWindow w;
    w.setInteractive(false);
    QVERIFY(w.openImage(copyPhoto("home.jpg")));
    const QImage before = w.document()->render();
    const int commands = w.document()->undoStack()->count();
    JobSpec spec;
    spec.kind = "test.slow";
    spec.title = "Slow edit";
    spec.run = [&](JobContext& ctx) {
      // Runs until cancelled (progress() throws then), so the cancel below always meets a running
      // job, however fast the machine.
      ctx.beginStage("Working", 1000000);
      for (int i = 1;; ++i) {
        std::this_thread::sleep_for(1ms);
        ++steps;
        ctx.progress(i);
      }
      JobResult r;
      r.image = cv::Mat(4, 4, CV_8UC4, cv::Scalar(255, 0, 0, 255));
      return r;
    };
    QSignalSpy finished(&w, &MainWindow::jobFinished);
    QVERIFY(w.runDocumentJob(std::move(spec), w.inpaintPanel()->progress()) != 0);
    QVERIFY(w.inpaintPanel()->isBusy());
    QVERIFY(!w.inpaintPanel()->runButton()->isEnabled());
    QTRY_VERIFY(steps.load() > 5);
    QTRY_VERIFY(w.inpaintPanel()->progress()->text().contains(QStringLiteral("step")));
    w.cancelJob();
    QVERIFY(finished.wait(20000));
    QCOMPARE(JobState(finished.first().at(1).toInt()), JobState::Cancelled);
    QCOMPARE(w.document()->layerCount(), 0);
    QCOMPARE(w.document()->undoStack()->count(), commands);
    QCOMPARE(w.document()->render(), before);
    QVERIFY(w.inpaintPanel()->progress()->message().contains(QStringLiteral("Cancelled")));
    QVERIFY(!w.inpaintPanel()->isBusy());
  }

  void settingsPersist() {
    const QString photo = copyPhoto("messi5.jpg");
    {
      MainWindow w;
      w.setInteractive(false);
      QVERIFY(w.openImage(photo));
      w.brushTool()->setSettings(BrushSettings{33.0, 0.25, true});
      w.brushPanel()->setMaskStyle(QColor(10, 200, 30), 0.7);
      QVERIFY(w.inpaintPanel()->setCurrentMethod(QStringLiteral("classical.ns")));
      qobject_cast<ClassicalMethod*>(w.inpaintPanel()->currentMethod())->setOptions(-2, 11, 7);
      w.resize(1000, 700);
      w.close();
    }
    MainWindow w;
    QCOMPARE(w.brushTool()->settings().size, 33.0);
    QCOMPARE(w.brushTool()->settings().hardness, 0.25);
    QVERIFY(w.brushTool()->settings().erase);
    QCOMPARE(w.brushPanel()->maskColor(), QColor(10, 200, 30));
    QCOMPARE(w.canvas()->maskOpacity(), 0.7);
    QCOMPARE(w.inpaintPanel()->currentMethod()->id(), QStringLiteral("classical.ns"));
    const ClassicalInpaintRequest opts = qobject_cast<ClassicalMethod*>(w.inpaintPanel()->currentMethod())->options();
    QCOMPARE(opts.growPx, -2);
    QCOMPARE(opts.featherPx, 11);
    QCOMPARE(opts.radius, 7.0);
    QCOMPARE(w.size(), QSize(1000, 700));
    QCOMPARE(RecentFiles::load().first(), QFileInfo(photo).canonicalFilePath());
    QCOMPARE(QSettings().value(QStringLiteral("files/lastFolder")).toString(), QFileInfo(photo).absolutePath());
  }

  // Issue 19 §1: a long result text used to raise the canvas area's minimum width and squeeze the
  // docks for good. Now it elides (the whole text in its tooltip) and every dock keeps its width.
  void aLongResultTextNeverSqueezesTheDocks() {
    MainWindow w;
    w.setInteractive(false);
    w.resize(1600, 1000);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openImage(copyPhoto("fruits.jpg")));
    QTest::qWait(50);
    QMap<QString, int> before;
    for (QDockWidget* d : w.findChildren<QDockWidget*>())
      if (d->isVisible()) before[d->windowTitle()] = d->width();
    QVERIFY(before.size() >= 2);
    QString detail = QStringLiteral("Inpainted: 41 steps in 5.4 s (200x150 image processed at 24x36 (rounded to "
                                    "multiples of 4), result resized back); previews took 0.501 s");
    detail = detail + QLatin1Char(' ') + detail + QLatin1Char(' ') + detail;
    w.resultBar()->showResult(QStringLiteral("Inpaint (Stable Diffusion)"), detail);
    QTest::qWait(50);
    for (QDockWidget* d : w.findChildren<QDockWidget*>())
      if (before.contains(d->windowTitle()))
        QVERIFY2(d->width() == before[d->windowTitle()],
                 qPrintable(QStringLiteral("%1: %2 -> %3 px").arg(d->windowTitle()).arg(before[d->windowTitle()]).arg(d->width())));
    ElidedLabel* label = w.resultBar()->detailLabel();
    QVERIFY(label->isElided());
    QCOMPARE(label->toolTip(), detail);
    QVERIFY(label->text().endsWith(QChar(0x2026)));
    QVERIFY(w.resultBar()->width() <= w.canvas()->width());
    // A short text shows whole, without a tooltip.
    w.resultBar()->showResult(QStringLiteral("Inpaint"), QStringLiteral("done"));
    QTest::qWait(20);
    QVERIFY(!w.resultBar()->detailLabel()->isElided());
    QVERIFY(w.resultBar()->detailLabel()->toolTip().isEmpty());
  }

  void droppedFileOpens() {
    MainWindow w;
    w.setInteractive(false);
    const QString photo = copyPhoto("baboon.jpg");
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(photo)});
    QDragEnterEvent enter(QPoint(100, 100), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(100, 100), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QCOMPARE(w.document()->filePath(), QFileInfo(photo).absoluteFilePath());
    QCOMPARE(w.document()->size(), QSize(512, 512));
  }
};

QTEST_MAIN(TestGuiEndToEnd)
#include "test_gui_end_to_end.moc"
