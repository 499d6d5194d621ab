// LATENTSHOP_TEST_LABELS: models;cli
// LATENTSHOP_TEST_EXTRA_SOURCES: support/hub_test_server.cpp
// Installing models from inside the app (issue 18): the downloader, `latentshop-cli models` and the
// model manager dialog against a real HTTP server on 127.0.0.1 that serves a Hub-like listing and
// files with Range, and misbehaves as networks do: a connection dropped mid-file resumes, a wrong
// checksum or a 404 is refused with nothing left behind, a slow link leaves the UI responsive and
// can be paused and resumed, a gated repository needs the token; no loader ever sees a half model.
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenuBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QtTest/QtTest>

#include "app/download/model_downloader.h"
#include "app/gui/main_window.h"
#include "app/gui/model_manager_dialog.h"
#include "engine/core/threads.h"
#include "support/cli_run.h"
#include "support/hub_test_server.h"
#include "support/test_paths.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/model_settings.h"

using namespace latentshop;
using namespace latentshop::ui;

namespace {

const QString kRepo = QStringLiteral("test/tiny-sd");

QByteArray randomBytes(int n, quint32 seed) {
  QByteArray b(n, Qt::Uninitialized);
  QRandomGenerator rng(seed);
  for (int i = 0; i < n; ++i) b[i] = char(rng.bounded(256));
  return b;
}

// A repository in diffusers layout with what a real one has besides: a pickle, an fp32 and an fp16
// copy of the UNet, files no tool needs.
struct TinyRepo {
  QMap<QString, QByteArray> files;
  TinyRepo() {
    files[QStringLiteral("model_index.json")] = R"({"_class_name": "StableDiffusionPipeline"})";
    files[QStringLiteral("unet/config.json")] = R"({"in_channels": 4})";
    files[QStringLiteral("unet/diffusion_pytorch_model.safetensors")] = randomBytes(600'000, 1);
    files[QStringLiteral("unet/diffusion_pytorch_model.fp16.safetensors")] = randomBytes(1'500'000, 2);
    files[QStringLiteral("unet/diffusion_pytorch_model.bin")] = randomBytes(1000, 3);
    files[QStringLiteral("tokenizer/vocab.json")] = R"({"a</w>": 0})";
    files[QStringLiteral("README.md")] = "# tiny";
  }
  void serve(lstest::HubTestServer& s) const {
    for (auto it = files.begin(); it != files.end(); ++it)
      s.addFile(it.key(), it.value(), it.key().endsWith(QStringLiteral(".safetensors")) || it.key().endsWith(QStringLiteral(".bin")));
  }
};

const QString kWeights = QStringLiteral("unet/diffusion_pytorch_model.fp16.safetensors");

ManifestModel tinyModel() {
  ManifestModel m;
  m.id = "tiny";
  m.name = "Tiny SD";
  m.repo = kRepo.toStdString();
  m.kind = "plain";
  m.licence = "mit";
  m.variant = "fp16";
  m.sizeGb = 0.002;
  m.files = {"model_index.json", "unet/config.json", "unet/diffusion_pytorch_model*.safetensors", "tokenizer/*"};
  m.uses = {"inpaint"};
  return m;
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList filesUnder(const QString& dir) {
  QStringList out;
  QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) out << QDir(dir).relativeFilePath(it.next());
  out.sort();
  return out;
}

struct Outcome {
  QString folder, error;
  bool ended = false;
};

// Starts `d` on `model` and waits until it installs or fails.
Outcome runDownload(ModelDownloader& d, const ManifestModel& model, int timeoutMs = 60000) {
  Outcome o;
  QObject guard;
  QObject::connect(&d, &ModelDownloader::installed, &guard, [&](const QString& f) { o.folder = f, o.ended = true; });
  QObject::connect(&d, &ModelDownloader::failed, &guard, [&](const QString& e) { o.error = e, o.ended = true; });
  d.start(model);
  if (!QTest::qWaitFor([&] { return o.ended; }, timeoutMs)) o.error = QStringLiteral("timed out: no install, no failure");
  return o;
}

DownloadSettings settingsFor(const QString& endpoint, const QString& modelsDir) {
  DownloadSettings s;
  s.endpoint = endpoint;
  s.modelsDir = modelsDir;
  s.retryDelayMs = 50;
  s.stallTimeoutMs = 5000;
  return s;
}

// Starts `server` and installs the tiny model from it into `modelsDir`.
Outcome installTiny(lstest::HubTestServer& server, const QString& modelsDir) {
  ModelDownloader d(settingsFor(server.start(), modelsDir));
  return runDownload(d, tinyModel());
}

void expectInstalledExactly(const TinyRepo& repo, const QString& folder) {
  const QStringList want{QStringLiteral("latentshop-install.json"), QStringLiteral("model_index.json"),
                         QStringLiteral("tokenizer/vocab.json"), QStringLiteral("unet/config.json"), kWeights};
  QCOMPARE(filesUnder(folder), want);
  for (const QString& f : want)
    if (!f.startsWith(QStringLiteral("latentshop-install"))) QVERIFY2(readAll(folder + QLatin1Char('/') + f) == repo.files[f], qPrintable(f));
}

}  // namespace

class TestModelDownload : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopModelDownload"));
    QSettings().clear();
  }

  void installsTheRightFilesAndNothingShowsUntilComplete() {
    TinyRepo repo;
    lstest::HubTestServer server(kRepo);
    repo.serve(server);
    server.slow(kWeights, 3'000'000);  // about half a second: long enough to look during it
    const QString endpoint = server.start();
    QTemporaryDir models;
    ModelDownloader d(settingsFor(endpoint, models.path()));
    bool sawHalfModel = false, sawPart = false;
    QTimer look;
    QObject::connect(&look, &QTimer::timeout, [&] {
      if (d.isRunning()) sawHalfModel |= !ModelSettings::modelsInFolder(models.path()).isEmpty();
      sawPart |= QFileInfo::exists(models.path() + QStringLiteral("/.tiny.download/") + kWeights + QStringLiteral(".part"));
    });
    look.start(20);
    const Outcome o = runDownload(d, tinyModel());
    look.stop();
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    QCOMPARE(o.folder, models.path() + QStringLiteral("/tiny"));
    expectInstalledExactly(repo, o.folder);
    QVERIFY2(sawPart, "the weights were written to a .part file first");
    QVERIFY2(!sawHalfModel, "a loader could see the model before it was complete");
    QCOMPARE(ModelSettings::modelsInFolder(models.path()), QStringList{o.folder});
    QVERIFY(!QFileInfo::exists(models.path() + QStringLiteral("/.tiny.download")));
    // Never the pickle, never the fp32 copy when the fp16 one exists, nothing the manifest omits.
    QCOMPARE(server.requestsFor(QStringLiteral("unet/diffusion_pytorch_model.bin")), 0);
    QCOMPARE(server.requestsFor(QStringLiteral("unet/diffusion_pytorch_model.safetensors")), 0);
    QCOMPARE(server.requestsFor(QStringLiteral("README.md")), 0);
    // Installing again is refused: the folder is there.
    ModelDownloader again(settingsFor(endpoint, models.path()));
    const Outcome twice = runDownload(again, tinyModel());
    QVERIFY2(twice.error.contains(QStringLiteral("already installed")), qPrintable(twice.error));
  }

  // The Hub pages long listings (Link: rel="next"): every page is read before files are chosen, and
  // a next page on another host is refused (the token would travel there).
  void aListingInPagesIsReadToTheEnd() {
    TinyRepo repo;
    lstest::HubTestServer server(kRepo);
    repo.serve(server);
    server.paginate(2);  // 7 files and 2 folders: 5 pages
    QTemporaryDir models;
    const Outcome o = installTiny(server, models.path());
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    expectInstalledExactly(repo, o.folder);
    QCOMPARE(server.listingRequests(), 5);

    lstest::HubTestServer hostile(kRepo);
    repo.serve(hostile);
    hostile.paginate(3, QStringLiteral("elsewhere.invalid"));
    QTemporaryDir models2;
    const Outcome refused = installTiny(hostile, models2.path());
    QVERIFY2(refused.error.contains(QStringLiteral("another host")), qPrintable(refused.error));
    QCOMPARE(hostile.listingRequests(), 1);
    QVERIFY(ModelSettings::modelsInFolder(models2.path()).isEmpty());
  }

  void aDroppedConnectionResumesWithRange() {
    for (const bool serverIgnoresRange : {false, true}) {
      TinyRepo repo;
      lstest::HubTestServer server(kRepo);
      repo.serve(server);
      server.dropAfter(kWeights, 400'000, 2);  // two drops in a row
      server.ignoreRange(serverIgnoresRange);
      const QString endpoint = server.start();
      QTemporaryDir models;
      ModelDownloader d(settingsFor(endpoint, models.path()));
      const Outcome o = runDownload(d, tinyModel());
      QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
      expectInstalledExactly(repo, o.folder);
      // The resumes ask for the rest, from what the .part holds (Qt itself may also resend a request
      // whose connection closed early, so the count of requests varies).
      QStringList ranges;
      for (const auto& r : server.requests())
        if (r.path.endsWith(kWeights) && !r.range.isEmpty()) ranges << QString::fromLatin1(r.range);
      QVERIFY2(!ranges.isEmpty(), "a dropped transfer was resumed with Range");
      for (const QString& r : ranges)
        QVERIFY2(r == QStringLiteral("bytes=400000-") || r == QStringLiteral("bytes=800000-"), qPrintable(r));
    }
  }

  void aWrongChecksumOrAMissingFileLeavesNothing() {
    for (const bool wrongSha : {true, false}) {
      TinyRepo repo;
      lstest::HubTestServer server(kRepo);
      repo.serve(server);
      if (wrongSha) server.listWrongSha(kWeights);
      else server.missing(kWeights);
      const QString endpoint = server.start();
      QTemporaryDir models;
      ModelDownloader d(settingsFor(endpoint, models.path()));
      const Outcome o = runDownload(d, tinyModel());
      QVERIFY(o.folder.isEmpty());
      QVERIFY2(o.error.contains(kWeights), qPrintable(o.error));
      QVERIFY2(o.error.contains(wrongSha ? QStringLiteral("sha256") : QStringLiteral("404")), qPrintable(o.error));
      QVERIFY(!QFileInfo::exists(models.path() + QStringLiteral("/tiny")));
      QVERIFY(ModelSettings::modelsInFolder(models.path()).isEmpty());
      const QStringList left = filesUnder(models.path());
      for (const QString& f : left) QVERIFY2(!f.endsWith(kWeights) && !f.endsWith(kWeights + QStringLiteral(".part")), qPrintable(f));
    }
  }

  void aSlowLinkKeepsTheUiResponsiveAndPausesAndResumes() {
    TinyRepo repo;
    lstest::HubTestServer server(kRepo);
    repo.serve(server);
    server.slow(kWeights, 1'000'000);
    const QString endpoint = server.start();
    QTemporaryDir models;
    ModelDownloader d(settingsFor(endpoint, models.path()));
    // The event loop's longest gap while bytes arrive: what a user would feel.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worstGap = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
      worstGap = std::max(worstGap, clock.elapsed() - last);
      last = clock.elapsed();
    });
    tick.start(10);
    d.start(tinyModel());
    const QString part = models.path() + QStringLiteral("/.tiny.download/") + kWeights + QStringLiteral(".part");
    QVERIFY(QTest::qWaitFor([&] { return QFileInfo(part).size() > 300'000; }, 20000));
    QSignalSpy paused(&d, &ModelDownloader::paused);
    d.pause();
    QCOMPARE(paused.count(), 1);
    QVERIFY(!d.isRunning());
    const qint64 kept = QFileInfo(part).size();
    QTest::qWait(300);
    QCOMPARE(QFileInfo(part).size(), kept);  // nothing arrives while paused
    QVERIFY(ModelSettings::modelsInFolder(models.path()).isEmpty());
    std::printf("   paused at %lld of %lld bytes; event loop's worst gap %lld ms\n", kept,
                qint64(repo.files[kWeights].size()), worstGap);
    QVERIFY2(worstGap < 250, qPrintable(QStringLiteral("the GUI thread stalled %1 ms").arg(worstGap)));
    const Outcome o = runDownload(d, tinyModel());
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    expectInstalledExactly(repo, o.folder);
    const auto log = server.requests();
    QVERIFY(std::any_of(log.begin(), log.end(), [&](const lstest::HubRequest& r) {
      return r.path.endsWith(kWeights) && r.range == "bytes=" + QByteArray::number(kept) + "-";
    }));
  }

  void cancelRemovesThePartialDownload() {
    TinyRepo repo;
    lstest::HubTestServer server(kRepo);
    repo.serve(server);
    server.slow(kWeights, 500'000);
    const QString endpoint = server.start();
    QTemporaryDir models;
    ModelDownloader d(settingsFor(endpoint, models.path()));
    d.start(tinyModel());
    const QString part = models.path() + QStringLiteral("/.tiny.download/") + kWeights + QStringLiteral(".part");
    QVERIFY(QTest::qWaitFor([&] { return QFileInfo(part).size() > 50'000; }, 20000));
    QSignalSpy cancelled(&d, &ModelDownloader::cancelled);
    d.cancel();
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(filesUnder(models.path()).isEmpty());
  }

  void aGatedRepositoryNeedsTheToken() {
    TinyRepo repo;
    lstest::HubTestServer server(kRepo);
    repo.serve(server);
    server.requireToken("hf_secret");
    const QString endpoint = server.start();
    QTemporaryDir models;
    ModelDownloader without(settingsFor(endpoint, models.path()));
    const Outcome refused = runDownload(without, tinyModel());
    QVERIFY2(refused.error.contains(QStringLiteral("401")) && refused.error.contains(QStringLiteral("token")), qPrintable(refused.error));
    DownloadSettings s = settingsFor(endpoint, models.path());
    s.token = QStringLiteral("hf_secret");
    ModelDownloader with(s);
    const Outcome o = runDownload(with, tinyModel());
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    expectInstalledExactly(repo, o.folder);
  }

  void theCliListsInstallsAndRemoves() {
    TinyRepo repo;
    lstest::HubTestServer server(kRepo);
    repo.serve(server);
    server.dropAfter(kWeights, 700'000, 1);
    const QString endpoint = server.start();
    QTemporaryDir dir;
    const QString manifest = dir.filePath(QStringLiteral("manifest.json"));
    QJsonObject entry{{"id", "tiny"}, {"name", "Tiny SD"}, {"repo", kRepo}, {"kind", "plain"}, {"licence", "mit"},
                      {"licence_url", "https://example.invalid/licence"}, {"size_gb", 0.002}, {"variant", "fp16"},
                      {"uses", QJsonArray{"inpaint"}},
                      {"files", QJsonArray{"model_index.json", "unet/config.json", "unet/diffusion_pytorch_model*.safetensors", "tokenizer/*"}}};
    QFile f(manifest);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(QJsonObject{{"format", 1}, {"models", QJsonArray{entry}}}).toJson());
    f.close();
    const std::string models = dir.filePath(QStringLiteral("models")).toStdString();
    const std::string common = " --manifest '" + manifest.toStdString() + "' --models-dir '" + models + "'";

    auto ls = lstest::runCli("models list --json" + common);
    QCOMPARE(ls.status, 0);
    QVERIFY2(ls.out.find("\"state\": \"-\"") != std::string::npos, ls.out.c_str());

    auto in = lstest::runCli("models install tiny" + common + " --endpoint " + endpoint.toStdString());
    QVERIFY2(in.status == 0, (in.out + in.err).c_str());
    QVERIFY2(in.out.find("installed: " + models + "/tiny") != std::string::npos, in.out.c_str());
    QVERIFY2(in.err.find("Reconnecting") != std::string::npos, in.err.c_str());  // the drop was survived
    expectInstalledExactly(repo, QString::fromStdString(models + "/tiny"));

    ls = lstest::runCli("models list --json" + common);
    QVERIFY2(ls.out.find("\"state\": \"installed\"") != std::string::npos, ls.out.c_str());

    auto unknown = lstest::runCli("models install nope" + common);
    QCOMPARE(unknown.status, 1);
    QVERIFY2(unknown.err.find("unknown model 'nope'") != std::string::npos && unknown.err.find("tiny") != std::string::npos, unknown.err.c_str());

    auto rm = lstest::runCli("models remove tiny" + common);
    QVERIFY2(rm.status == 0, rm.err.c_str());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(models + "/tiny")));
    // A folder the user made under the same name is never deleted.
    QVERIFY(QDir().mkpath(QString::fromStdString(models + "/tiny/unet")));
    rm = lstest::runCli("models remove tiny" + common);
    QCOMPARE(rm.status, 1);
    QVERIFY2(rm.err.find("latentshop-install.json") != std::string::npos, rm.err.c_str());
    QVERIFY(QFileInfo::exists(QString::fromStdString(models + "/tiny/unet")));
  }

  void theDialogInstallsAndEveryPickerListsIt() {
    TinyRepo repo;
    lstest::HubTestServer server(kRepo);
    repo.serve(server);
    const QString endpoint = server.start();
    QTemporaryDir dir;
    const QString manifest = dir.filePath(QStringLiteral("manifest.json"));
    QJsonObject entry{{"id", "tiny"}, {"name", "Tiny SD"}, {"repo", kRepo}, {"kind", "plain"}, {"licence", "mit"},
                      {"licence_url", "https://example.invalid/licence"}, {"size_gb", 0.002}, {"variant", "fp16"},
                      {"notes", "A test model."}, {"uses", QJsonArray{"inpaint", "drag"}},
                      {"files", QJsonArray{"model_index.json", "unet/config.json", "unet/diffusion_pytorch_model*.safetensors", "tokenizer/*"}}};
    QFile f(manifest);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(QJsonObject{{"format", 1}, {"models", QJsonArray{entry}}}).toJson());
    f.close();
    qputenv("LATENTSHOP_MODEL_MANIFEST", manifest.toUtf8());
    qputenv("LATENTSHOP_DEMO_MODELS", QByteArray(LATENTSHOP_SOURCE_DIR "/models/demo"));
    QDir(ModelSettings::defaultModelsFolder()).removeRecursively();
    QSettings().clear();
    QSettings().setValue(QStringLiteral("models/endpoint"), endpoint);

    MainWindow window;
    window.setInteractive(false);
    window.resize(1200, 800);
    window.show();
    QVERIFY2(window.welcomeShown(), "a first start with no model shows the welcome");
    QVERIFY(window.action(QStringLiteral("settings.models")));
    // "Get models…" in a model picker opens the manager.
    auto pickers = window.findChildren<ModelPicker*>();
    QVERIFY(!pickers.isEmpty());
    QVERIFY(!window.modelManager()->isVisible());
    QTest::mouseClick(pickers.first()->getModelsButton(), Qt::LeftButton);
    ModelManagerDialog* dialog = window.modelManager();
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->select(QStringLiteral("tiny")));
    QCOMPARE(dialog->stateText(QStringLiteral("tiny")), QStringLiteral("Not installed"));
    QVERIFY(dialog->downloadButton()->isEnabled());
    QVERIFY(!dialog->deleteButton()->isEnabled());
    QSignalSpy changed(dialog, &ModelManagerDialog::modelsChanged);
    QTest::mouseClick(dialog->downloadButton(), Qt::LeftButton);
    QVERIFY2(changed.wait(30000), qPrintable(dialog->statusText()));
    QVERIFY2(dialog->stateText(QStringLiteral("tiny")).startsWith(QStringLiteral("Installed")), qPrintable(dialog->stateText(QStringLiteral("tiny"))));
    const QString folder = QDir(ModelSettings::defaultModelsFolder()).filePath(QStringLiteral("tiny"));
    expectInstalledExactly(repo, folder);
    for (ModelPicker* p : pickers) {
      bool listed = false;
      for (int i = 0; i < p->modelList()->count(); ++i) listed |= p->modelList()->itemData(i).toString() == folder;
      QVERIFY2(listed, "an installed model appears in every picker at once");
    }
    QVERIFY2(!window.welcomeShown(), "the welcome goes once a real model is there");
    QVERIFY(dialog->deleteButton()->isEnabled());
    QTest::mouseClick(dialog->deleteButton(), Qt::LeftButton);
    QVERIFY(!QFileInfo::exists(folder));
    QCOMPARE(dialog->stateText(QStringLiteral("tiny")), QStringLiteral("Not installed"));
    qunsetenv("LATENTSHOP_MODEL_MANIFEST");
  }
};

QTEST_MAIN(TestModelDownload)
#include "test_model_download.moc"
