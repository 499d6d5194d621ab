// Projects in the editor, offscreen: a document with applied and pending results, masks, drag
// points, parameters, renamed/hidden/translucent layers and a selected layer is saved as .ora and
// reopened in a new window exactly; the title shows the file and the modified marker; a background
// save writes the snapshot it took while editing goes on; exports (flattened PNG with the
// `parameters` chunk, JPEG, WebP, layered PSD read back by ImageMagick, a folder of PNG layers);
// bad project files (truncated zip, missing stack.xml, a missing layer PNG) fail with a clear
// message and leave the open document untouched; closing with unsaved changes asks.
#include <QtTest/QtTest>
#include <QAction>
#include <QListView>
#include <QMessageBox>
#include <QProcess>
#include <QRandomGenerator>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QUndoStack>

#include "app/gui/image_convert.h"
#include "app/gui/main_window.h"
#include "engine/core/threads.h"
#include "engine/io/ora_reader.h"
#include "engine/io/ora_zip.h"
#include "engine/io/png_parameters.h"
#include "support/test_paths.h"
#include "ui/canvas/canvas.h"
#include "ui/canvas/view_transform.h"
#include "ui/document/document.h"
#include "ui/document/mask_image.h"
#include "ui/document/project_convert.h"
#include "ui/panels/classical_method.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/panels/inpaint_method.h"
#include "ui/panels/layers_panel.h"
#include "ui/panels/result_bar.h"
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

void paintRect(Document* doc, const QRect& r) {
  QImage m = emptyMask(doc->size());
  for (int y = r.top(); y <= r.bottom(); ++y) std::fill(m.scanLine(y) + r.left(), m.scanLine(y) + r.right() + 1, uchar(255));
  doc->replaceMask(m, QStringLiteral("Paint"));
}

LayerId inpaint(MainWindow& w, const char* method) {
  QSignalSpy arrived(&w, &MainWindow::resultArrived);
  QSignalSpy finished(&w, &MainWindow::jobFinished);
  w.inpaintPanel()->setCurrentMethod(QString::fromLatin1(method));
  if (!w.runInpaint()) return 0;
  if (!arrived.wait(60000)) return 0;
  if (!finished.count() && !finished.wait(10000)) return 0;
  return arrived.first().first().value<LayerId>();
}

// A 4-entry rewrite of a good project (drop or edit entries).
QString rewritten(const QString& good, const QString& name, const std::function<bool(const std::string&, std::vector<std::uint8_t>&)>& edit) {
  const QString out = scratch(name);
  OraZipReader in(good.toStdString());
  OraZipWriter zip(out.toStdString());
  for (const auto& entry : in.names()) {
    auto bytes = in.read(entry);
    if (edit(entry, bytes)) zip.add(entry, std::move(bytes), entry != "mimetype" && entry.find(".png") == std::string::npos);
  }
  zip.close();
  return out;
}

// The document as the engine sees it; describeProjectDifference says what differs.
Project asProject(const Document& d) { return projectFromContent(d.snapshot()); }

}  // namespace

