// LATENTSHOP_TEST_LABELS: cli
// `latentshop-cli export P.ora --to OUT` run as a process: every output kind (flattened PNG / JPEG /
// WebP, layered PSD, ORA copy, layer folder by trailing '/', by existing folder, by a new path
// without extension) and the bad-input cases (missing project, not a project, truncated project,
// unsupported extension, missing --to, missing output folder), each with exit code 1 (CLI11 usage
// errors: non-zero), a message naming the file, and no output left behind.
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStringList>
#include <QtTest/QtTest>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "support/test_paths.h"
#include "engine/test_project_fixtures.h"
#include "engine/io/flatten.h"
#include "engine/io/ora_reader.h"
#include "engine/io/ora_writer.h"
#include "engine/io/png_parameters.h"
#include "engine/io/png_text_codec.h"

using namespace latentshop;
namespace fs = std::filesystem;

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

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + "/" + name; }

std::string s(const QString& q) { return q.toStdString(); }

}  // namespace

class TestCliExport : public QObject {
  Q_OBJECT
private:
  Project project_;
  QString ora_;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY2(QFileInfo::exists(QString::fromStdString(lstest::cliPath())), lstest::cliPath().c_str());
    project_ = lstest::sampleProject();
    ora_ = scratch("project.ora");
    saveOra(project_, s(ora_));
  }

  void flattenedPng() {
    const Run r = cli({"export", ora_, "--to", scratch("flat.png")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("flat.png"));
    const DecodedPng png = readPngFile(s(scratch("flat.png")), PngPixels::Rgba);
    QCOMPARE(lstest::maxAbsDiff(png.image, flatten(project_)), 0);
    QCOMPARE(parametersFromText(png.text, "flat.png").params, project_.layers[1].params);
  }

  void flattenedJpegAndWebp() {
    for (const char* name : {"flat.jpg", "flat.JPEG", "flat.webp"}) {
      const Run r = cli({"export", ora_, "--to", scratch(name), "--jpeg-quality", "90"});
      QVERIFY2(r.exitCode == 0, qPrintable(r.err));
      const cv::Mat img = cv::imread(s(scratch(name)), cv::IMREAD_UNCHANGED);
      QVERIFY2(!img.empty(), qPrintable(name));
      QCOMPARE(img.size(), cv::Size(project_.width, project_.height));
      // JPEG has no alpha; libwebp drops an all-opaque alpha channel (the sample's original is opaque).
      QCOMPARE(img.channels(), 3);
    }
  }

  void layeredPsd() {
    const Run r = cli({"export", ora_, "--to", scratch("layers.psd")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QProcess identify;
    identify.start("identify", {"-format", "%[label]\n", scratch("layers.psd")});
    QVERIFY2(identify.waitForFinished(60000) && identify.exitCode() == 0, "ImageMagick's identify is needed");
    const QStringList labels = QString::fromUtf8(identify.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(labels.size(), static_cast<qsizetype>(project_.layers.size()));  // frame 0 (composite) has no label
    QCOMPARE(s(labels.first()), project_.layers[0].name);
  }

  void oraCopy() {
    const Run r = cli({"export", ora_, "--to", scratch("copy.ora")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(describeProjectDifference(project_, loadOra(s(scratch("copy.ora")))).empty());
  }

  void layerFolders() {
    QDir().mkpath(scratch("existing"));
    for (const QString& out : {scratch("slash/"), scratch("existing"), scratch("newfolder")}) {
      const Run r = cli({"export", ora_, "--to", out});
      QVERIFY2(r.exitCode == 0, qPrintable(r.err));
      const QStringList files = QDir(out).entryList({"*.png"}, QDir::Files, QDir::Name);
      QCOMPARE(files.size(), static_cast<qsizetype>(project_.layers.size()));
      QCOMPARE(files.first(), QString("01-Original photo.png"));
      QCOMPARE(r.out.split('\n', Qt::SkipEmptyParts).size(), files.size());
    }
  }

  void missingProject() {
    const Run r = cli({"export", scratch("nope.ora"), "--to", scratch("never1.png")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("nope.ora: no such file"), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(scratch("never1.png")));
  }

  void notAProject() {
    lstest::writeBytes(s(scratch("photo.png")), encodePng(lstest::randomImage(8, 8, CV_8UC3, 1)));
    Run r = cli({"export", scratch("photo.png"), "--to", scratch("never2.png")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("photo.png: not a zip archive"), qPrintable(r.err));
    auto bytes = lstest::readBytes(s(ora_));
    bytes.resize(bytes.size() / 2);
    lstest::writeBytes(s(scratch("half.ora")), bytes);
    r = cli({"export", scratch("half.ora"), "--to", scratch("never2.png")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("half.ora: not a zip archive, or truncated"), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(scratch("never2.png")));
  }

  void unsupportedExtension() {
    const Run r = cli({"export", ora_, "--to", scratch("out.gif")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("out.gif: unsupported export format '.gif'"), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(scratch("out.gif")));
  }

  void missingOutputFolder() {
    const Run r = cli({"export", ora_, "--to", scratch("no/such/dir/out.png")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("does not exist"), qPrintable(r.err));
  }

  void usageErrors() {
    Run r = cli({"export", ora_});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("--to"), qPrintable(r.err));
    r = cli({"export", ora_, "--to", scratch("q.jpg"), "--jpeg-quality", "300"});
    QVERIFY(r.exitCode != 0);
    QVERIFY(!QFileInfo::exists(scratch("q.jpg")));
  }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "test_cli_export.moc"
