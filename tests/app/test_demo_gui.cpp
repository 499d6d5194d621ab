// LATENTSHOP_TEST_LABELS: gui;demo
// The built-in demo models (models/demo, issue 10) in the whole editor, offscreen, as a new user
// meets them: with no model ever chosen, the inpaint, instruct and drag tools each pick the demo
// model of their kind (the picker says it is the built-in demo); Stable Diffusion inpaint, the
// instruction box and a drag each run, show live previews on the canvas, and land a pending layer.
// The scene is one the models know (a red circle on a white background), so the results can be
// checked: the inpainted hole turns green for "a green square", the circle turns green for "make
// the circle green".
#include <QtTest/QtTest>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>

#include "app/gui/diffusion_tools.h"
#include "app/gui/main_window.h"
#include "engine/core/threads.h"
#include "engine/io/model_defaults.h"
#include "engine/training/demo_scenes.h"
#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/document/document.h"
#include "ui/document/mask_image.h"
#include "ui/panels/diffusion_inpaint_method.h"
#include "ui/panels/diffusion_inpaint_method_controls.h"
#include "ui/panels/drag_panel.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/instruct_panel.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/model_settings.h"
#include "ui/tools/drag_tool.h"

using namespace latentshop;
using namespace latentshop::ui;

namespace {

const QString kDemo = QStringLiteral(LATENTSHOP_SOURCE_DIR "/models/demo");

// A red circle on white, 128×128 (the models see it at 32×32).
QString scenePng() {
  training::Scene s;
  s.colour1 = 7;  // white
  s.shapes.push_back({"circle", 0, {0.3f, 0.5f}, 0.2f});
  const cv::Mat rgb = training::renderScene(s, 128, training::PhotoPool());
  const QImage img(rgb.data, rgb.cols, rgb.rows, static_cast<int>(rgb.step), QImage::Format_RGB888);
  const QString path = QString::fromStdString(lstest::scratchDir()) + QStringLiteral("/scene.png");
  img.copy().save(path);
  return path;
}

double greenShare(const QImage& img, const QRect& r) {
  int green = 0, n = 0;
  for (int y = r.top(); y <= r.bottom(); ++y)
    for (int x = r.left(); x <= r.right(); ++x) {
      const QColor c = img.pixelColor(x, y);
      green += (c.green() > c.red() + 40 && c.green() > c.blue() + 40) ? 1 : 0;
      ++n;
    }
  return double(green) / std::max(n, 1);
}

struct Editor {
  MainWindow window;
  DiffusionTools* tools = nullptr;
  Editor() {
    window.setInteractive(false);
    window.resize(1200, 800);
    window.show();
    tools = window.findChild<DiffusionTools*>();
  }
};

// Runs `start` (which returns the job it started, 0 if refused) and waits for that job to end;
// returns its result layer (null when it was refused or failed: the status bar says why) and the
// previews the canvas showed meanwhile.
const Layer* runAndWait(Editor& e, const std::function<quint64()>& start, int& previews) {
  const int before = e.window.canvas()->previewsShown();
  QSignalSpy arrived(&e.window, &MainWindow::resultArrived);
  QSignalSpy finished(&e.window, &MainWindow::jobFinished);
  const quint64 job = start();
  if (!job) return nullptr;
  const bool ended = QTest::qWaitFor([&] {
    for (const auto& f : finished)
      if (f.at(0).toULongLong() == job) return true;
    return false;
  }, 280000);
  if (!ended || arrived.isEmpty()) return nullptr;
  previews = e.window.canvas()->previewsShown() - before;
  return e.window.document()->layer(arrived.first().at(0).value<LayerId>());
}

}  // namespace

