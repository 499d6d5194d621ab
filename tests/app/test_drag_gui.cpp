// LATENTSHOP_TEST_LABELS: drag
// Drag editing in the whole editor, offscreen, with a tiny SD 1.x-shaped model: the drag-points
// tool and panel are registered; points clicked on the canvas, the movable region painted with the
// mask brush, Run starts the job with previews (tracked handles and targets) on the canvas; Cancel
// mid-optimisation leaves the document exactly as it was; Stop keeps the drag so far, finishes the
// denoise and lands a pending result layer carrying the points and the parameters. The job is held
// after its first drag step until the Cancel / Stop is in, so both meet it mid-optimisation on any
// machine, however fast.
#include <QtTest/QtTest>
#include <QAction>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QUndoStack>

#include "app/gui/drag_setup.h"
#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "engine/core/threads.h"
#include "engine/test_drag_support.h"
#include "support/job_gate.h"
#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/panels/drag_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/tools/drag_tool.h"
#include "ui/tools/mask_brush_tool.h"

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

void click(QWidget* vp, QPoint p) {
  QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, p);
  QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, p);
}

QAction* toolAction(MainWindow& w, const QString& name) {
  for (QAction* a : w.actions())
    if (a->isCheckable() && a->text() == name) return a;
  return nullptr;
}

// Holds the window's next drag job once it has reported its first drag step (that step's preview
// is already on its way to the canvas) until `gate` opens.
void holdAfterFirstDragStep(MainWindow& w, lstest::JobGate& gate) {
  w.engine()->setWorkerProgressHook([&gate](JobId, const JobProgress& p) {
    if (p.stage == "Dragging" && p.step == 1) gate.hold();
  });
}

}  // namespace

class TestDragGui : public QObject {
  Q_OBJECT
private:
  QString model_;
  // An editor with fruits.jpg, two drag pairs clicked and a movable region painted.
  void prepare(MainWindow& w, DragTool*& tool, DragPanel*& panel) {
    w.setInteractive(false);
    w.resize(1200, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openImage(copyPhoto("fruits.jpg")));
    tool = w.findChild<DragTool*>();
    panel = w.findChild<DragPanel*>();
    QVERIFY(tool && panel);
    QAction* dragAction = toolAction(w, tool->name());
    QVERIFY(dragAction);
    dragAction->trigger();
    QCOMPARE(w.canvas()->tool(), static_cast<Tool*>(tool));
    w.canvas()->setView(ViewTransform(1.0, QPointF(0, 0), w.canvas()->viewport()->devicePixelRatioF()));
    QWidget* vp = w.canvas()->viewport();
    // Far-apart pairs, so the handles cannot arrive within a step or two.
    click(vp, {150, 200});
    click(vp, {330, 260});
    click(vp, {300, 140});
    click(vp, {200, 300});
    QCOMPARE(tool->pairCount(), 2);
    // The panel's Paint button switches to the mask brush.
    Q_EMIT panel->paintRegionRequested();
    QCOMPARE(w.canvas()->tool(), static_cast<Tool*>(w.brushTool()));
    w.brushTool()->setSettings(BrushSettings{60.0, 1.0, false});
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, QPoint(220, 220));
    QTest::mouseMove(vp, QPoint(280, 180));
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, QPoint(280, 180));
    QVERIFY(!w.document()->maskIsEmpty());
    toolAction(w, tool->name())->trigger();
    panel->setModelPath(model_);
    DragParams p;
    p.loraSteps = 0;
    p.dragSteps = 40;
    p.inversionStrength = 0.7;
    panel->setParams(p);
    QTRY_VERIFY(panel->runButton()->isEnabled());
  }

