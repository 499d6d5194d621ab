// `latentshop-cli inpaint`, run as a separate process: a good run writes the composite (pixels
// outside the grown + feathered mask identical to the input) and a parameters JSON; bad inputs (a
// missing file, a non-image file, a mask of another size, an unknown method or output format)
// exit non-zero with a message naming the file and the problem, and write nothing.
#include <QtTest/QtTest>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/io/image_io.h"
#include "engine/pipelines/mask_ops.h"
#include "support/test_paths.h"

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
  if (!p.waitForFinished(120000)) {
    p.kill();
    r.err = QStringLiteral("timed out");
    return r;
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + QLatin1Char('/') + name; }
QString photo(const char* name) { return QString::fromStdString(lstest::photoPath(name)); }

// A mask for butterfly.jpg (493 x 356): a disc and a scratch.
QString writeMask(const QString& name, cv::Size size) {
  cv::Mat m(size, CV_8UC1, cv::Scalar(0));
  cv::circle(m, cv::Point(size.width / 3, size.height / 2), 12, cv::Scalar(255), cv::FILLED);
  cv::line(m, cv::Point(20, 20), cv::Point(size.width / 2, 60), cv::Scalar(255), 3);
  const QString path = scratch(name);
  cv::imwrite(path.toStdString(), m);
  return path;
}

}  // namespace