class TestDemoGui : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    qputenv("LATENTSHOP_DEMO_MODELS", kDemo.toUtf8());
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopDemoGui"));
    QSettings().clear();
    qputenv("LATENTSHOP_CACHE_DIR", (QString::fromStdString(lstest::scratchDir()) + QStringLiteral("/cache")).toUtf8());
  }

  void everyToolStartsWithItsDemoModel() {
    Editor e;
    QVERIFY(e.tools);
    const std::pair<ModelSettings*, QString> expected[] = {
        {e.tools->inpaintModel(), kDemo + QStringLiteral("/inpaint")},
        {e.tools->instructModel(), kDemo + QStringLiteral("/instruct")},
        {e.window.findChild<DragPanel*>()->modelSettings(), kDemo + QStringLiteral("/plain")}};
    for (const auto& [settings, path] : expected) {
      QCOMPARE(settings->modelPath(), QDir::cleanPath(path));
      QVERIFY(settings->waitForCheck(30000));
      QVERIFY2(settings->isValid(), qPrintable(settings->validationMessage()));
      QVERIFY(settings->isDemoModel());
    }
    QVERIFY2(e.tools->inpaintMethod()->picker()->statusText().contains(QStringLiteral("Built-in demo")),
             qPrintable(e.tools->inpaintMethod()->picker()->statusText()));
    // The panels start from the guidance each demo folder recommends (its latentshop.json), not SD's 7.5.
    const auto inpaintDefaults = readModelDefaults((kDemo + QStringLiteral("/inpaint")).toStdString());
    const auto instructDefaults = readModelDefaults((kDemo + QStringLiteral("/instruct")).toStdString());
    QVERIFY(inpaintDefaults.guidanceScale && instructDefaults.guidanceScale && instructDefaults.imageGuidanceScale);
    QCOMPARE(e.tools->inpaintMethod()->options().guidanceScale, *inpaintDefaults.guidanceScale);
    QCOMPARE(e.tools->instructPanel()->request().textGuidance, *instructDefaults.guidanceScale);
    QCOMPARE(e.tools->instructPanel()->request().imageGuidance, *instructDefaults.imageGuidanceScale);
    // Choosing "no model" on purpose is remembered: the demo does not come back; the guidance goes
    // back to SD's usual values and returns to the demo's with the demo.
    e.tools->instructModel()->setModelPath(QString());
    ModelSettings again(SdTool::Instruct);
    QVERIFY(again.modelPath().isEmpty());
    QCOMPARE(e.tools->instructPanel()->request().textGuidance, SdInstructRequest{}.textGuidance);
    e.tools->instructModel()->setModelPath(kDemo + QStringLiteral("/instruct"));
    QCOMPARE(e.tools->instructPanel()->request().textGuidance, *instructDefaults.guidanceScale);
    // A guidance the user sets for a model stays with that model across sessions.
    e.tools->inpaintMethod()->setOptions([&] {
      auto o = e.tools->inpaintMethod()->options();
      o.guidanceScale = 3.5;
      return o;
    }());
    e.window.close();  // saves the settings
    Editor reopened;
    QCOMPARE(reopened.tools->inpaintMethod()->options().guidanceScale, 3.5);
  }

  void inpaintInstructAndDragRunWithPreviews() {
    QSettings().clear();  // a first start: every tool on its demo model with its recommended guidance
    Editor e;
    QVERIFY(e.window.openImage(scenePng()));
    Document* doc = e.window.document();

    // Inpaint → Stable Diffusion: "a green square" in the empty right half.
    const QRect hole(64, 32, 64, 64);  // 16×16 at the models' 32 px, the size of the squares they know
    QImage mask = emptyMask(doc->size());
    for (int y = hole.top(); y <= hole.bottom(); ++y) std::fill(mask.scanLine(y) + hole.left(), mask.scanLine(y) + hole.right() + 1, uchar(255));
    doc->replaceMask(mask, QStringLiteral("mask"));
    QVERIFY(e.tools->inpaintModel()->waitForCheck(30000));
    QVERIFY(e.window.inpaintPanel()->setCurrentMethod(QStringLiteral("sd.inpaint")));
    SdInpaintRequest o = e.tools->inpaintMethod()->options();
    o.prompt = "a green square";
    o.steps = 20;
    o.seed = 4;
    e.tools->inpaintMethod()->setOptions(o);
    e.tools->inpaintMethod()->setRandomSeedEachRun(false);
    QTRY_VERIFY(e.window.inpaintPanel()->blockedReason().isEmpty());
    int previews = 0;
    const Layer* layer = runAndWait(e, [&] { return e.window.runInpaint(); }, previews);
    QVERIFY2(layer && layer->pending, qPrintable(e.window.statusText()));
    const double green = greenShare(doc->render(), hole.adjusted(8, 8, -8, -8));
    std::printf("   GUI inpaint \"a green square\": %d previews shown, %.0f %% of the hole green\n", previews, 100 * green);
    QVERIFY(previews >= 1);
    QVERIFY(green >= 0.3);
    e.window.discardResult();  // the instruction below edits the scene as it was
    doc->clearMask();          // ... all of it: with a mask, Instruct changes only the masked region

    // Instruct: "make the circle green" (with the demo's guidance: none, see demo_recipe.h).
    InstructPanel* panel = e.tools->instructPanel();
    panel->seedEdit()->setNewSeedEachRun(false);
    panel->seedEdit()->setSeed(5);
    panel->instructionEdit()->setText(QStringLiteral("make the circle green"));
    QVERIFY(e.tools->instructModel()->waitForCheck(30000));
    QTRY_VERIFY(panel->blockedReason().isEmpty());
    layer = runAndWait(e, [&] { return e.tools->runInstruct(); }, previews);
    QVERIFY2(layer && layer->pending, qPrintable(e.window.statusText()));
    const QRect circle(30, 56, 18, 16);  // inside the circle (centre 38,64, radius 25)
    const double circleGreen = greenShare(doc->render(), circle);
    std::printf("   GUI instruct \"make the circle green\": %d previews shown, %.0f %% of the circle green\n", previews,
                100 * circleGreen);
    QVERIFY(previews >= 1);
    QVERIFY(circleGreen >= 0.5);
    e.window.discardResult();

    // Drag: the circle to the right, with the default options.
    auto* tool = e.window.findChild<DragTool*>();
    auto* dragPanel = e.window.findChild<DragPanel*>();
    QVERIFY(tool && dragPanel);
    tool->setPairs({DragPair{QPointF(38, 64), QPointF(70, 64)}});
    QVERIFY(dragPanel->modelSettings()->waitForCheck(30000));
    QTRY_VERIFY(dragPanel->runButton()->isEnabled());
    layer = runAndWait(e, [&] {
      const quint64 previous = e.window.activeJob();  // 0: the instruction's job has ended
      QTest::mouseClick(dragPanel->runButton(), Qt::LeftButton);
      const quint64 started = e.window.activeJob();
      return started != previous ? started : quint64(0);
    }, previews);
    QVERIFY2(layer && layer->pending, qPrintable(e.window.statusText()));
    std::printf("   GUI drag: %d previews shown\n", previews);
    QVERIFY(previews >= 1);
    QCOMPARE(layer->params.value(QStringLiteral("tool")).toString(), QStringLiteral("drag"));
  }
};

QTEST_MAIN(TestDemoGui)
#include "test_demo_gui.moc"
