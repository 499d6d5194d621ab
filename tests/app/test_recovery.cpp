// Autosave and crash recovery for real: the `latentshop` binary runs offscreen as a separate
// process with its own XDG config/data folders, edits a photo through --test-script (mask, classical
// inpaint, a second mask), autosaves, and is killed with SIGKILL while a job runs (or right after a
// result). Started again with --recover restore it brings back every layer and the mask, marks the
// document modified with its original path, and its project equals the one exported just before
// the kill. Also: a running editor's recovery file is never offered, a killed one's is (with the
// dialog's thumbnail), --recover discard/later, and in-process: periodic autosave, removal on save
// and on a clean exit.
#include <QtTest/QtTest>
#include <QDir>
#include <QFileInfo>
#include <QListWidget>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QUndoStack>

#include "app/gui/main_window.h"
#include "engine/core/threads.h"
#include "engine/io/ora_reader.h"
#include "support/test_paths.h"
#include "ui/document/document.h"
#include "ui/document/mask_image.h"
#include "ui/document/project_convert.h"
#include "ui/document/recovery_store.h"
#include "ui/panels/recovery_dialog.h"

using namespace latentshop;
using namespace latentshop::ui;

namespace {

QString scratch(const QString& name) { return QString::fromStdString(lstest::scratchDir()) + QLatin1Char('/') + name; }
QString guiPath() { return QStringLiteral(LATENTSHOP_BINARY_DIR "/app/latentshop"); }
QString photo() { return QFileInfo(QString::fromStdString(lstest::photoPath("fruits.jpg"))).canonicalFilePath(); }

// One isolated "machine": its own settings and data folders.
struct Home {
  QString root;
  explicit Home(const QString& name) : root(scratch(name)) {
    QDir(root).removeRecursively();
    QDir().mkpath(root + QStringLiteral("/config"));
    QDir().mkpath(root + QStringLiteral("/data"));
  }
  QString recoveryFolder() const { return root + QStringLiteral("/data/Latentshop/Latentshop/recovery"); }
  QStringList recoveryFiles() const {
    return QDir(recoveryFolder()).entryList({QStringLiteral("*.ora"), QStringLiteral("*.json")}, QDir::Files);
  }
  QStringList lockFiles() const { return QDir(recoveryFolder()).entryList({QStringLiteral("*.lock")}, QDir::Files); }
  QString script(const QString& name, const QStringList& lines) const {
    const QString path = root + QLatin1Char('/') + name;
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) f.write(lines.join(QLatin1Char('\n')).toUtf8() + "\n");
    return path;
  }
  void start(QProcess& p, const QStringList& args) const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/data"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start(guiPath(), args);
  }
};

// Reads the process's stdout until a line starting with `prefix` (returns it), or "" on timeout,
// a failed script command or the process ending.
QString waitForLine(QProcess& p, QString& log, const QString& prefix, int timeoutMs = 90000) {
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < timeoutMs) {
    while (p.canReadLine()) {
      const QString line = QString::fromUtf8(p.readLine()).trimmed();
      log += line + QLatin1Char('\n');
      if (line.startsWith(prefix)) return line;
      if (line.contains(QStringLiteral(": failed:"))) return QString();
    }
    if (p.state() == QProcess::NotRunning) return QString();
    p.waitForReadyRead(200);
  }
  return QString();
}

// Runs to the end; returns the whole stdout.
QString runToEnd(QProcess& p, int timeoutMs = 90000) {
  p.waitForFinished(timeoutMs);
  return QString::fromUtf8(p.readAllStandardOutput());
}


}  // namespace

