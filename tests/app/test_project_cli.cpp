// LATENTSHOP_TEST_LABELS: cli
// `latentshop-cli inpaint ... --project P.ora` as a process: the project holds the original (the
// input photo, pixel for pixel), the mask (a hidden mask layer) and the result (over the filled
// region, with the parameters and the mask), the result selected and the mask the working one;
// --out and --project together agree; bad --project paths and a missing output fail clearly;
// the GUI opens the project with every layer.
#include <QtTest/QtTest>
#include <QProcess>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "app/gui/main_window.h"
#include "engine/core/threads.h"
#include "engine/io/flatten.h"
#include "engine/io/image_io.h"
#include "engine/io/ora_reader.h"
#include "support/test_paths.h"
#include "ui/document/document.h"

using namespace latentshop;

namespace {

struct Run {
  int exitCode = -1;
  QString out;
  QString err;
};

Run cli(const QStringList& args) {
  QProcess p;
  p.start(QString::fromStdString(lstest::cliPath()), args);
  Run r;
  if (!p.waitForFinished(120000)) return r;
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + QLatin1Char('/') + name; }
QString photo() { return QString::fromStdString(lstest::photoPath("butterfly.jpg")); }

QString writeMask(cv::Size size) {
  cv::Mat m(size, CV_8UC1, cv::Scalar(0));
  cv::circle(m, cv::Point(size.width / 3, size.height / 2), 14, cv::Scalar(255), cv::FILLED);
  const QString path = scratch(QStringLiteral("mask.png"));
  cv::imwrite(path.toStdString(), m);
  return path;
}

int maxDiff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a.reshape(1), b.reshape(1), d);
  double mx = 0;
  cv::minMaxLoc(d, nullptr, &mx);
  return int(mx);
}

}  // namespace

class TestProjectCli : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QVERIFY2(QFile::exists(QString::fromStdString(lstest::cliPath())), lstest::cliPath().c_str());
  }

  void inpaintWritesALayeredProject() {
    const cv::Mat input = readImageRgb(photo().toStdString());
    const QString mask = writeMask(input.size());
    const QString project = scratch(QStringLiteral("edit.ora"));
    const QString out = scratch(QStringLiteral("edit.png"));
    const Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo(), QStringLiteral("--mask"), mask,
                       QStringLiteral("--method"), QStringLiteral("ns"), QStringLiteral("--grow"), QStringLiteral("2"),
                       QStringLiteral("--feather"), QStringLiteral("4"), QStringLiteral("--out"), out,
                       QStringLiteral("--project"), project});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const Project p = loadOra(project.toStdString());
    QCOMPARE(p.width, input.cols);
    QCOMPARE(p.height, input.rows);
    QCOMPARE(p.layers.size(), size_t(3));

    const ProjectLayer& original = p.layers[0];
    QCOMPARE(original.kind, LayerKind::Image);
    QCOMPARE(p.meta.originalLayerId, original.id);
    cv::Mat rgb;
    cv::cvtColor(original.rgba, rgb, cv::COLOR_RGBA2RGB);
    QCOMPARE(maxDiff(rgb, input), 0);

    const cv::Mat maskPixels = readMask(mask.toStdString());
    const ProjectLayer& maskLayer = p.layers[1];
    QCOMPARE(maskLayer.kind, LayerKind::Mask);
    QVERIFY(!maskLayer.visible);
    QCOMPARE(maxDiff(maskLayer.mask, maskPixels), 0);

    const ProjectLayer& result = p.layers[2];
    QCOMPARE(result.kind, LayerKind::Result);
    QVERIFY(result.visible);
    QCOMPARE(result.params["method"].get<std::string>(), std::string("classical.ns"));
    QCOMPARE(result.params["grow_px"].get<int>(), 2);
    QCOMPARE(result.params["feather_px"].get<int>(), 4);
    QCOMPARE(result.params["image"].get<std::string>(), photo().toStdString());
    const auto placement = result.params["placement"];
    QCOMPARE(result.x, placement[0].get<int>());
    QCOMPARE(result.y, placement[1].get<int>());
    QCOMPARE(result.rgba.cols, placement[2].get<int>());
    QVERIFY(result.rgba.cols < input.cols);  // only the filled region
    QCOMPARE(maxDiff(result.mask, maskPixels), 0);
    QCOMPARE(p.meta.activeLayerId, result.id);
    QCOMPARE(maxDiff(p.meta.workingMask, maskPixels), 0);
    QCOMPARE(p.meta.sourcePath, photo().toStdString());

    // The project flattened is the --out image (to PNG rounding of the composite weight).
    cv::Mat flat;
    cv::cvtColor(flatten(p), flat, cv::COLOR_RGBA2RGB);
    QVERIFY(maxDiff(flat, readImageRgb(out.toStdString())) <= 1);

    // The GUI opens it with every layer.
    ui::MainWindow w;
    w.setInteractive(false);
    QString error;
    QVERIFY2(w.openImage(project, &error), qPrintable(error));
    QCOMPARE(w.document()->layerCount(), 2);
    QCOMPARE(w.document()->layerAt(1).params.value(QStringLiteral("method")).toString(), QStringLiteral("classical.ns"));
    QCOMPARE(w.document()->activeLayer(), w.document()->layerAt(1).id);
    QVERIFY(!w.document()->maskIsEmpty());
  }

  void projectAlone() {
    const cv::Mat input = readImageRgb(photo().toStdString());
    const QString project = scratch(QStringLiteral("alone.ora"));
    const Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo(), QStringLiteral("--mask"), writeMask(input.size()),
                       QStringLiteral("--project"), project});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QStringLiteral("alone.ora")));
    QCOMPARE(loadOra(project.toStdString()).layers.size(), size_t(3));
  }

  void badOutputs() {
    const cv::Mat input = readImageRgb(photo().toStdString());
    const QString mask = writeMask(input.size());
    Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo(), QStringLiteral("--mask"), mask});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("--out")) && r.err.contains(QStringLiteral("--project")), qPrintable(r.err));
    const QString wrong = scratch(QStringLiteral("edit.psd"));
    r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo(), QStringLiteral("--mask"), mask, QStringLiteral("--project"), wrong});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("edit.psd")) && r.err.contains(QStringLiteral(".ora")), qPrintable(r.err));
    QVERIFY(!QFile::exists(wrong));
    const QString nowhere = scratch(QStringLiteral("no/such/folder/p.ora"));
    r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo(), QStringLiteral("--mask"), mask, QStringLiteral("--project"), nowhere});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("p.ora")), qPrintable(r.err));
  }
};

QTEST_MAIN(TestProjectCli)
#include "test_project_cli.moc"
