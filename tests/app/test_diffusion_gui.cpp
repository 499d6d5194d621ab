// LATENTSHOP_TEST_LABELS: gui;pipelines
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp
// The diffusion tools in the whole editor, offscreen, with tiny random models saved as diffusers
// folders: choose the model in the picker (validated in the background), paint a mask, run the
// Stable Diffusion inpaint method — the job reports one preview per step (those the GUI had no
// time to draw are coalesced, never queued) and the result lands as a pending layer carrying its
// parameters; Enter in the instruction box runs an instruct edit; cancel mid-run leaves the document
// exactly as before (the job is held at a step until the cancel is in, so it is mid-run on any
// machine); the event loop keeps answering a 10 ms timer during a real model job (the measured
// lateness is printed); "Load model" runs as a job with progress in the picker.
#include <algorithm>
#include <atomic>

#include <QtTest/QtTest>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QUndoStack>

#include "engine/sd_tiny_model.h"
#include "app/gui/diffusion_tools.h"
#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "engine/core/threads.h"
#include "support/job_gate.h"
#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/document/mask_image.h"
#include "ui/panels/diffusion_inpaint_method.h"
#include "ui/panels/diffusion_inpaint_method_controls.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/instruct_panel.h"
#include "ui/panels/job_progress_widget.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/model_settings.h"

using namespace latentshop;
using namespace latentshop::ui;

namespace {

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + QLatin1Char('/') + name; }

QString photo(const char* name, QSize size) {
  const QString dst = scratch(QString::fromLatin1(name) + QStringLiteral(".png"));
  QImage(QString::fromStdString(lstest::photoPath(name))).scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation).save(dst);
  return dst;
}

void paintMask(Document* doc, const QRect& r) {
  QImage mask = emptyMask(doc->size());
  for (int y = r.top(); y <= r.bottom(); ++y)
    for (int x = r.left(); x <= r.right(); ++x) mask.scanLine(y)[x] = 255;
  doc->replaceMask(mask, QStringLiteral("mask"));
}

struct Setup {
  MainWindow window;
  DiffusionTools* tools = nullptr;
  Setup() {
    window.setInteractive(false);
    window.resize(1100, 800);
    window.show();
    tools = window.findChild<DiffusionTools*>();
  }
};

// How late a 10 ms timer fires while `done` is false (max and 99th percentile, ms).
std::pair<double, double> lateness(const std::function<bool()>& done, int timeoutMs) {
  QList<double> late;
  QElapsedTimer clock;
  clock.start();
  qint64 last = clock.nsecsElapsed();
  QTimer timer;
  timer.setTimerType(Qt::PreciseTimer);
  timer.setInterval(10);
  QObject::connect(&timer, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    late << std::max(0.0, (now - last) / 1e6 - 10.0);
    last = now;
  });
  timer.start();
  while (!done() && clock.elapsed() < timeoutMs) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
  timer.stop();
  if (late.isEmpty()) return {0, 0};
  std::sort(late.begin(), late.end());
  return {late.last(), late[int(late.size() * 0.99)]};
}

}  // namespace

class TestDiffusionGui : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void pickerValidatesAndExplains();
  void inpaintPreviewsEveryStepAndResultLayer();
  void enterInTheInstructionBoxRuns();
  void cancelMidRunLeavesTheDocument();
  void loadModelAsAJob();

private:
  QString inpaintFolder_, instructFolder_;
};

void TestDiffusionGui::initTestCase() {
  configureTorchThreads();
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
  QCoreApplication::setApplicationName(QStringLiteral("LatentshopDiffusionGui"));
  QSettings().clear();
  inpaintFolder_ = QString::fromStdString(lstest::makeRandomSdFolder("gui_inpaint", "inpainting", 51));
  instructFolder_ = QString::fromStdString(lstest::makeRandomSdFolder("gui_instruct", "instruct", 52));
}

void TestDiffusionGui::pickerValidatesAndExplains() {
  Setup s;
  QVERIFY(s.tools);
  ModelPicker* picker = s.tools->inpaintMethod()->picker();
  // No model yet: the picker says where models go; the method says why it cannot run.
  QVERIFY2(picker->statusText().contains(QStringLiteral("models/README.md")), qPrintable(picker->statusText()));
  QVERIFY2(picker->statusText().contains(QStringLiteral("models install sd15-inpainting")), qPrintable(picker->statusText()));
  QVERIFY(!s.tools->inpaintMethod()->unavailableReason().isEmpty());
  // The instruct model is refused for inpainting, with the reason.
  s.tools->inpaintModel()->setModelPath(instructFolder_);
  QVERIFY(s.tools->inpaintModel()->waitForCheck(20000));
  QVERIFY(!s.tools->inpaintModel()->isValid());
  QCOMPARE(s.tools->inpaintModel()->kind(), QStringLiteral("instruct"));
  QVERIFY2(picker->statusText().contains(QStringLiteral("inpainting needs")), qPrintable(picker->statusText()));
  s.tools->inpaintModel()->setModelPath(inpaintFolder_);
  QVERIFY(s.tools->inpaintModel()->waitForCheck(20000));
  QVERIFY2(s.tools->inpaintModel()->isValid(), qPrintable(s.tools->inpaintModel()->validationMessage()));
  QVERIFY(picker->statusText().contains(QStringLiteral("inpainting")));
  QVERIFY(s.tools->inpaintMethod()->unavailableReason().isEmpty());
  QCOMPARE(ModelSettings::recentModels().first(), QDir::cleanPath(inpaintFolder_));
  QVERIFY(ModelSettings::recentModels().contains(QDir::cleanPath(instructFolder_)));
}

