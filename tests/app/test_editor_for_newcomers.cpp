// LATENTSHOP_TEST_LABELS: gui
// Issue 19, the editor a newcomer meets, offscreen: the first window fits 1366x768 and 1600x1000
// screens with its frame; clicks and keys during a file load are dropped, not replayed, and Esc
// cancels the load leaving the current image; bringing the Drag points tab to the front picks the
// drag tool; F1 lists every shortcut the window has; after reopening a project with a pending
// result the mask overlay is not drawn over it; the result bar never covers a fitted image; the
// panels forget the last document's status lines; View → Reset layout; the status bar shows a
// running edit's progress; New, paste, copy and the Image menu's geometry.
#include <QtTest/QtTest>
#include <QClipboard>
#include <QDialog>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QToolButton>
#include <QUndoStack>

#include <opencv2/imgcodecs.hpp>

#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "engine/core/threads.h"
#include "engine/models/autoencoder_kl_tiling.h"
#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/document/mask_image.h"
#include "ui/panels/classical_method.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/result_bar.h"
#include "ui/tools/tool.h"

using namespace latentshop;
using namespace latentshop::ui;

namespace {

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + QLatin1Char('/') + name; }

QString copyPhoto(const char* name) {
  const QString dst = scratch(QString::fromLatin1(name));
  QFile::remove(dst);
  QFile::copy(QString::fromStdString(lstest::photoPath(name)), dst);
  return dst;
}

// A photo-sized PNG of noise (slow to decode: the load is still running when the test acts).
QString bigNoisePng(const char* name, int width, int height) {
  const QString path = scratch(QString::fromLatin1(name));
  if (QFileInfo(path).size() > 0) return path;
  cv::Mat m(height, width, CV_8UC3);
  cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::imwrite(path.toStdString(), m, {cv::IMWRITE_PNG_COMPRESSION, 1});
  return path;
}

void paintRect(Document* doc, const QRect& r) {
  QImage mask = emptyMask(doc->size());
  for (int y = r.top(); y <= r.bottom(); ++y)
    for (int x = r.left(); x <= r.right(); ++x) mask.scanLine(y)[x] = 255;
  doc->replaceMask(mask, QStringLiteral("mask"));
}

// Runs Telea on the painted mask and waits for the pending result.
bool runTelea(MainWindow& w) {
  if (!w.inpaintPanel()->setCurrentMethod(QStringLiteral("classical.telea"))) return false;
  QSignalSpy arrived(&w, &MainWindow::resultArrived);
  QSignalSpy finished(&w, &MainWindow::jobFinished);
  if (!QTest::qWaitFor([&] { return w.inpaintPanel()->blockedReason().isEmpty(); }, 5000)) return false;
  if (w.runInpaint() == 0) return false;
  return arrived.wait(60000) && (!finished.isEmpty() || finished.wait(10000));
}

QDockWidget* dockTitled(MainWindow& w, const QString& title) {
  for (QDockWidget* d : w.findChildren<QDockWidget*>())
    if (d->windowTitle() == title) return d;
  return nullptr;
}

}  // namespace