private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopDragGui"));
    QSettings().clear();
    qputenv("LATENTSHOP_CACHE_DIR", scratch(QStringLiteral("cache")).toUtf8());
    model_ = QString::fromStdString(lstest::makeDragModelFolder("drag-gui-model"));
  }

  void cancelLeavesTheDocumentUnchanged() {
    lstest::JobGate cancelSent;
    MainWindow w;
    const lstest::OpenOnExit openGate{cancelSent};
    DragTool* tool = nullptr;
    DragPanel* panel = nullptr;
    prepare(w, tool, panel);
    if (QTest::currentTestFailed()) return;
    Document* doc = w.document();
    const QImage before = doc->render();
    const int layers = doc->layerCount();
    const int undoSteps = doc->undoStack()->count();
    const int previewsBefore = w.canvas()->previewsShown();
    holdAfterFirstDragStep(w, cancelSent);

    QSignalSpy finished(&w, &MainWindow::jobFinished);
    QTest::mouseClick(panel->runButton(), Qt::LeftButton);
    QVERIFY(w.activeJob() != 0);
    QVERIFY(!panel->runButton()->isEnabled());
    // Wait until the optimisation shows its first preview, with the tracked handles and targets.
    QTRY_VERIFY_WITH_TIMEOUT(cancelSent.reached(), 120000);
    QTRY_VERIFY_WITH_TIMEOUT(w.canvas()->previewsShown() > previewsBefore, 20000);
    QCOMPARE(w.canvas()->preview().points.size(), 2);
    QCOMPARE(w.canvas()->preview().targets.size(), 2);
    w.cancelJob();
    cancelSent.open();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QCOMPARE(JobState(finished.first().at(1).toInt()), JobState::Cancelled);
    QCOMPARE(doc->layerCount(), layers);
    QVERIFY(!doc->hasPendingResult());
    QCOMPARE(doc->undoStack()->count(), undoSteps);
    QCOMPARE(doc->render(), before);
    QVERIFY(w.canvas()->preview().isNull());
    QVERIFY(panel->runButton()->isEnabled());
    QCOMPARE(tool->pairCount(), 2);  // the points stay for another try
    QVERIFY(panel->progress()->message().contains(QStringLiteral("unchanged")));
  }

  void stopKeepsTheDragAndLandsALayer() {
    lstest::JobGate stopSent;
    MainWindow w;
    const lstest::OpenOnExit openGate{stopSent};
    DragTool* tool = nullptr;
    DragPanel* panel = nullptr;
    prepare(w, tool, panel);
    if (QTest::currentTestFailed()) return;
    Document* doc = w.document();
    const int previewsBefore = w.canvas()->previewsShown();
    holdAfterFirstDragStep(w, stopSent);
    QSignalSpy arrived(&w, &MainWindow::resultArrived);
    QTest::mouseClick(panel->runButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(stopSent.reached(), 120000);
    QTRY_VERIFY_WITH_TIMEOUT(w.canvas()->previewsShown() > previewsBefore, 20000);
    w.stopJob();
    stopSent.open();
    QVERIFY(arrived.wait(300000));
    const LayerId id = doc->topPendingLayer();
    QVERIFY(id);
    const Layer* layer = doc->layer(id);
    QVERIFY(layer->kind == latentshop::ui::LayerKind::Result);
    QCOMPARE(layer->points, tool->pairs());
    QCOMPARE(layer->params.value(QStringLiteral("tool")).toString(), QStringLiteral("drag"));
    const QJsonObject drag = layer->params.value(QStringLiteral("drag")).toObject();
    QVERIFY(drag.value(QStringLiteral("stopped")).toBool());
    QCOMPARE(drag.value(QStringLiteral("steps_run")).toInt(), 1);  // stopped while step 1 was reported
    QCOMPARE(layer->params.value(QStringLiteral("params")).toObject().value(QStringLiteral("drag_steps")).toInt(), 40);
    QVERIFY(!layer->mask.isNull());  // the movable region it used
    QCOMPARE(dragPairsFromParams(layer->params), tool->pairs());
    w.applyResult();
    QVERIFY(!doc->hasPendingResult());
  }
};

QTEST_MAIN(TestDragGui)
#include "test_drag_gui.moc"
