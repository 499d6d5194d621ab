// The engine bridge: job callbacks arrive as Qt signals on the GUI thread, in order; previews and
// progress are coalesced so a GUI that is not processing events never backs up the worker; results
// are converted to QImage; failures and cancels end cleanly.
#include <atomic>
#include <chrono>
#include <thread>

#include <QtTest/QtTest>

#include "app/gui/engine_bridge.h"
#include "app/gui/image_convert.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/runtime/job_queue.h"

using namespace latentshop;
using namespace latentshop::ui;
using namespace std::chrono_literals;

namespace {

PreviewImage solidPreview(int step, int total) {
  PreviewImage p;
  p.rgb = cv::Mat(16, 32, CV_8UC3, cv::Scalar(step % 256, 100, 200));
  p.placement = cv::Rect(4, 5, 64, 32);
  p.step = step;
  p.total = total;
  p.points = {cv::Point2f(10.5f, 12.f)};
  p.targets = {cv::Point2f(30.f, 20.f)};
  return p;
}

JobSpec previewJob(int steps, std::chrono::microseconds delay) {
  JobSpec spec;
  spec.kind = "test.previews";
  spec.title = "Previews";
  spec.run = [steps, delay](JobContext& ctx) {
    ctx.beginStage("Denoising", steps);
    for (int i = 1; i <= steps; ++i) {
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      ctx.preview(solidPreview(i, steps));
      ctx.progress(i);
    }
    JobResult r;
    r.image = cv::Mat(8, 6, CV_8UC4, cv::Scalar(10, 20, 30, 128));
    r.placement = cv::Rect(1, 2, 6, 8);
    r.params = {{"tool", "test"}, {"steps", steps}};
    r.message = "done";
    return r;
  };
  return spec;
}

}  // namespace

