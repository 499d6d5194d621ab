// `latentshop-cli drag`, run as a separate process with a tiny SD 1.x-shaped model: a good run writes
// an image of the input's size (pixels away from the movable region identical to the input), the
// parameters JSON and an .ora project whose result layer carries the points; bad inputs (an empty,
// malformed or out-of-image point list, a mask of another size, a missing image, an unknown output
// format, a model folder that is not one) exit 1 with a message naming the problem and write nothing.
// LATENTSHOP_TEST_TIMEOUT: 900
#include <QtTest/QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/io/image_io.h"
#include "engine/io/ora_reader.h"
#include "engine/test_drag_support.h"
#include "support/test_paths.h"

namespace {

struct Run {
  int exitCode = -1;
  QString out;
  QString err;
};

Run cli(const QStringList& args) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("LATENTSHOP_CACHE_DIR"), QString::fromStdString(lstest::scratchDir()) + QStringLiteral("/cache"));
  p.setProcessEnvironment(env);
  p.start(QString::fromStdString(lstest::cliPath()), args);
  Run r;
  if (!p.waitForFinished(600000)) {
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

QString writeMask(const QString& name, cv::Size size, cv::Point centre, int radius) {
  cv::Mat m(size, CV_8UC1, cv::Scalar(0));
  cv::circle(m, centre, radius, cv::Scalar(255), cv::FILLED);
  const QString path = scratch(name);
  cv::imwrite(path.toStdString(), m);
  return path;
}

}  // namespace

