// The drag-points tool driven by synthetic mouse and key events on the canvas: a click places a
// handle, the next its target; points are grabbed within a few pixels and dragged (clamped to the
// image); right-click and Delete/Backspace remove a pair even though the window binds Delete and Esc
// to other actions; Esc drops a lone handle; clicks outside the image do nothing; the overlay draws
// the points. Also the drag panel: options round trip, why Run is disabled, settings, the request.
#include <QtTest/QtTest>
#include <QAction>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>

#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/panels/drag_panel.h"
#include "ui/panels/model_settings.h"
#include "ui/tools/drag_tool.h"

using namespace latentshop;
using namespace latentshop::ui;

namespace {

QImage photoLike(int w, int h) {
  QImage img(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.setPixel(x, y, qRgb((x * 3) % 256, (y * 5) % 256, 90));
  return img;
}

}  // namespace

class TestDragTool : public QObject {
  Q_OBJECT
private:
  Canvas* canvas_ = nullptr;
  Document* doc_ = nullptr;
  DragTool* tool_ = nullptr;
  QWidget* vp() { return canvas_->viewport(); }
  void click(QPoint p, Qt::MouseButton b = Qt::LeftButton) {
    QTest::mousePress(vp(), b, Qt::NoModifier, p);
    QTest::mouseRelease(vp(), b, Qt::NoModifier, p);
  }

private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopDragTool"));
    QSettings().clear();
  }

  void init() {
    canvas_ = new Canvas;
    doc_ = new Document(canvas_);
    tool_ = new DragTool(canvas_);
    canvas_->resize(420, 320);
    canvas_->show();
    QVERIFY(QTest::qWaitForWindowExposed(canvas_));
    doc_->reset(photoLike(200, 150), QString());
    canvas_->setDocument(doc_);
    canvas_->setTool(tool_);
    canvas_->setView(ViewTransform(1.0, QPointF(0, 0), canvas_->viewport()->devicePixelRatioF()));
    QCOMPARE(canvas_->viewport()->devicePixelRatioF(), 1.0);
  }

  void cleanup() {
    delete canvas_;
    canvas_ = nullptr;
  }

  void clickPlacesHandleThenTarget() {
    QSignalSpy changed(tool_, &DragTool::pairsChanged);
    click({50, 40});
    QVERIFY(tool_->pendingHandle().has_value());
    QCOMPARE(*tool_->pendingHandle(), QPointF(50, 40));
    QCOMPARE(tool_->pairCount(), 0);
    QCOMPARE(changed.count(), 0);
    click({90, 61});
    QVERIFY(!tool_->pendingHandle().has_value());
    QCOMPARE(tool_->pairCount(), 1);
    QCOMPARE(tool_->pairs()[0], (DragPair{QPointF(50, 40), QPointF(90, 61)}));
    QCOMPARE(changed.count(), 1);
    click({10, 10});
    click({20, 30});
    QCOMPARE(tool_->pairCount(), 2);
    // The overlay draws the handle (red) and the target (blue) at the pixel centres.
    const QImage shot = vp()->grab().toImage();
    const QColor h = shot.pixelColor(50, 40), t = shot.pixelColor(90, 61);
    QVERIFY2(h.red() > 180 && h.blue() < 120, qPrintable(h.name()));
    QVERIFY2(t.blue() > 180 && t.red() < 120, qPrintable(t.name()));
  }

  void dragMovesPointsWithinTheImage() {
    tool_->setPairs({DragPair{QPointF(50, 40), QPointF(90, 60)}});
    QSignalSpy changed(tool_, &DragTool::pairsChanged);
    // Grab the target a few pixels off its centre and drag it.
    QTest::mousePress(vp(), Qt::LeftButton, Qt::NoModifier, QPoint(94, 62));
    QVERIFY(tool_->isBusy());
    QTest::mouseMove(vp(), QPoint(120, 80));
    QTest::mouseRelease(vp(), Qt::LeftButton, Qt::NoModifier, QPoint(120, 80));
    QVERIFY(!tool_->isBusy());
    QCOMPARE(tool_->pairs()[0].target, QPointF(116, 78));  // moved by the mouse delta from the pixel it held
    QCOMPARE(tool_->pairs()[0].handle, QPointF(50, 40));
    QCOMPARE(changed.count(), 1);
    // Dragging past the image edge clamps to the last pixel.
    QTest::mousePress(vp(), Qt::LeftButton, Qt::NoModifier, QPoint(50, 40));
    QTest::mouseMove(vp(), QPoint(300, 250));
    QTest::mouseRelease(vp(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 250));
    QCOMPARE(tool_->pairs()[0].handle, QPointF(199, 149));
    QCOMPARE(tool_->pairCount(), 1);
  }