class TestCliInpaint : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { QVERIFY2(QFile::exists(QString::fromStdString(lstest::cliPath())), lstest::cliPath().c_str()); }

  void inpaintsAndKeepsOutsidePixels() {
    const QString mask = writeMask(QStringLiteral("mask.png"), cv::Size(493, 356));
    for (const char* method : {"telea", "ns", "patchmatch"}) {
      const QString out = scratch(QStringLiteral("out-%1.png").arg(QLatin1String(method)));
      const QString json = scratch(QStringLiteral("out-%1.json").arg(QLatin1String(method)));
      const Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg"), QStringLiteral("--mask"), mask,
                         QStringLiteral("--method"), QLatin1String(method), QStringLiteral("--grow"), QStringLiteral("2"),
                         QStringLiteral("--feather"), QStringLiteral("5"), QStringLiteral("--radius"), QStringLiteral("4"),
                         QStringLiteral("--out"), out, QStringLiteral("--json"), json});
      QVERIFY2(r.exitCode == 0, qPrintable(r.err));
      QVERIFY(r.out.contains(QStringLiteral("filled")));
      const cv::Mat input = latentshop::readImageRgb(photo("butterfly.jpg").toStdString());
      const cv::Mat result = latentshop::readImageRgb(out.toStdString());
      QCOMPARE(result.cols, input.cols);
      QCOMPARE(result.rows, input.rows);
      const cv::Mat support =
          latentshop::featherSupport(latentshop::growShrinkMask(latentshop::readMask(mask.toStdString()), 2), 5);
      cv::Mat diff;
      cv::absdiff(result, input, diff);
      cv::Mat changed;
      cv::cvtColor(diff, changed, cv::COLOR_RGB2GRAY);
      changed = changed > 0;
      QCOMPARE(cv::countNonZero(changed & ~support), 0);
      QVERIFY(cv::countNonZero(changed & support) > 100);

      QFile f(json);
      QVERIFY(f.open(QIODevice::ReadOnly));
      const QJsonObject params = QJsonDocument::fromJson(f.readAll()).object();
      QCOMPARE(params.value(QStringLiteral("method")).toString(), QStringLiteral("classical.") + QLatin1String(method));
      QCOMPARE(params.value(QStringLiteral("grow_px")).toInt(), 2);
      QCOMPARE(params.value(QStringLiteral("feather_px")).toInt(), 5);
      if (QLatin1String(method) == QLatin1String("patchmatch")) {
        QCOMPARE(params.value(QStringLiteral("seed")).toInt(), 0);
        QCOMPARE(params.value(QStringLiteral("patch_size")).toInt(), 7);
      } else {
        QCOMPARE(params.value(QStringLiteral("radius")).toDouble(), 4.0);
      }
    }
  }

  void removeIsContentAwareAndDeterministic() {
    const QString mask = writeMask(QStringLiteral("mask-remove.png"), cv::Size(493, 356));
    QStringList outs;
    for (const char* seed : {"7", "7", "8"}) {
      outs << scratch(QStringLiteral("remove-%1.png").arg(outs.size()));
      const Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg"), QStringLiteral("--mask"), mask,
                         QStringLiteral("--method"), QStringLiteral("remove"), QStringLiteral("--seed"), QLatin1String(seed),
                         QStringLiteral("--out"), outs.back()});
      QVERIFY2(r.exitCode == 0, qPrintable(r.err));
      QVERIFY2(r.out.contains(QStringLiteral("Content-aware")), qPrintable(r.out));
    }
    const cv::Mat a = latentshop::readImageRgb(outs[0].toStdString()), b = latentshop::readImageRgb(outs[1].toStdString()),
                  c = latentshop::readImageRgb(outs[2].toStdString());
    QCOMPARE(cv::norm(a, b, cv::NORM_INF), 0.0);  // same seed, same fill
    QVERIFY(cv::norm(a, c, cv::NORM_INF) > 0.0);  // the seed is used
    // A keep-out mask of the wrong size is named.
    const QString small = writeMask(QStringLiteral("keep-small.png"), cv::Size(20, 20));
    const Run bad = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg"), QStringLiteral("--mask"), mask,
                         QStringLiteral("--method"), QStringLiteral("remove"), QStringLiteral("--keep-out"), small,
                         QStringLiteral("--out"), scratch(QStringLiteral("never-remove.png"))});
    QVERIFY2(bad.exitCode != 0 && bad.err.contains(QStringLiteral("keep-small.png")), qPrintable(bad.err));
  }

  void inpaintEvalComparesTheMethods() {
    const QString crops = scratch(QStringLiteral("eval-crops"));
    const Run r = cli({QStringLiteral("inpaint-eval"), QStringLiteral("--images"), photo("fruits.jpg"),
                       QStringLiteral("--long-side"), QStringLiteral("240"), QStringLiteral("--areas"), QStringLiteral("0.1"),
                       QStringLiteral("--methods"), QStringLiteral("patchmatch,telea"), QStringLiteral("--crops"), crops});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // "method  n  PSNR  SSIM  detail  seam  seconds", one line per method over the 3 shapes.
    auto row = [&](const QString& method) {
      for (const QString& line : r.out.split(QLatin1Char('\n')))
        if (line.startsWith(method + QLatin1Char(' '))) return line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
      return QStringList();
    };
    const QStringList pm = row(QStringLiteral("patchmatch")), telea = row(QStringLiteral("telea"));
    QVERIFY2(pm.size() == 7 && telea.size() == 7, qPrintable(r.out));
    QCOMPARE(pm[1].toInt(), 3);
    QVERIFY2(pm[4].toDouble() > 2.0 * telea[4].toDouble(), qPrintable(r.out));  // detail: sharp vs smeared
    QCOMPARE(QDir(crops).entryList({QStringLiteral("*.png")}).size(), 3);
    const Run bad = cli({QStringLiteral("inpaint-eval"), QStringLiteral("--images"), photo("fruits.jpg"),
                         QStringLiteral("--methods"), QStringLiteral("lama")});
    QVERIFY2(bad.exitCode != 0 && bad.err.contains(QStringLiteral("lama")), qPrintable(bad.err));
  }

  void missingFilesAreNamed() {
    const QString mask = writeMask(QStringLiteral("mask2.png"), cv::Size(493, 356));
    const QString out = scratch(QStringLiteral("never.png"));
    Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), scratch(QStringLiteral("nope.jpg")), QStringLiteral("--mask"),
                 mask, QStringLiteral("--out"), out});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("nope.jpg")) && r.err.contains(QStringLiteral("no such file")), qPrintable(r.err));
    r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg"), QStringLiteral("--mask"),
             scratch(QStringLiteral("nomask.png")), QStringLiteral("--out"), out});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("nomask.png")) && r.err.contains(QStringLiteral("no such file")), qPrintable(r.err));
    QVERIFY(!QFile::exists(out));
  }

  void nonImageFileIsRejected() {
    const QString text = scratch(QStringLiteral("readme.png"));
    {
      QFile f(text);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("# not an image\n");
    }
    const QString mask = writeMask(QStringLiteral("mask3.png"), cv::Size(493, 356));
    Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), text, QStringLiteral("--mask"), mask, QStringLiteral("--out"),
                 scratch(QStringLiteral("never2.png"))});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("readme.png")) && r.err.contains(QStringLiteral("not an image")), qPrintable(r.err));
    r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg"), QStringLiteral("--mask"), text,
             QStringLiteral("--out"), scratch(QStringLiteral("never2.png"))});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("readme.png")) && r.err.contains(QStringLiteral("not an image")), qPrintable(r.err));
    QVERIFY(!QFile::exists(scratch(QStringLiteral("never2.png"))));
  }

  void maskOfAnotherSizeNamesBothSizes() {
    const QString mask = writeMask(QStringLiteral("small-mask.png"), cv::Size(300, 200));
    const Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg"), QStringLiteral("--mask"), mask,
                       QStringLiteral("--out"), scratch(QStringLiteral("never3.png"))});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("small-mask.png")) && r.err.contains(QStringLiteral("butterfly.jpg")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("300x200")) && r.err.contains(QStringLiteral("493x356")), qPrintable(r.err));
    QVERIFY(!QFile::exists(scratch(QStringLiteral("never3.png"))));
  }

  void badOptionsAreRejected() {
    const QString mask = writeMask(QStringLiteral("mask4.png"), cv::Size(493, 356));
    const QStringList base = {QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg"), QStringLiteral("--mask"), mask};
    Run r = cli(base + QStringList{QStringLiteral("--method"), QStringLiteral("lama"), QStringLiteral("--out"),
                                   scratch(QStringLiteral("never4.png"))});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("--method")), qPrintable(r.err));
    r = cli(base + QStringList{QStringLiteral("--out"), scratch(QStringLiteral("never4.ora"))});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("never4.ora")) && r.err.contains(QStringLiteral("extension")), qPrintable(r.err));
    r = cli(base + QStringList{QStringLiteral("--radius"), QStringLiteral("0"), QStringLiteral("--out"), scratch(QStringLiteral("never4.png"))});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("radius")), qPrintable(r.err));
    r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg")});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("--mask")) || r.err.contains(QStringLiteral("required")), qPrintable(r.err));
    QVERIFY(!QFile::exists(scratch(QStringLiteral("never4.png"))));
  }

  void emptyMaskIsAClearError() {
    cv::imwrite(scratch(QStringLiteral("black.png")).toStdString(), cv::Mat(356, 493, CV_8UC1, cv::Scalar(0)));
    const Run r = cli({QStringLiteral("inpaint"), QStringLiteral("--image"), photo("butterfly.jpg"), QStringLiteral("--mask"),
                       scratch(QStringLiteral("black.png")), QStringLiteral("--out"), scratch(QStringLiteral("never5.png"))});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains(QStringLiteral("nothing is masked")), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestCliInpaint)
#include "test_cli_inpaint.moc"