class TestRecovery : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    configureTorchThreads();
    QVERIFY2(QFile::exists(guiPath()), qPrintable(guiPath()));
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentshopRecovery"));
    QSettings().clear();
  }

  void killDuringAJobThenRestore() {
    const Home home(QStringLiteral("home-job"));
    const QString expected = home.root + QStringLiteral("/expected.ora");
    const QString restored = home.root + QStringLiteral("/restored.ora");
    const QString first = home.script(QStringLiteral("first.txt"),
                                      {QStringLiteral("open ") + photo(), QStringLiteral("mask-rect 100 100 60 40"),
                                       QStringLiteral("inpaint telea 3 5 5"), QStringLiteral("apply"),
                                       QStringLiteral("mask-rect 200 180 30 25"), QStringLiteral("inpaint ns 2 4 5"),
                                       QStringLiteral("wait-autosave"), QStringLiteral("export ") + expected,
                                       QStringLiteral("busy-job 60"), QStringLiteral("echo ready")});
    QProcess app;
    home.start(app, {QStringLiteral("--test-script"), first});
    QString log;
    QVERIFY2(!waitForLine(app, log, QStringLiteral("[script] echo: ok ready")).isEmpty(), qPrintable(log + app.readAllStandardError()));
    QCOMPARE(home.recoveryFiles().size(), 2);  // <id>.ora and <id>.json
    app.kill();  // SIGKILL, while the busy job runs
    QVERIFY(app.waitForFinished(10000));
    QCOMPARE(app.exitStatus(), QProcess::CrashExit);
    QCOMPARE(home.recoveryFiles().size(), 2);  // left behind

    QProcess again;
    const QString second = home.script(QStringLiteral("second.txt"),
                                       {QStringLiteral("state"), QStringLiteral("save ") + restored, QStringLiteral("quit")});
    home.start(again, {QStringLiteral("--recover"), QStringLiteral("restore"), QStringLiteral("--test-script"), second});
    QString log2;
    const QString state = waitForLine(again, log2, QStringLiteral("[script] state:"));
    QVERIFY2(!state.isEmpty(), qPrintable(log2 + again.readAllStandardError()));
    // Restored as it was: modified, with the photo's path, two results, the second mask.
    QVERIFY2(state.contains(QStringLiteral("modified=1")), qPrintable(state));
    QVERIFY2(state.contains(QStringLiteral("layers=2")), qPrintable(state));
    QVERIFY2(state.contains(QStringLiteral("mask=200,180,30,25")), qPrintable(state));
    QVERIFY2(state.contains(QStringLiteral("path=") + photo()), qPrintable(state));
    runToEnd(again);
    QCOMPARE(again.exitStatus(), QProcess::NormalExit);
    QCOMPARE(again.exitCode(), 0);

    // Every layer, mask, parameter and the metadata equal what the editor held before the kill.
    const Project before = loadOra(expected.toStdString());
    const Project after = loadOra(restored.toStdString());
    QCOMPARE(describeProjectDifference(after, before), std::string());
    QCOMPARE(after.layers.size(), size_t(3));
    QCOMPARE(after.layers[1].params["method"].get<std::string>(), std::string("classical.telea"));
    QCOMPARE(after.layers[2].params["method"].get<std::string>(), std::string("classical.ns"));
    QVERIFY(after.meta.extra.contains(kPendingLayersKey));  // the second result is still pending
    // The original is the photo itself.
    const QImage photoPixels = QImage(photo()).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(imageFromRgba(after.layers[0].rgba, true), photoPixels);
    // A clean exit after saving leaves no recovery file, and no lock.
    QCOMPARE(home.recoveryFiles(), QStringList());
    QCOMPARE(home.lockFiles(), QStringList());
  }

  void killRightAfterTheResult() {
    const Home home(QStringLiteral("home-result"));
    const QString first = home.script(QStringLiteral("first.txt"),
                                      {QStringLiteral("open ") + photo(), QStringLiteral("mask-rect 40 50 20 30"),
                                       QStringLiteral("inpaint telea"), QStringLiteral("wait-autosave"), QStringLiteral("echo ready")});
    QProcess app;
    home.start(app, {QStringLiteral("--test-script"), first});
    QString log;
    QVERIFY2(!waitForLine(app, log, QStringLiteral("[script] echo: ok ready")).isEmpty(), qPrintable(log));
    // While it runs, its recovery file belongs to it: nobody else may offer it.
    QCOMPARE(RecoverySlot::orphaned(home.recoveryFolder()).size(), 0);
    app.kill();
    QVERIFY(app.waitForFinished(10000));

    // Now it is orphaned, and the dialog shows it with a thumbnail.
    const QList<RecoveryEntry> entries = RecoverySlot::orphaned(home.recoveryFolder());
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries[0].displayName, QStringLiteral("fruits.jpg"));
    QCOMPARE(entries[0].originalPath, photo());
    QCOMPARE(entries[0].layers, 1);
    RecoveryDialog dialog(entries);
    QCOMPARE(dialog.list()->count(), 1);
    QVERIFY(!dialog.list()->item(0)->icon().isNull());
    QVERIFY(dialog.list()->item(0)->text().contains(QStringLiteral("fruits.jpg")));
    const Project autosaved = loadOra(entries[0].projectPath.toStdString());
    QCOMPARE(autosaved.layers.size(), size_t(2));
    QCOMPARE(cv::countNonZero(autosaved.meta.workingMask), 20 * 30);

    // --recover later keeps it; --recover restore brings it back.
    QProcess later;
    home.start(later, {QStringLiteral("--recover"), QStringLiteral("later"), QStringLiteral("--test-script"),
                       home.script(QStringLiteral("later.txt"), {QStringLiteral("state"), QStringLiteral("quit")})});
    const QString laterOut = runToEnd(later);
    QVERIFY2(laterOut.contains(QStringLiteral("layers=0")), qPrintable(laterOut));
    QCOMPARE(RecoverySlot::orphaned(home.recoveryFolder()).size(), 1);

    QProcess again;
    home.start(again, {QStringLiteral("--recover"), QStringLiteral("restore"), QStringLiteral("--test-script"),
                       home.script(QStringLiteral("second.txt"), {QStringLiteral("state"), QStringLiteral("quit")})});
    const QString out = runToEnd(again);
    QVERIFY2(out.contains(QStringLiteral("modified=1 layers=1")) && out.contains(QStringLiteral("mask=40,50,20,30")), qPrintable(out));
    // Quitting without saving is a deliberate discard (the script answers no question): gone.
    QCOMPARE(home.recoveryFiles(), QStringList());
  }

  void discardOnStart() {
    const Home home(QStringLiteral("home-discard"));
    QProcess app;
    home.start(app, {QStringLiteral("--test-script"),
                     home.script(QStringLiteral("first.txt"), {QStringLiteral("open ") + photo(), QStringLiteral("mask-rect 1 1 5 5"),
                                                               QStringLiteral("wait-autosave"), QStringLiteral("echo ready")})});
    QString log;
    QVERIFY2(!waitForLine(app, log, QStringLiteral("[script] echo: ok ready")).isEmpty(), qPrintable(log));
    const qint64 deadPid = app.processId();
    app.kill();
    QVERIFY(app.waitForFinished(10000));
    QCOMPARE(RecoverySlot::orphaned(home.recoveryFolder()).size(), 1);
    // What a save killed mid-write leaves behind (the atomic writer's temporary, named by the dead
    // process's PID) goes at the next start; a live process's temporary stays.
    const QString stale = home.recoveryFolder() + QStringLiteral("/.slot.ora.tmp-%1-0").arg(deadPid);
    const QString live = home.recoveryFolder() + QStringLiteral("/.slot.ora.tmp-%1-0").arg(QCoreApplication::applicationPid());
    for (const QString& path : {stale, live}) {
      QFile f(path);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(QByteArray(4096, 'x'));
    }
    QProcess again;
    home.start(again, {QStringLiteral("--recover"), QStringLiteral("discard"), QStringLiteral("--test-script"),
                       home.script(QStringLiteral("second.txt"), {QStringLiteral("state"), QStringLiteral("quit")})});
    const QString out = runToEnd(again);
    QVERIFY2(out.contains(QStringLiteral("layers=0")), qPrintable(out));
    QCOMPARE(home.recoveryFiles(), QStringList());
    QCOMPARE(home.lockFiles(), QStringList());
    QVERIFY(!QFileInfo::exists(stale));
    QVERIFY(QFileInfo::exists(live));
  }

  void staleLocksOfSessionsThatNeverAutosavedGo() {
    const Home home(QStringLiteral("home-stale"));
    QProcess app;
    home.start(app, {QStringLiteral("--test-script"), home.script(QStringLiteral("s.txt"), {QStringLiteral("echo ready")})});
    QString log;
    QVERIFY2(!waitForLine(app, log, QStringLiteral("[script] echo: ok ready")).isEmpty(), qPrintable(log));
    QCOMPARE(home.lockFiles().size(), 1);
    app.kill();
    QVERIFY(app.waitForFinished(10000));
    QCOMPARE(home.lockFiles().size(), 1);  // left by the kill
    QCOMPARE(RecoverySlot::orphaned(home.recoveryFolder()).size(), 0);
    QCOMPARE(home.lockFiles(), QStringList());
  }

  // Issue 19 item 7: the recovery list said "1 layer(s)" for a document whose Layers panel showed
  // two rows (a layer and the original). It counts the original now, as the panel does.
  void theRecoveryListCountsLayersAsThePanelDoes() {
    MainWindow w;
    w.setInteractive(false);
    QVERIFY(w.openImage(photo()));
    Layer l;
    l.name = QStringLiteral("Patch");
    l.image = QImage(8, 8, QImage::Format_ARGB32);
    l.image.fill(Qt::red);
    w.document()->addLayer(l);
    QCOMPARE(w.document()->layerCount(), 1);
    QSignalSpy autosaved(&w, &MainWindow::autosaved);
    w.setAutosaveAfterEdit(0);
    w.document()->invertMask();
    QVERIFY(autosaved.wait(20000));
    const RecoveryEntry e = RecoverySlot::readEntry(QString(w.recoveryFile()).replace(QStringLiteral(".ora"), QStringLiteral(".json")));
    QVERIFY(!e.id.isEmpty());
    const QString text = RecoveryDialog::describe(e);
    QVERIFY2(text.contains(QStringLiteral("2 layers")), qPrintable(text));
    RecoveryEntry single = e;
    single.layers = 0;
    QVERIFY2(RecoveryDialog::describe(single).contains(QStringLiteral("1 layer")), qPrintable(RecoveryDialog::describe(single)));
  }

  void autosaveInProcess() {
    const QString recoveryFolder = RecoverySlot::recoveryFolder();
    QString recoveryFile;
    {
      MainWindow w;
      w.setInteractive(false);
      QVERIFY(w.openImage(photo()));
      recoveryFile = w.recoveryFile();
      QVERIFY(recoveryFile.startsWith(recoveryFolder));
      // Periodic autosave only.
      w.setAutosaveAfterEdit(600000);
      w.setAutosaveInterval(150);
      QSignalSpy autosaved(&w, &MainWindow::autosaved);
      QImage m = emptyMask(w.document()->size());
      m.fill(9);
      w.document()->replaceMask(m, QStringLiteral("mask"));
      QVERIFY(autosaved.wait(20000));
      QVERIFY(QFile::exists(recoveryFile));
      QCOMPARE(describeProjectDifference(loadOra(recoveryFile.toStdString()), projectFromContent(w.document()->snapshot())),
               std::string());
      // Saving makes it unnecessary.
      QVERIFY(w.saveProject(scratch(QStringLiteral("autosave.ora"))));
      QVERIFY(!QFile::exists(recoveryFile));
      // After every finished edit, soon.
      w.setAutosaveInterval(600000);
      w.setAutosaveAfterEdit(0);
      autosaved.clear();
      w.document()->invertMask();
      QVERIFY(autosaved.wait(20000));
      QCOMPARE(autosaved.last().at(1).toULongLong(), w.document()->revision());
      QVERIFY(QFile::exists(recoveryFile));
      // Undoing back to the saved state: nothing unsaved, no recovery file.
      w.document()->undoStack()->undo();
      QTRY_VERIFY(!QFile::exists(recoveryFile));
      w.document()->invertMask();
      QVERIFY(autosaved.wait(20000));
    }
    // A clean end removes it.
    QVERIFY(!QFile::exists(recoveryFile));
    QVERIFY(!QFile::exists(QString(recoveryFile).replace(QStringLiteral(".ora"), QStringLiteral(".json"))));
  }
};

QTEST_MAIN(TestRecovery)
#include "test_recovery.moc"