class TestEngineBridge : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void signalsArriveInOrderOnTheGuiThread() {
    EngineBridge bridge;
    QStringList events;
    int lastStep = 0;
    bool ordered = true, onGuiThread = true;
    CanvasPreview lastPreview;
    JobOutcome outcome;
    const auto here = [&] { onGuiThread &= QThread::currentThread() == qApp->thread(); };
    connect(&bridge, &EngineBridge::jobStateChanged, this, [&](quint64, int s) {
      here();
      events << QStringLiteral("state:%1").arg(toString(JobState(s)));
    });
    connect(&bridge, &EngineBridge::jobProgress, this, [&](quint64, const JobProgressInfo& p) {
      here();
      ordered &= p.step >= lastStep;
      lastStep = p.step;
      if (events.isEmpty() || events.last() != QLatin1String("progress")) events << QStringLiteral("progress");
    });
    connect(&bridge, &EngineBridge::jobPreview, this, [&](quint64, const CanvasPreview& p) {
      here();
      lastPreview = p;
    });
    connect(&bridge, &EngineBridge::jobDone, this, [&](quint64, const JobOutcome& o) {
      here();
      outcome = o;
      events << QStringLiteral("done");
    });
    QSignalSpy busy(&bridge, &EngineBridge::busyChanged);
    const JobId id = bridge.submit(previewJob(20, 2ms));
    QVERIFY(bridge.isActive(id));
    QTRY_VERIFY_WITH_TIMEOUT(!bridge.isBusy(), 20000);
    QVERIFY(onGuiThread);
    QVERIFY(ordered);
    QCOMPARE(lastStep, 20);
    QCOMPARE(events.first(), QStringLiteral("state:queued"));
    QCOMPARE(events.at(1), QStringLiteral("state:running"));
    QCOMPARE(events.at(events.size() - 2), QStringLiteral("done"));
    QCOMPARE(events.last(), QStringLiteral("state:done"));
    QCOMPARE(busy.count(), 2);
    // The last preview and the converted result.
    QCOMPARE(lastPreview.step, 20);
    QCOMPARE(lastPreview.total, 20);
    QCOMPARE(lastPreview.placement, QRect(4, 5, 64, 32));
    QCOMPARE(lastPreview.image.size(), QSize(32, 16));
    QCOMPARE(lastPreview.image.pixel(0, 0), qRgb(20, 100, 200));
    QCOMPARE(lastPreview.points.size(), 1);
    QCOMPARE(lastPreview.points[0], QPointF(10.5, 12));
    QCOMPARE(lastPreview.label, QStringLiteral("Previews"));
    QCOMPARE(outcome.image.format(), QImage::Format_ARGB32);
    QCOMPARE(outcome.image.pixel(0, 0), qRgba(10, 20, 30, 128));
    QCOMPARE(outcome.placement, QRect(1, 2, 6, 8));
    QCOMPARE(outcome.params.value(QStringLiteral("steps")).toInt(), 20);
    QCOMPARE(outcome.message, QStringLiteral("done"));
    QCOMPARE(outcome.kind, QStringLiteral("test.previews"));
  }

  void previewsCoalesceWhenTheGuiIsBusy() {
    EngineBridge bridge;
    QList<int> steps;
    connect(&bridge, &EngineBridge::jobPreview, this, [&](quint64, const CanvasPreview& p) { steps << p.step; });
    bridge.submit(previewJob(300, 0us));
    // The GUI thread does not process events here; the worker must still run to the end.
    QVERIFY(bridge.waitIdle(20000));
    QTRY_VERIFY(!bridge.isBusy());
    // Everything the GUI missed was folded into one delivery of the newest preview.
    QCOMPARE(steps.size(), 1);
    QCOMPARE(steps.first(), 300);
    QCOMPARE(bridge.previewsDelivered(), 1);
    QCOMPARE(bridge.previewsCoalesced(), 299);
  }

  void failureArrivesWithItsMessage() {
    EngineBridge bridge;
    QSignalSpy failed(&bridge, &EngineBridge::jobFailed);
    QSignalSpy done(&bridge, &EngineBridge::jobDone);
    QSignalSpy state(&bridge, &EngineBridge::jobStateChanged);
    JobSpec spec;
    spec.kind = "test.fail";
    spec.run = [](JobContext&) -> JobResult { throw Error("unet/model.safetensors: missing keys: conv_in.weight"); };
    bridge.submit(std::move(spec));
    QTRY_VERIFY(!bridge.isBusy());
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.first().at(1).toString(), QStringLiteral("unet/model.safetensors: missing keys: conv_in.weight"));
    QCOMPARE(done.count(), 0);
    QCOMPARE(JobState(state.last().at(1).toInt()), JobState::Failed);
  }

  // The worker may be descheduled between handing over a result and marking its job finished.
  // Whoever sees the result (the window, then the user pressing Run again) must already see the
  // job finished; otherwise the next Run is refused as "a job is already running".
  void aResultArrivesWithItsJobAlreadyFinished() {
    for (const bool fail : {false, true}) {
      EngineBridge bridge;
      QSignalSpy done(&bridge, &EngineBridge::jobDone);
      QSignalSpy failed(&bridge, &EngineBridge::jobFailed);
      QSignalSpy& outcome = fail ? failed : done;
      QSignalSpy state(&bridge, &EngineBridge::jobStateChanged);
      JobSpec spec = previewJob(2, 0us);
      if (fail) spec.run = [](JobContext&) -> JobResult { throw Error("broken on purpose"); };
      // Holds the worker after the outcome is handed over, before the queue reports the end state.
      spec.callbacks.onState = [](JobId, JobState s) {
        if (isFinished(s)) std::this_thread::sleep_for(400ms);
      };
      const JobId id = bridge.submit(std::move(spec));
      QVERIFY(outcome.wait(20000));  // returns once the event that carried the outcome is handled
      QVERIFY2(!bridge.isBusy(), fail ? "failure delivered before the job finished" : "result delivered before the job finished");
      QCOMPARE(state.last().at(0).toULongLong(), id);
      QCOMPARE(JobState(state.last().at(1).toInt()), fail ? JobState::Failed : JobState::Done);
      // And the end state is reported once, not again when the worker catches up.
      QTest::qWait(600);
      int ends = 0;
      for (const auto& s : state) ends += isFinished(JobState(s.at(1).toInt())) ? 1 : 0;
      QCOMPARE(ends, 1);
    }
  }

  void cancelEndsWithoutAResult() {
    std::atomic<int> stepsRun{0};  // shared with the worker: declared before the bridge that joins it
    EngineBridge bridge;
    QSignalSpy done(&bridge, &EngineBridge::jobDone);
    QSignalSpy state(&bridge, &EngineBridge::jobStateChanged);
    JobSpec spec;
    spec.kind = "test.long";
    spec.run = [&](JobContext& ctx) {
      // Runs until cancelled, so the cancel below always meets a running job, however fast the
      // machine; progress() is where the cancel takes effect.
      ctx.beginStage("Long", 0);
      for (int i = 1;; ++i) {
        std::this_thread::sleep_for(2ms);
        ++stepsRun;
        ctx.progress(i);
      }
      return JobResult{};
    };
    const JobId id = bridge.submit(std::move(spec));
    QTRY_VERIFY(stepsRun.load() > 3);
    QVERIFY(bridge.cancel(id));
    QTRY_VERIFY_WITH_TIMEOUT(!bridge.isBusy(), 20000);
    QCOMPARE(JobState(state.last().at(1).toInt()), JobState::Cancelled);
    QCOMPARE(done.count(), 0);
  }

  void destroyingTheBridgeWhileAJobRunsIsClean() {
    std::atomic<bool> started{false};
    {
      EngineBridge bridge;
      JobSpec spec;
      spec.kind = "test.forever";
      spec.run = [&](JobContext& ctx) {
        started = true;
        for (;;) {
          std::this_thread::sleep_for(1ms);
          ctx.throwIfCancelled();
          ctx.preview(solidPreview(1, 1));
        }
        return JobResult{};
      };
      bridge.submit(std::move(spec));
      QTRY_VERIFY(started.load());
    }  // the destructor cancels and joins; pending deliveries are dropped with the bridge
    QCoreApplication::processEvents();
    QVERIFY(true);
  }

  void imageConversionsRoundTrip() {
    cv::Mat rgb(3, 5, CV_8UC3);
    cv::randu(rgb, 0, 256);
    const QImage q = toQImage(rgb);
    QCOMPARE(q.format(), QImage::Format_RGB888);
    cv::Mat back = toRgbMat(q);
    const cv::Mat differs = back != rgb;
    QCOMPARE(cv::countNonZero(differs.reshape(1)), 0);
    QCOMPARE(qRed(q.pixel(2, 1)), int(rgb.at<cv::Vec3b>(1, 2)[0]));
    cv::Mat gray(4, 7, CV_8UC1);
    cv::randu(gray, 0, 256);
    QCOMPARE(cv::countNonZero(toGrayMat(toQImage(gray)) != gray), 0);
    // Padded scanlines (width 5 in Grayscale8 has a 8-byte stride) are handled.
    QImage padded(5, 2, QImage::Format_Grayscale8);
    padded.fill(7);
    QCOMPARE(toGrayMat(padded).at<uchar>(1, 4), uchar(7));
  }
};

QTEST_MAIN(TestEngineBridge)
#include "test_engine_bridge.moc"