void TestDiffusionGui::inpaintPreviewsEveryStepAndResultLayer() {
  std::atomic<int> denoisingSteps{0};  // counted on the worker: declared before the window that joins it
  Setup s;
  QVERIFY(s.window.openImage(photo("fruits.jpg", {200, 150})));
  Document* doc = s.window.document();
  paintMask(doc, QRect(70, 50, 60, 40));
  s.tools->inpaintModel()->setModelPath(inpaintFolder_);
  QVERIFY(s.tools->inpaintModel()->waitForCheck(20000));
  QVERIFY(s.window.inpaintPanel()->setCurrentMethod(QStringLiteral("sd.inpaint")));
  DiffusionInpaintMethod* method = s.tools->inpaintMethod();
  SdInpaintRequest o = method->options();
  o.prompt = "a yellow lemon";
  o.steps = 40;
  o.seed = 77;
  method->setOptions(o);
  method->setRandomSeedEachRun(false);

  // The denoising steps the job reports (one per model call).
  s.window.engine()->setWorkerProgressHook([&](JobId, const JobProgress& p) {
    if (p.stage == "Denoising" && p.step > 0) ++denoisingSteps;
  });
  QSignalSpy previews(s.window.engine(), &EngineBridge::jobPreview);
  QSignalSpy arrived(&s.window, &MainWindow::resultArrived);
  const int coalescedBefore = s.window.engine()->previewsCoalesced();
  const int deliveredBefore = s.window.engine()->previewsDelivered();
  QTRY_VERIFY(s.window.inpaintPanel()->blockedReason().isEmpty());
  QVERIFY(s.window.runInpaint() != 0);
  const auto [maxMs, p99Ms] = lateness([&] { return !arrived.isEmpty(); }, 120000);
  QCOMPARE(arrived.count(), 1);
  const int delivered = s.window.engine()->previewsDelivered() - deliveredBefore;
  const int coalesced = s.window.engine()->previewsCoalesced() - coalescedBefore;
  const int steps = denoisingSteps.load();
  std::printf("   SD inpaint (tiny model, 40 steps asked, %d denoising steps run): %d previews delivered + %d "
              "coalesced; GUI timer lateness max %.1f ms, p99 %.1f ms\n",
              steps, delivered, coalesced, maxMs, p99Ms);
  // The tiny model carries SD 1.5's scheduler config: PNDM runs 40 steps as 41 model calls.
  QCOMPARE(steps, 41);
  QCOMPARE(delivered + coalesced, steps);  // the job sent one preview per step
  QCOMPARE(previews.count(), delivered);
  QVERIFY(delivered >= 1);
  // However many the GUI had time for: in step order, and the last step's preview among them.
  for (int i = 1; i < previews.count(); ++i)
    QVERIFY(previews.at(i).at(1).value<CanvasPreview>().step > previews.at(i - 1).at(1).value<CanvasPreview>().step);
  const auto last = previews.last().at(1).value<CanvasPreview>();
  QCOMPARE(last.step, steps);
  QCOMPARE(last.total, steps);
  QVERIFY(!last.image.isNull());
  QVERIFY2(p99Ms < 100.0, "the event loop stalled while the model ran");
  QVERIFY2(maxMs < 500.0, "the event loop stalled while the model ran");

  const LayerId id = arrived.first().at(0).value<LayerId>();
  const Layer* layer = doc->layer(id);
  QVERIFY(layer && layer->pending);
  QCOMPARE(layer->params.value(QStringLiteral("prompt")).toString(), QStringLiteral("a yellow lemon"));
  QCOMPARE(layer->params.value(QStringLiteral("seed")).toInteger(), 77);
  QCOMPARE(layer->params.value(QStringLiteral("steps")).toInt(), 40);
  QVERIFY(layer->name.contains(QStringLiteral("a yellow lemon")));
  QVERIFY(s.window.inpaintPanel()->progress()->message().contains(QStringLiteral("Inpainted")));
}