class TestEditorForNewcomers : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopNewcomers"));
    QSettings().clear();
  }
  void init() { QSettings().clear(); }  // every case starts as a first start

  // §2: the first window used to be the available screen's size inside its frame, so the title
  // bar pushed the status bar off a 1600x1000 screen.
  void theFirstWindowFitsTheScreenWithItsFrame() {
    MainWindow w;
    const QMargins frame = w.frameAllowance();
    QVERIFY(frame.top() >= 20);  // a title bar is allowed for even where none is drawn (offscreen)
    const QSize minimum = w.minimumSizeHint();
    for (const QRect& screen : {QRect(0, 0, 1366, 768), QRect(0, 0, 1366, 728), QRect(0, 0, 1600, 1000),
                                QRect(0, 0, 1600, 960), QRect(1920, 0, 1600, 1000)}) {
      const QRect inner = MainWindow::firstStartGeometry(screen, frame, minimum);
      const QRect outer = inner.marginsAdded(frame);
      QVERIFY2(screen.contains(outer), qPrintable(QStringLiteral("%1x%2 screen: window %3x%4 at %5,%6 with its frame")
                                                      .arg(screen.width()).arg(screen.height()).arg(outer.width())
                                                      .arg(outer.height()).arg(outer.x()).arg(outer.y())));
      // ... and the window can be that small: every panel's minimum fits.
      QVERIFY2(inner.width() >= minimum.width() && inner.height() >= minimum.height(),
               qPrintable(QStringLiteral("minimum %1x%2").arg(minimum.width()).arg(minimum.height())));
      QVERIFY(inner.width() <= 1600 && inner.height() <= 1000);
      QVERIFY(inner.width() >= std::min(1200, screen.width() - 16));  // still most of the screen
    }
  }

  // §4: a load used to exclude input and deliver it all afterwards: a click on the canvas during
  // the load painted a stroke on the new image, a click on Help opened the menu 13 s later.
  void inputDuringAFileLoadIsDroppedNotReplayed() {
    MainWindow w;
    w.setInteractive(false);
    w.resize(1200, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QVERIFY(w.openImage(copyPhoto("baboon.jpg")));
    const QString big = bigNoisePng("newcomer-noise.png", 6000, 4000);
    bool duringLoad = false;
    QTimer::singleShot(20, &w, [&] {
      duringLoad = w.fileTasksRunning() > 0;
      QWidget* vp = w.canvas()->viewport();
      QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, QPoint(300, 300));
      QTest::mouseMove(vp, QPoint(340, 320));
      QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, QPoint(340, 320));
      QTest::keyClick(w.canvas(), Qt::Key_I, Qt::ControlModifier);  // Invert mask
      QTest::mouseClick(w.menuBar(), Qt::LeftButton, Qt::NoModifier,
                        w.menuBar()->actionGeometry(w.menuBar()->actions().last()).center());
    });
    QVERIFY(w.openImage(big));
    QVERIFY2(duringLoad, "the load ended before the input was sent; use a larger file");
    QCOMPARE(w.document()->size(), QSize(6000, 4000));
    QTest::qWait(100);  // anything queued would arrive now
    QVERIFY(w.document()->maskIsEmpty());
    QCOMPARE(w.document()->undoStack()->count(), 0);
    QVERIFY(!QApplication::activePopupWidget());
  }

  void escCancelsALoadAndKeepsTheImage() {
    MainWindow w;
    w.setInteractive(false);
    w.resize(1200, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    const QString baboon = copyPhoto("baboon.jpg");
    QVERIFY(w.openImage(baboon));
    const QString big = bigNoisePng("newcomer-noise-2.png", 8000, 6000);
    bool duringLoad = false;
    bool cancelShown = false;
    QTimer::singleShot(150, &w, [&] {
      duringLoad = w.fileTasksRunning() > 0;
      auto* cancel = w.findChild<QToolButton*>(QStringLiteral("busyCancel"));
      cancelShown = cancel && cancel->isVisible();
      QTest::keyClick(w.canvas(), Qt::Key_Escape);
    });
    QString error;
    QVERIFY(!w.openImage(big, &error));
    QVERIFY2(duringLoad, "the load ended before Esc was sent; use a larger file");
    QVERIFY(cancelShown);
    QVERIFY(error.contains(QStringLiteral("cancelled")));
    QCOMPARE(w.document()->filePath(), QFileInfo(baboon).absoluteFilePath());
    QCOMPARE(w.document()->size(), QSize(512, 512));
    QVERIFY(w.statusText().contains(QStringLiteral("cancelled")));
    // The window works again at once; the decoder's late result changes nothing.
    QTRY_COMPARE_WITH_TIMEOUT(w.fileTasksRunning(), 0, 30000);
    QTest::qWait(50);
    QCOMPARE(w.document()->size(), QSize(512, 512));
    QVERIFY(w.openImage(copyPhoto("fruits.jpg")));
  }

  // §5: the Drag points panel said "click a handle" while the mask brush stayed active.
  void aToolsTabPicksTheTool() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.canvas()->tool()->id(), QStringLiteral("mask-brush"));
    QDockWidget* drag = dockTitled(w, QStringLiteral("Drag points"));
    QDockWidget* inpaint = dockTitled(w, QStringLiteral("Inpaint"));
    QVERIFY(drag && inpaint);
    drag->raise();
    QTRY_COMPARE(w.canvas()->tool()->id(), QStringLiteral("drag-points"));
    QVERIFY(w.action(QStringLiteral("tool.drag-points"))->isChecked());
    inpaint->raise();
    QTRY_COMPARE(w.canvas()->tool()->id(), QStringLiteral("mask-brush"));
    // And the other way: the D key brings its panel to the front.
    w.action(QStringLiteral("tool.drag-points"))->trigger();
    QTRY_VERIFY(drag->isVisible());
  }

  // §5: "D" was missing from F1. The list is generated from the actions now.
  void f1ListsEveryShortcut() {
    MainWindow w;
    const QList<ShortcutRow> rows = w.shortcutRows();
    const auto listed = [&](const QString& keys) {
      for (const ShortcutRow& r : rows)
        if (r.keys.split(QStringLiteral(" / ")).contains(keys)) return true;
      return false;
    };
    QVERIFY(listed(QStringLiteral("D")));
    QVERIFY(listed(QStringLiteral("B")));
    QVERIFY(listed(QStringLiteral("F1")));
    int withKeys = 0;
    for (const QAction* a : w.findChildren<QAction*>()) {
      for (const QKeySequence& k : a->shortcuts()) {
        ++withKeys;
        QVERIFY2(listed(k.toString(QKeySequence::NativeText)), qPrintable(a->text() + QStringLiteral(": ") + k.toString()));
      }
    }
    QVERIFY(withKeys >= 25);
    w.action(QStringLiteral("help.shortcuts"))->trigger();
    auto* dialog = w.findChild<QDialog*>(QStringLiteral("shortcutsDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    dialog->close();
  }

  // §6: reopening a project with a pending result drew the mask overlay over it.
  void aReopenedPendingResultIsNotUnderTheMask() {
    MainWindow w;
    w.setInteractive(false);
    w.resize(1200, 800);
    w.show();
    QVERIFY(w.openImage(copyPhoto("fruits.jpg")));
    paintRect(w.document(), QRect(200, 150, 60, 40));
    QVERIFY(runTelea(w));
    QVERIFY(w.document()->hasPendingResult());
    QVERIFY(!w.canvas()->maskVisible());
    const QString project = scratch(QStringLiteral("newcomer-pending.ora"));
    QVERIFY(w.saveProject(project));
    QVERIFY(w.openImage(copyPhoto("baboon.jpg")));
    QVERIFY(w.canvas()->maskVisible());  // a fresh image: the brush's overlay shows
    QVERIFY(w.openImage(project));
    QVERIFY(w.document()->hasPendingResult());
    QVERIFY(!w.document()->maskIsEmpty());
    QVERIFY(!w.canvas()->maskVisible());
    // Discarding brings the overlay back, as it does for a fresh result.
    w.discardResult();
    QVERIFY(w.canvas()->maskVisible());
  }

  // §8: the result bar covered the top ~30 px of a fitted image.
  void theResultBarNeverCoversAFittedImage() {
    // Tall images: a fitted one reaches from the top margin to the bottom one.
    const QString tall = scratch(QStringLiteral("newcomer-tall.png"));
    QImage(QString::fromStdString(lstest::photoPath("fruits.jpg"))).scaled(300, 1400).save(tall);
    MainWindow w;
    w.setInteractive(false);
    for (const QSize size : {QSize(1200, 800), QSize(1000, 900)}) {
      w.resize(size);
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      QVERIFY(w.openImage(tall));
      w.canvas()->fitToWindow();
      w.resultBar()->showResult(QStringLiteral("Inpaint"), QStringLiteral("done"));
      QTest::qWait(30);
      const QPointF imageTop = w.canvas()->view().imageToWidget(QPointF(0, 0));
      const int imageTopGlobal = w.canvas()->viewport()->mapToGlobal(imageTop.toPoint()).y();
      const int barBottomGlobal = w.resultBar()->mapToGlobal(QPoint(0, w.resultBar()->height())).y();
      QVERIFY2(imageTopGlobal >= barBottomGlobal,
               qPrintable(QStringLiteral("image top %1, bar bottom %2").arg(imageTopGlobal).arg(barBottomGlobal)));
      w.resultBar()->hide();
    }
  }

  // §8: "Inpainted …" of the last document stayed in the panel after opening another.
  void panelsForgetTheLastDocumentsStatus() {
    MainWindow w;
    w.setInteractive(false);
    QVERIFY(w.openImage(copyPhoto("fruits.jpg")));
    paintRect(w.document(), QRect(200, 150, 60, 40));
    QVERIFY(runTelea(w));
    QVERIFY(!w.inpaintPanel()->progress()->message().isEmpty());
    QVERIFY(w.openImage(copyPhoto("baboon.jpg")));
    QVERIFY(w.inpaintPanel()->progress()->message().isEmpty());
  }

  // Issue 20: File → Memory for Decoding is the VAE's tiling budget, kept in the settings and
  // applied to the engine at start (out-of-range values clamped), as --vae-memory is in the CLI.
  void memoryForDecodingIsASettingTheEngineUses() {
    {
      MainWindow w;
      QAction* action = w.findChild<QAction*>(QStringLiteral("file.vaeMemory"));
      QVERIFY(action);
      QVERIFY(w.menuBar()->actions().first()->menu()->actions().contains(action));
      QCOMPARE(latentshop::vaeTilingPolicy().memoryBudgetBytes, latentshop::VaeTilingPolicy().memoryBudgetBytes);
    }
    QSettings().setValue(QStringLiteral("engine/vaeMemoryMiB"), 512);
    {
      MainWindow w;
      QCOMPARE(latentshop::vaeTilingPolicy().memoryBudgetBytes, qint64(512) << 20);
    }
    QSettings().setValue(QStringLiteral("engine/vaeMemoryMiB"), 1);
    {
      MainWindow w;
      QCOMPARE(latentshop::vaeTilingPolicy().memoryBudgetBytes, latentshop::kMinVaeMemoryMiB << 20);
    }
  }

  void resetLayoutBringsThePanelsBack() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QDockWidget* layers = dockTitled(w, QStringLiteral("Layers"));
    QDockWidget* history = dockTitled(w, QStringLiteral("History"));
    QDockWidget* mask = dockTitled(w, QStringLiteral("Mask"));
    QVERIFY(layers && history && mask);
    QTest::qWait(30);
    const int layersWidth = layers->width();
    layers->setFloating(true);
    history->close();
    mask->close();
    QTest::qWait(30);
    QVERIFY(!history->isVisible());
    w.action(QStringLiteral("view.resetLayout"))->trigger();
    QTRY_VERIFY(history->isVisible());
    QVERIFY(mask->isVisible());
    QVERIFY(!layers->isFloating());
    QVERIFY(layers->isVisible());
    QCOMPARE(w.dockWidgetArea(layers), Qt::LeftDockWidgetArea);
    QTRY_VERIFY(std::abs(layers->width() - layersWidth) <= 30);
    QVERIFY(dockTitled(w, QStringLiteral("Inpaint"))->isVisible());  // its tab in front
  }

  // Deliver: canvas basics from the menus and the clipboard, each one step in History.
  void canvasBasicsFromTheMenus() {
    MainWindow w;
    w.setInteractive(false);
    w.newDocument(QSize(300, 200), Qt::white);
    Document* doc = w.document();
    QCOMPARE(doc->size(), QSize(300, 200));
    QCOMPARE(QColor(doc->original().pixel(150, 100)), QColor(Qt::white));
    QVERIFY(!doc->isModified());
    QVERIFY(w.windowTitle().contains(QStringLiteral("Untitled")));
    QImage red(100, 50, QImage::Format_ARGB32);
    red.fill(QColor(220, 20, 20));
    QApplication::clipboard()->setImage(red);
    w.action(QStringLiteral("edit.paste"))->trigger();
    QCOMPARE(doc->layerCount(), 1);
    QCOMPARE(doc->layerAt(0).offset, QPoint(100, 75));  // centred
    QCOMPARE(doc->undoStack()->count(), 1);
    QVERIFY(doc->isModified());
    w.action(QStringLiteral("edit.copy"))->trigger();
    QCOMPARE(QApplication::clipboard()->image().convertToFormat(QImage::Format_ARGB32),
             doc->render().convertToFormat(QImage::Format_ARGB32));
    // The selection (the mask) crops; undo gives the whole canvas back.
    paintRect(doc, QRect(100, 75, 100, 50));
    w.action(QStringLiteral("image.crop"))->trigger();
    QCOMPARE(doc->size(), QSize(100, 50));
    QCOMPARE(QColor(doc->render().pixel(50, 25)), QColor(220, 20, 20));
    QVERIFY(doc->maskIsEmpty());
    doc->undoStack()->undo();
    QCOMPARE(doc->size(), QSize(300, 200));
    w.action(QStringLiteral("image.rotateCw"))->trigger();
    QCOMPARE(doc->size(), QSize(200, 300));
    w.action(QStringLiteral("image.flipH"))->trigger();
    w.resizeImage(QSize(100, 150));
    QCOMPARE(doc->size(), QSize(100, 150));
    w.resizeCanvas(QSize(120, 150), Qt::AlignLeft | Qt::AlignVCenter, Qt::black);
    QCOMPARE(doc->size(), QSize(120, 150));
    QCOMPARE(QColor(doc->original().pixel(110, 75)), QColor(Qt::black));
    QVERIFY(doc->undoStack()->count() >= 6);
    // Ctrl+Shift+V: the clipboard as a new image (unsaved: closing it asks first).
    QApplication::clipboard()->setImage(red);
    w.action(QStringLiteral("edit.pasteNew"))->trigger();
    QCOMPARE(doc->size(), QSize(100, 50));
    QCOMPARE(doc->layerCount(), 0);
    QVERIFY(doc->isModified());
    // The Select tool (M) has its panel and writes the mask.
    QVERIFY(w.action(QStringLiteral("tool.select")));
    QCOMPARE(w.action(QStringLiteral("tool.select"))->shortcut(), QKeySequence(Qt::Key_M));
  }

  // Deliver: a running edit's progress in the status bar, whatever the docks show.
  void theStatusBarShowsTheRunningEdit() {
    MainWindow w;
    w.setInteractive(false);
    w.show();
    QVERIFY(w.openImage(copyPhoto("fruits.jpg")));
    paintRect(w.document(), QRect(200, 150, 60, 40));
    auto* label = w.findChild<QLabel*>(QStringLiteral("jobStatus"));
    QVERIFY(label);
    QVERIFY(!label->isVisible());
    QVERIFY(w.inpaintPanel()->setCurrentMethod(QStringLiteral("classical.telea")));
    QTRY_VERIFY(w.inpaintPanel()->blockedReason().isEmpty());
    QSignalSpy finished(&w, &MainWindow::jobFinished);
    QVERIFY(w.runInpaint() != 0);
    QVERIFY(label->isVisible());  // from the start, before the first step
    QVERIFY(label->text().contains(QStringLiteral("Telea")));
    QVERIFY(finished.wait(60000));
    QVERIFY(!label->isVisible());
  }
};

QTEST_MAIN(TestEditorForNewcomers)
#include "test_editor_for_newcomers.moc"