class TestDragCli : public QObject {
  Q_OBJECT
private:
  QString model_;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY2(QFile::exists(QString::fromStdString(lstest::cliPath())), lstest::cliPath().c_str());
    model_ = QString::fromStdString(lstest::makeDragModelFolder("drag-cli-model"));
  }

  void dragsAPhoto() {
    const QString mask = writeMask(QStringLiteral("mask.png"), cv::Size(512, 480), cv::Point(220, 224), 40);
    const QString out = scratch(QStringLiteral("dragged.png"));
    const QString json = scratch(QStringLiteral("dragged.json"));
    const QString project = scratch(QStringLiteral("dragged.ora"));
    const Run r = cli({QStringLiteral("drag"), QStringLiteral("--model"), model_, QStringLiteral("--image"), photo("fruits.jpg"),
                       QStringLiteral("--points"), QStringLiteral("200,220>236,228"), QStringLiteral("--mask"), mask,
                       QStringLiteral("--prompt"), QStringLiteral("fruits"), QStringLiteral("--lora-steps"), QStringLiteral("1"),
                       QStringLiteral("--steps"), QStringLiteral("3"), QStringLiteral("--working-size"), QStringLiteral("64"),
                       QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--out"), out, QStringLiteral("--json"), json,
                       QStringLiteral("--project"), project});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("Drag:")), qPrintable(r.out));
    const cv::Mat input = latentshop::readImageRgb(photo("fruits.jpg").toStdString());
    const cv::Mat result = latentshop::readImageRgb(out.toStdString());
    QCOMPARE(result.size(), input.size());
    // Far from the movable region (beyond grow + feather) the pixels are the input's.
    cv::Mat far(input.size(), CV_8UC1, cv::Scalar(255));
    cv::circle(far, cv::Point(220, 224), 40 + 40, cv::Scalar(0), cv::FILLED);
    cv::Mat diff, grey;
    cv::absdiff(result, input, diff);
    cv::cvtColor(diff, grey, cv::COLOR_RGB2GRAY);
    QCOMPARE(cv::countNonZero(grey & far), 0);
    QVERIFY(cv::countNonZero(grey) > 0);

    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject params = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(params.value(QStringLiteral("tool")).toString(), QStringLiteral("drag"));
    QCOMPARE(params.value(QStringLiteral("points")).toArray().at(0).toArray(), (QJsonArray{200, 220, 236, 228}));
    QCOMPARE(params.value(QStringLiteral("lora")).toObject().value(QStringLiteral("source")).toString(), QStringLiteral("trained"));
    QCOMPARE(params.value(QStringLiteral("params")).toObject().value(QStringLiteral("drag_steps")).toInt(), 3);
    QCOMPARE(params.value(QStringLiteral("params")).toObject().value(QStringLiteral("seed")).toInt(), 3);

    const auto proj = latentshop::loadOra(project.toStdString());
    bool found = false;
    for (const auto& layer : proj.layers) {
      if (layer.points.empty() || layer.params.value("tool", "") != "drag") continue;
      QCOMPARE(layer.points.size(), std::size_t{1});
      QCOMPARE(layer.points[0].handle, cv::Point2f(200, 220));
      QCOMPARE(layer.points[0].target, cv::Point2f(236, 228));
      found = true;
    }
    QVERIFY(found);

    // The same drag again hits the LoRA cache on disk (another process).
    const Run again = cli({QStringLiteral("drag"), QStringLiteral("--model"), model_, QStringLiteral("--image"), photo("fruits.jpg"),
                           QStringLiteral("--points"), QStringLiteral("200,220>236,228"), QStringLiteral("--mask"), mask,
                           QStringLiteral("--prompt"), QStringLiteral("fruits"), QStringLiteral("--lora-steps"), QStringLiteral("1"),
                           QStringLiteral("--steps"), QStringLiteral("3"), QStringLiteral("--working-size"), QStringLiteral("64"),
                           QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--out"), scratch(QStringLiteral("again.png"))});
    QVERIFY2(again.exitCode == 0, qPrintable(again.err));
    QVERIFY2(again.out.contains(QStringLiteral("LoRA cache")), qPrintable(again.out));
    QVERIFY(!again.err.contains(QStringLiteral("Training LoRA")));
  }

  void badInputs() {
    const QString out = scratch(QStringLiteral("bad.png"));
    const QString wrongMask = writeMask(QStringLiteral("small-mask.png"), cv::Size(100, 100), cv::Point(50, 50), 20);
    struct Case {
      QStringList extra;
      QString expected;
    };
    const QList<Case> cases = {
        {{QStringLiteral("--points"), QString()}, QStringLiteral("the list is empty")},
        {{QStringLiteral("--points"), QStringLiteral(" ; ")}, QStringLiteral("the list is empty")},
        {{QStringLiteral("--points"), QStringLiteral("10,10>20")}, QStringLiteral("pair 1 \"10,10>20\" is not \"x,y>x,y\"")},
        {{QStringLiteral("--points"), QStringLiteral("10,10>20,20;5,5")}, QStringLiteral("pair 2")},
        {{QStringLiteral("--points"), QStringLiteral("10,10>600,20")},
         QStringLiteral("target of pair 1 (600, 20) lies outside the 512x480 image")},
        {{QStringLiteral("--points"), QStringLiteral("10,-1>20,20")}, QStringLiteral("handle of pair 1 (10, -1) lies outside")},
        {{QStringLiteral("--points"), QStringLiteral("10,10>20,20"), QStringLiteral("--mask"), wrongMask},
         QStringLiteral("size 100x100 differs from the image")},
    };
    for (const Case& c : cases) {
      QStringList args = {QStringLiteral("drag"), QStringLiteral("--model"), model_, QStringLiteral("--image"),
                          photo("fruits.jpg"), QStringLiteral("--out"), out};
      args += c.extra;
      const Run r = cli(args);
      QCOMPARE(r.exitCode, 1);
      QVERIFY2(r.err.contains(c.expected), qPrintable(c.expected + QStringLiteral(" not in: ") + r.err));
      QVERIFY(!QFile::exists(out));
    }
    Run r = cli({QStringLiteral("drag"), QStringLiteral("--model"), model_, QStringLiteral("--image"), scratch(QStringLiteral("none.jpg")),
                 QStringLiteral("--points"), QStringLiteral("1,1>2,2"), QStringLiteral("--out"), out});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("none.jpg")), qPrintable(r.err));
    r = cli({QStringLiteral("drag"), QStringLiteral("--model"), model_, QStringLiteral("--image"), photo("fruits.jpg"),
             QStringLiteral("--points"), QStringLiteral("1,1>2,2"), QStringLiteral("--out"), scratch(QStringLiteral("bad.xyz"))});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("unknown image extension")), qPrintable(r.err));
    r = cli({QStringLiteral("drag"), QStringLiteral("--model"), scratch(QStringLiteral("no-model")), QStringLiteral("--image"),
             photo("fruits.jpg"), QStringLiteral("--points"), QStringLiteral("1,1>20,20"), QStringLiteral("--out"), out});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("no-model")), qPrintable(r.err));
    QVERIFY(!QFile::exists(out));
  }
};

QTEST_GUILESS_MAIN(TestDragCli)
#include "test_drag_cli.moc"