void TestDiffusionGui::enterInTheInstructionBoxRuns() {
  Setup s;
  QVERIFY(s.window.openImage(photo("home.jpg", {120, 90})));
  s.tools->instructModel()->setModelPath(instructFolder_);
  QVERIFY(s.tools->instructModel()->waitForCheck(20000));
  InstructPanel* panel = s.tools->instructPanel();
  panel->seedEdit()->setNewSeedEachRun(false);
  panel->seedEdit()->setSeed(3);
  QLineEdit* box = panel->instructionEdit();
  box->setFocus();
  QTest::keyClicks(box, QStringLiteral("make it snowy"));
  QTRY_VERIFY(panel->blockedReason().isEmpty());
  QSignalSpy arrived(&s.window, &MainWindow::resultArrived);
  QTest::keyClick(box, Qt::Key_Return);
  QVERIFY(arrived.wait(120000));
  const Layer* layer = s.window.document()->layer(arrived.first().at(0).value<LayerId>());
  QVERIFY(layer);
  QCOMPARE(layer->params.value(QStringLiteral("instruction")).toString(), QStringLiteral("make it snowy"));
  QCOMPARE(layer->params.value(QStringLiteral("method")).toString(), QStringLiteral("instruct"));
  QCOMPARE(layer->image.size(), QSize(120, 90));
  QVERIFY(layer->name.startsWith(QStringLiteral("Instruct")));
}

void TestDiffusionGui::cancelMidRunLeavesTheDocument() {
  lstest::JobGate cancelSent;
  Setup s;
  const lstest::OpenOnExit openGate{cancelSent};
  QVERIFY(s.window.openImage(photo("messi5.jpg", {160, 100})));
  Document* doc = s.window.document();
  paintMask(doc, QRect(40, 30, 50, 40));
  const QImage before = doc->render();
  const QImage maskBefore = doc->mask();
  const int commands = doc->undoStack()->count();
  const int layers = doc->layerCount();
  s.tools->inpaintModel()->setModelPath(inpaintFolder_);
  QVERIFY(s.tools->inpaintModel()->waitForCheck(20000));
  QVERIFY(s.window.inpaintPanel()->setCurrentMethod(QStringLiteral("sd.inpaint")));
  SdInpaintRequest o = s.tools->inpaintMethod()->options();
  o.steps = 20;
  s.tools->inpaintMethod()->setOptions(o);
  // The job reports denoising step 2 (after step 1's preview) and then waits until the cancel is
  // in: the cancel meets a running job however fast the machine is.
  s.window.engine()->setWorkerProgressHook([&](JobId, const JobProgress& p) {
    if (p.stage == "Denoising" && p.step == 2) cancelSent.hold();
  });
  QSignalSpy previews(s.window.engine(), &EngineBridge::jobPreview);
  QSignalSpy finished(&s.window, &MainWindow::jobFinished);
  QTRY_VERIFY(s.window.inpaintPanel()->blockedReason().isEmpty());
  QVERIFY(s.window.runInpaint() != 0);
  QTRY_VERIFY_WITH_TIMEOUT(cancelSent.reached(), 60000);
  QTRY_VERIFY_WITH_TIMEOUT(!previews.isEmpty(), 20000);  // step 1's preview is on the canvas
  QElapsedTimer clock;
  clock.start();
  s.window.cancelJob();
  cancelSent.open();
  QVERIFY(finished.wait(20000));
  std::printf("   cancel took %lld ms to end the job\n", static_cast<long long>(clock.elapsed()));
  QCOMPARE(JobState(finished.first().at(1).toInt()), JobState::Cancelled);
  QCOMPARE(previews.count(), 1);  // nothing after the cancel: step 2's preview was dropped
  QCOMPARE(doc->layerCount(), layers);
  QCOMPARE(doc->undoStack()->count(), commands);
  QCOMPARE(doc->render(), before);
  QCOMPARE(doc->mask(), maskBefore);
  QVERIFY(!doc->hasPendingResult());
  QVERIFY(s.window.inpaintPanel()->progress()->message().contains(QStringLiteral("Cancelled")));
}

void TestDiffusionGui::loadModelAsAJob() {
  Setup s;
  s.tools->instructModel()->setModelPath(instructFolder_);
  QVERIFY(s.tools->instructModel()->waitForCheck(20000));
  ModelPicker* picker = s.tools->instructPanel()->picker();
  QTRY_VERIFY(picker->loadButton()->isEnabled());
  QSignalSpy states(s.window.engine(), &EngineBridge::jobStateChanged);
  const JobId id = s.tools->loadModel(picker);
  QVERIFY(id != 0);
  QTRY_VERIFY_WITH_TIMEOUT(!picker->progress()->isRunning(), 60000);
  QVERIFY2(picker->progress()->message().contains(QStringLiteral("Loaded")), qPrintable(picker->progress()->message()));
  QVERIFY(!s.window.document()->hasPendingResult());  // loading makes no layer
}

QTEST_MAIN(TestDiffusionGui)
#include "test_diffusion_gui.moc"