  void rightClickAndKeysDelete() {
    // The window binds Delete and Esc (discard result, cancel job): the tool still gets them.
    QAction discard(canvas_);
    discard.setShortcut(QKeySequence(Qt::Key_Delete));
    canvas_->addAction(&discard);
    QAction cancel(canvas_);
    cancel.setShortcut(QKeySequence(Qt::Key_Escape));
    canvas_->addAction(&cancel);
    QSignalSpy discarded(&discard, &QAction::triggered);
    QSignalSpy cancelled(&cancel, &QAction::triggered);
    canvas_->activateWindow();
    canvas_->setFocus();

    tool_->setPairs({DragPair{QPointF(20, 20), QPointF(40, 20)}, DragPair{QPointF(100, 100), QPointF(120, 90)}});
    click({120, 90}, Qt::RightButton);  // right-click the second target
    QCOMPARE(tool_->pairCount(), 1);
    QCOMPARE(tool_->pairs()[0].handle, QPointF(20, 20));

    click({20, 20});  // touch the first handle (no move), then Delete
    QTest::keyClick(canvas_, Qt::Key_Delete);
    QCOMPARE(tool_->pairCount(), 0);
    QCOMPARE(discarded.count(), 0);

    click({70, 70});  // a lone handle: Esc drops it
    QVERIFY(tool_->pendingHandle().has_value());
    QTest::keyClick(canvas_, Qt::Key_Escape);
    QVERIFY(!tool_->pendingHandle().has_value());
    QCOMPARE(cancelled.count(), 0);
    // With nothing to delete the window's shortcuts work as usual.
    QTest::keyClick(canvas_, Qt::Key_Delete);
    QCOMPARE(discarded.count(), 1);
    QTest::keyClick(canvas_, Qt::Key_Escape);
    QCOMPARE(cancelled.count(), 1);

    click({10, 10});
    click({30, 12});
    QTest::keyClick(canvas_, Qt::Key_Backspace);  // the target just placed was the last touched
    QCOMPARE(tool_->pairCount(), 0);
  }

  void clicksOutsideTheImageAndClear() {
    click({300, 250});  // beyond the 200 × 150 image
    QVERIFY(!tool_->pendingHandle().has_value());
    click({5, 5});
    click({15, 5});
    QCOMPARE(tool_->pairCount(), 1);
    QSignalSpy changed(tool_, &DragTool::pairsChanged);
    tool_->clearPairs();
    QCOMPARE(tool_->pairCount(), 0);
    QCOMPARE(changed.count(), 1);
  }

  void panelBlocksAModelTheCheckRefuses() {
    DragPanel panel;
    panel.setDocumentState(true, false);
    panel.setPairCount(1);
    panel.setModelPath(QStringLiteral("/nonexistent/latentshop-drag-model"));
    QVERIFY(panel.modelSettings()->waitForCheck(20000));
    QVERIFY(!panel.runButton()->isEnabled());
    QVERIFY2(panel.blockedReason().contains(QStringLiteral("latentshop-drag-model")), qPrintable(panel.blockedReason()));
    QCOMPARE(panel.blockedReason(), panel.modelSettings()->validationMessage());
    panel.setModelPath(QString());  // the choice is remembered: leave none for the next case
    QVERIFY(panel.modelSettings()->waitForCheck(20000));
  }

  void panelOptionsAndRequest() {
    DragPanel panel;
    QVERIFY(!panel.runButton()->isEnabled());
    QCOMPARE(panel.blockedReason(), QStringLiteral("Open an image first."));
    panel.setDocumentState(true, false);
    QVERIFY(panel.blockedReason().contains(QStringLiteral("model")));
    panel.setModelPath(QStringLiteral("/models/sd15"));
    QVERIFY(panel.blockedReason().contains(QStringLiteral("handle")));
    panel.setPairCount(2);
    QVERIFY(panel.blockedReason().isEmpty());
    QVERIFY(panel.runButton()->isEnabled());
    panel.setBusy(true);
    QVERIFY(!panel.runButton()->isEnabled());
    panel.setBusy(false);

    const DragParams defaults;
    QCOMPARE(panel.params().loraSteps, 80);
    QCOMPARE(panel.params().dragSteps, 80);
    QCOMPARE(panel.params().inversionStrength, 0.7);
    QCOMPARE(panel.params().latentLr, 0.01);
    QCOMPARE(panel.params().featureLayer, 3);
    DragParams p;
    p.loraSteps = 0;
    p.dragSteps = 25;
    p.inversionStrength = 0.6;
    p.latentLr = 0.02;
    p.featureLayer = 2;
    p.seed = 7;
    panel.setParams(p);
    panel.setPrompt(QStringLiteral("a cat"));
    {
      QSettings s;
      panel.saveSettings(s);
    }
    DragPanel other;
    {
      QSettings s;
      other.loadSettings(s);
    }
    QCOMPARE(other.modelPath(), QStringLiteral("/models/sd15"));
    QCOMPARE(other.prompt(), QStringLiteral("a cat"));
    QCOMPARE(other.params().toJson(), p.toJson());

    const cv::Mat image(150, 200, CV_8UC3, cv::Scalar(1, 2, 3));
    const auto r = other.makeRequest(image, cv::Mat(), {{{1, 2}, {3, 4}}});
    QCOMPARE(r.modelPath, std::string("/models/sd15"));
    QCOMPARE(r.prompt, std::string("a cat"));
    QCOMPARE(r.params.dragSteps, 25);
    QCOMPARE(r.points.size(), std::size_t{1});
    QCOMPARE(r.loraCacheDir, defaultDragLoraCacheDir());
    validateDragRequest(r);
  }
};

QTEST_MAIN(TestDragTool)
#include "test_drag_tool.moc"