class TestGuiProject : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopGuiProject"));
    QSettings().clear();
  }

  void saveAndReopenRestoresEverything() {
    const QString photo = copyPhoto("fruits.jpg");
    const QString path = scratch(QStringLiteral("fruits.ora"));
    Project saved;
    {
      MainWindow w;
      w.setInteractive(false);
      QVERIFY(w.openImage(photo));
      Document* doc = w.document();
      paintRect(doc, QRect(60, 60, 40, 30));
      const LayerId first = inpaint(w, "classical.telea");
      QVERIFY(first);
      w.applyResult();
      paintRect(doc, QRect(300, 200, 50, 40));
      const LayerId second = inpaint(w, "classical.ns");  // left pending
      QVERIFY(second && doc->layer(second)->pending);
      doc->renameLayer(first, QStringLiteral("Lime fix \u2713"));
      doc->setLayerOpacity(first, 0.8);
      const LayerId copy = doc->duplicateLayer(first);
      doc->setLayerVisible(copy, false);
      doc->setWorkingPoints({{QPointF(10.5, 20.25), QPointF(40, 50)}}, QStringLiteral("Points"));
      doc->selectLayer(first);
      doc->setModel(QStringLiteral("sd-1.5-inpainting"));
      QVERIFY(w.isWindowModified());
      QString error;
      QVERIFY2(w.saveProject(path, &error), qPrintable(error));
      QVERIFY(!w.isWindowModified());
      QVERIFY(!doc->isModified());
      QCOMPARE(doc->filePath(), path);
      QCOMPARE(w.projectPath(), path);
      QVERIFY(w.windowTitle().startsWith(QStringLiteral("fruits.ora")));
      saved = asProject(*doc);
      QCOMPARE(doc->layerCount(), 3);
      // Another edit: modified again.
      doc->renameLayer(copy, QStringLiteral("Spare"));
      QVERIFY(w.isWindowModified());
    }
    MainWindow w;
    w.setInteractive(false);
    QString error;
    QVERIFY2(w.openImage(path, &error), qPrintable(error));
    const Document* doc = w.document();
    QCOMPARE(describeProjectDifference(asProject(*doc), saved), std::string());
    // Issue 19 item 7: the count matches the Layers panel's rows (three layers and the original).
    QVERIFY2(w.statusText().contains(QStringLiteral("4 layers")), qPrintable(w.statusText()));
    QVERIFY(!doc->isModified());
    QCOMPARE(doc->layerCount(), 3);
    QVERIFY(doc->layerAt(2).pending);  // the pending result is still pending
    QCOMPARE(doc->layerAt(0).name, QStringLiteral("Lime fix \u2713"));
    QCOMPARE(doc->layerAt(0).opacity, 0.8);
    QCOMPARE(doc->layerAt(0).params.value(QStringLiteral("method")).toString(), QStringLiteral("classical.telea"));
    QVERIFY(!doc->layerAt(0).mask.isNull());  // the mask that made it
    QVERIFY(!doc->layerAt(1).visible);
    QCOMPARE(doc->activeLayer(), doc->layerAt(0).id);
    QCOMPARE(doc->workingPoints().size(), 1);
    QCOMPARE(doc->info().model, QStringLiteral("sd-1.5-inpainting"));
    QCOMPARE(doc->maskBounds(), QRect(300, 200, 50, 40));
    QVERIFY(!w.resultBar()->isHidden());  // Apply / Discard are offered again
    QCOMPARE(w.inpaintPanel()->currentMethod()->id(), QStringLiteral("classical.ns"));  // the last method used
  }

  void backgroundSaveWritesItsSnapshot() {
    MainWindow w;
    w.setInteractive(false);
    QVERIFY(w.openImage(copyPhoto("baboon.jpg")));
    Document* doc = w.document();
    Layer l;
    l.name = QStringLiteral("Before");
    l.image = QImage(64, 64, QImage::Format_ARGB32);
    l.image.fill(QColor(255, 0, 0, 128));
    const LayerId id = doc->addLayer(l);
    paintRect(doc, QRect(0, 0, 10, 10));
    const QString path = scratch(QStringLiteral("background.ora"));
    QSignalSpy saved(&w, &MainWindow::projectSaved);
    w.saveProjectInBackground(path);
    // Editing goes on while the worker writes: new name, new pixels, new mask.
    doc->renameLayer(id, QStringLiteral("After"));
    Layer changed = *doc->layer(id);
    changed.image.fill(Qt::blue);  // detaches: the snapshot keeps the red pixels
    doc->replaceLayerNoUndo(doc->indexOf(id), changed);
    paintRect(doc, QRect(20, 20, 5, 5));
    QVERIFY(saved.wait(30000));
    QCOMPARE(saved.first().at(1).toString(), QString());
    QVERIFY(doc->isModified());  // what changed meanwhile is not in the file
    const Project p = loadOra(path.toStdString());
    QCOMPARE(p.layers.back().name, std::string("Before"));
    QCOMPARE(p.layers.back().rgba.at<cv::Vec4b>(5, 5), cv::Vec4b(255, 0, 0, 128));
    QCOMPARE(cv::countNonZero(p.meta.workingMask), 100);
  }

  // The keep-out region: K makes the mask brush paint it (its own undo step, the hole mask
  // untouched), Remove (content-aware) never copies from it, and the project keeps it.
  void keepOutIsPaintedHonouredAndSaved() {
    // Grey noise with one red square: without a keep-out region the fill of a hole beside the square
    // may copy red; with the square kept out it must not.
    QImage img(240, 160, QImage::Format_RGB32);
    QRandomGenerator rng(5);
    for (int y = 0; y < img.height(); ++y)
      for (int x = 0; x < img.width(); ++x) {
        const int g = 110 + int(rng.bounded(40));
        img.setPixel(x, y, qRgb(g, g, g));
      }
    const QRect red(150, 50, 50, 50);
    for (int y = red.top(); y <= red.bottom(); ++y)
      for (int x = red.left(); x <= red.right(); ++x) img.setPixel(x, y, qRgb(220, 30, 30));
    const QString photo = scratch(QStringLiteral("keepout.png"));
    QVERIFY(img.save(photo));

    MainWindow w;
    w.setInteractive(false);
    w.resize(1000, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openImage(photo));
    Document* doc = w.document();
    w.canvas()->setView(ViewTransform(2.0, QPointF(0, 0), w.canvas()->viewport()->devicePixelRatioF()));
    QAction* keepOut = w.action(QStringLiteral("brush.keepOut"));
    QVERIFY(keepOut);
    QCOMPARE(keepOut->shortcut(), QKeySequence(Qt::Key_K));
    keepOut->trigger();
    QVERIFY(w.brushTool()->settings().keepOut);
    QCOMPARE(w.canvas()->tool(), static_cast<Tool*>(w.brushTool()));
    BrushSettings brush = w.brushTool()->settings();
    brush.size = 40;
    brush.hardness = 1.0;
    w.brushTool()->setSettings(brush);
    QWidget* vp = w.canvas()->viewport();
    const auto at = [&](QPointF image) { return w.canvas()->view().imageToWidget(image).toPoint(); };
    // Two strokes across the square cover it (and a margin).
    for (int y : {60, 90}) {
      QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, at({145, double(y)}));
      QTest::mouseMove(vp, at({175, double(y)}));
      QTest::mouseMove(vp, at({205, double(y)}));
      QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, at({205, double(y)}));
    }
    QVERIFY(!doc->keepOutIsEmpty());
    QVERIFY(doc->maskIsEmpty());
    int uncovered = 0;
    for (int y = red.top(); y <= red.bottom(); ++y)
      for (int x = red.left(); x <= red.right(); ++x) uncovered += doc->keepOut().constScanLine(y)[x] <= 127;
    QCOMPARE(uncovered, 0);
    QCOMPARE(doc->undoStack()->undoText(), QStringLiteral("Paint keep-out"));
    doc->undoStack()->undo();
    doc->undoStack()->undo();
    QVERIFY(doc->keepOutIsEmpty());
    doc->undoStack()->redo();
    doc->undoStack()->redo();
    QVERIFY(!doc->keepOutIsEmpty());
    // Back to the hole: the next strokes paint the mask.
    keepOut->trigger();
    QVERIFY(!w.brushTool()->settings().keepOut);
    // The hole covers the square's left part: a fill that may copy from anywhere continues the
    // red square into it; with the square kept out no red source is left.
    const QRect hole(125, 55, 40, 40);
    paintRect(doc, hole);
    QVERIFY(w.inpaintPanel()->setCurrentMethod(QStringLiteral("classical.patchmatch")));
    auto* remove = qobject_cast<ClassicalMethod*>(w.inpaintPanel()->currentMethod());
    QVERIFY(remove);
    remove->setSourceMargin(60);  // "Copy from: within 60 px of the hole" (the square is inside it)
    const LayerId id = inpaint(w, "classical.patchmatch");
    QVERIFY(id);
    const Layer* result = doc->layer(id);
    QVERIFY(result);
    QCOMPARE(result->params.value(QStringLiteral("keep_out")).toBool(), true);
    QCOMPARE(result->params.value(QStringLiteral("source_margin_px")).toInt(), 60);
    int redPixels = 0;
    const QRect inner = hole.adjusted(3, 3, -3, -3);
    for (int y = inner.top(); y <= inner.bottom(); ++y)
      for (int x = inner.left(); x <= inner.right(); ++x) {
        const QPoint q = QPoint(x, y) - result->offset;
        if (!result->image.rect().contains(q)) continue;
        const QRgb p = result->image.pixel(q);
        if (qRed(p) > qGreen(p) + 60) ++redPixels;
      }
    QCOMPARE(redPixels, 0);

    const QString path = scratch(QStringLiteral("keepout.ora"));
    QString error;
    QVERIFY2(w.saveProject(path, &error), qPrintable(error));
    const Project p = loadOra(path.toStdString());
    QCOMPARE(cv::countNonZero(p.meta.keepOutMask), cv::countNonZero(toGrayMat(doc->keepOut())));
    MainWindow again;
    again.setInteractive(false);
    QVERIFY(again.openImage(path));
    QCOMPARE(again.document()->keepOut(), doc->keepOut());
    // Clear keep-out is one undo step.
    again.action(QStringLiteral("mask.clearKeepOut"))->trigger();
    QVERIFY(again.document()->keepOutIsEmpty());
    again.document()->undoStack()->undo();
    QVERIFY(!again.document()->keepOutIsEmpty());
  }

  void exports() {
    MainWindow w;
    w.setInteractive(false);
    QVERIFY(w.openImage(copyPhoto("butterfly.jpg")));
    paintRect(w.document(), QRect(100, 100, 30, 30));
    QVERIFY(inpaint(w, "classical.telea"));
    w.applyResult();
    QString error;
    QStringList written;
    const QString png = scratch(QStringLiteral("flat.png"));
    QVERIFY2(w.exportTo(png, &error, &written), qPrintable(error));
    QCOMPARE(written, QStringList{png});
    const PngParameters params = readPngParameters(png.toStdString());
    QVERIFY(params.a1111.find("classical.telea") != std::string::npos);
    QCOMPARE(params.params["method"].get<std::string>(), std::string("classical.telea"));
    QCOMPARE(QImage(png).size(), w.document()->size());
    QVERIFY(w.document()->isModified());  // an export is not a save
    for (const char* ext : {"jpg", "webp"}) {
      const QString out = scratch(QStringLiteral("flat.%1").arg(QLatin1String(ext)));
      QVERIFY2(w.exportTo(out, &error), qPrintable(error));
      QCOMPARE(QImage(out).size(), w.document()->size());
    }
    const QString psd = scratch(QStringLiteral("layers.psd"));
    QVERIFY2(w.exportTo(psd, &error), qPrintable(error));
    QProcess identify;
    identify.start(QStringLiteral("identify"), {QStringLiteral("-format"), QStringLiteral("%[label]|%w\n"), psd});
    QVERIFY2(identify.waitForFinished(60000) && identify.exitCode() == 0, "ImageMagick's identify is needed");
    const QStringList frames = QString::fromUtf8(identify.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(frames.size(), 3);  // composite + original + result
    QVERIFY2(frames[1].startsWith(QStringLiteral("Original|")), qPrintable(frames.join(QLatin1Char(','))));
    QVERIFY(frames[2].startsWith(QStringLiteral("Inpaint")));
    const QString folder = scratch(QStringLiteral("layer-folder/"));
    QVERIFY2(w.exportTo(folder, &error, &written), qPrintable(error));
    QCOMPARE(written.size(), 2);
    QVERIFY(QFileInfo(written[0]).fileName().startsWith(QStringLiteral("01-Original")));
    QVERIFY(!w.exportTo(scratch(QStringLiteral("x.gif")), &error));
    QVERIFY2(error.contains(QStringLiteral("x.gif")), qPrintable(error));
  }

  void badProjectFilesLeaveTheDocumentUntouched() {
    // A good project to damage.
    const QString good = scratch(QStringLiteral("good.ora"));
    {
      MainWindow w;
      w.setInteractive(false);
      QVERIFY(w.openImage(copyPhoto("home.jpg")));
      paintRect(w.document(), QRect(10, 10, 20, 20));
      QVERIFY(inpaint(w, "classical.telea"));
      QVERIFY(w.saveProject(good));
    }
    QFile in(good);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray bytes = in.readAll();
    in.close();
    const QString truncated = scratch(QStringLiteral("truncated.ora"));
    QFile out(truncated);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes.left(bytes.size() / 2));
    out.close();
    const QString noStack = rewritten(good, QStringLiteral("nostack.ora"), [](const std::string& n, auto&) { return n != "stack.xml"; });
    const QString noLayer =
        rewritten(good, QStringLiteral("nolayer.ora"), [](const std::string& n, auto&) { return n != "data/layer-001.png"; });

    MainWindow w;
    w.setInteractive(false);
    const QString photo = copyPhoto("messi5.jpg");
    QVERIFY(w.openImage(photo));
    Document* doc = w.document();
    paintRect(doc, QRect(5, 5, 8, 8));
    Layer l;
    l.name = QStringLiteral("Mine");
    l.image = QImage(8, 8, QImage::Format_ARGB32);
    l.image.fill(Qt::green);
    doc->addLayer(l);
    const Project before = asProject(*doc);
    const int steps = doc->undoStack()->count();
    const struct {
      QString path;
      const char* fragment;
    } cases[] = {{truncated, "truncated"}, {noStack, "stack.xml is missing"}, {noLayer, "data/layer-001.png"}};
    for (const auto& c : cases) {
      QString error;
      QVERIFY(!w.openImage(c.path, &error));
      QVERIFY2(error.contains(QFileInfo(c.path).fileName()) && error.contains(QLatin1String(c.fragment)), qPrintable(error));
      QVERIFY(w.statusText().contains(QFileInfo(c.path).fileName()));
      QCOMPARE(describeProjectDifference(asProject(*doc), before), std::string());
      QCOMPARE(doc->undoStack()->count(), steps);
      QCOMPARE(doc->filePath(), QFileInfo(photo).absoluteFilePath());
      QVERIFY(doc->isModified());
    }
  }

  void layerMenuAndKeys() {
    MainWindow w;
    w.setInteractive(false);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openImage(copyPhoto("baboon.jpg")));
    Document* doc = w.document();
    Layer l;
    l.name = QStringLiteral("Base");
    l.image = QImage(32, 32, QImage::Format_ARGB32);
    l.image.fill(Qt::red);
    const LayerId base = doc->addLayer(l);
    w.action(QStringLiteral("layer.duplicate"))->trigger();
    QCOMPARE(doc->layerCount(), 2);
    QVERIFY(w.action(QStringLiteral("layer.mergeDown"))->isEnabled());
    w.action(QStringLiteral("layer.mergeDown"))->trigger();
    QCOMPARE(doc->layerCount(), 1);
    QCOMPARE(doc->activeLayer(), base);
    doc->addPendingResult(QImage(8, 8, QImage::Format_ARGB32), QPoint(), QStringLiteral("Pending"), {});
    QVERIFY(w.action(QStringLiteral("result.discard"))->isEnabled());  // its shortcut is Delete too
    // Delete in the layers list deletes the selected layer, not the pending result.
    doc->selectLayer(base);
    QListView* list = w.layersPanel()->view();
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Delete);
    QCOMPARE(doc->layerCount(), 1);
    QVERIFY(doc->hasPendingResult());
    QVERIFY(!doc->layer(base));
  }

  void closingWithUnsavedChangesAsks() {
    auto* w = new MainWindow;  // interactive: the question is a real dialog
    w->setAttribute(Qt::WA_DeleteOnClose, false);
    QVERIFY(w->openImage(copyPhoto("fruits.jpg")));
    w->show();
    paintRect(w->document(), QRect(1, 1, 4, 4));
    const auto answer = [](QMessageBox::StandardButton button) {
      QTimer::singleShot(100, [button] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (box) box->button(button)->click();
      });
    };
    answer(QMessageBox::Cancel);
    QVERIFY(!w->close());
    QVERIFY(w->isVisible());
    QVERIFY(w->document()->isModified());
    answer(QMessageBox::Discard);
    QVERIFY(w->close());
    delete w;
  }
};

QTEST_MAIN(TestGuiProject)
#include "test_gui_project.moc"
