// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_tiny_model.cpp
// The model settings service and picker widget: no model → where to put models; a path that does
// not exist, a folder missing its tokenizer, a model of the wrong kind for the tool → a message
// naming the problem; a good model → its kind; recent models shared by the tools (most recent
// first, at most 10) and the choice remembered across sessions; the default models folder scanned.
#include <filesystem>
#include <fstream>

#include <QtTest/QtTest>
#include <QFile>
#include <QMenu>
#include <QComboBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>

#include "engine/sd_tiny_model.h"
#include "support/test_paths.h"
#include "ui/panels/model_picker.h"
#include "ui/panels/model_settings.h"

using namespace latentshop::ui;
namespace fs = std::filesystem;

class TestModelPicker : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void noModelExplainsWhereModelsGo();
  void problemsAreNamed();
  void goodModelAndKindPerTool();
  void recentAndRemembered();
  void defaultFolderIsScanned();
  void sharedComputeAndPreviewSettings();

private:
  QString inpaint_, instruct_;
};

void TestModelPicker::initTestCase() {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("LatentshopTest"));
  QCoreApplication::setApplicationName(QStringLiteral("LatentshopModelPicker"));
  QSettings().clear();
  inpaint_ = QString::fromStdString(lstest::makeRandomSdFolder("picker_inpaint", "inpainting", 61));
  instruct_ = QString::fromStdString(lstest::makeRandomSdFolder("picker_instruct", "instruct", 62));
}

void TestModelPicker::noModelExplainsWhereModelsGo() {
  ModelSettings settings(latentshop::SdTool::Inpaint);
  ModelPicker picker(&settings);
  QVERIFY(settings.modelPath().isEmpty());
  QVERIFY(!settings.isValid());
  QVERIFY(!settings.isChecking());
  const QString text = picker.statusText();
  QVERIFY2(text.contains(QStringLiteral("models/README.md")) && text.contains(QStringLiteral("Get models")) &&
               text.contains(ModelSettings::defaultModelsFolder()),
           qPrintable(text));
  QVERIFY(!picker.loadButton()->isEnabled());
  // The example checkpoint suits the tool.
  QVERIFY2(text.contains(QStringLiteral("models install sd15-inpainting")), qPrintable(text));
  ModelSettings drag(latentshop::SdTool::Drag);
  QVERIFY2(drag.validationMessage().contains(QStringLiteral("models install sd15<")), qPrintable(drag.validationMessage()));
  ModelSettings instruct(latentshop::SdTool::Instruct);
  QVERIFY2(instruct.validationMessage().contains(QStringLiteral("models install instruct-pix2pix")),
           qPrintable(instruct.validationMessage()));
}

void TestModelPicker::problemsAreNamed() {
  ModelSettings settings(latentshop::SdTool::Inpaint);
  ModelPicker picker(&settings);
  QSignalSpy changed(&settings, &ModelSettings::modelChanged);
  const QString missing = QString::fromStdString(lstest::scratchDir()) + QStringLiteral("/no_such_model");
  settings.setModelPath(missing);
  QVERIFY(settings.isChecking() || !settings.validationMessage().isEmpty());
  QVERIFY(settings.waitForCheck(20000));
  QVERIFY(changed.count() >= 2);  // "checking", then the result
  QVERIFY(!settings.isValid());
  QVERIFY2(settings.validationMessage().contains(QStringLiteral("no_such_model")) &&
               settings.validationMessage().contains(QStringLiteral("no such file")),
           qPrintable(settings.validationMessage()));
  QVERIFY(picker.statusText().contains(QStringLiteral("no such file")));

  const std::string noTokenizer = lstest::makeRandomSdFolder("picker_no_tokenizer", "inpainting", 63);
  fs::remove(fs::path(noTokenizer) / "tokenizer" / "vocab.json");
  settings.setModelPath(QString::fromStdString(noTokenizer));
  QVERIFY(settings.waitForCheck(20000));
  QVERIFY(!settings.isValid());
  QVERIFY2(settings.validationMessage().contains(QStringLiteral("vocab.json")), qPrintable(settings.validationMessage()));

  settings.setModelPath(instruct_);
  QVERIFY(settings.waitForCheck(20000));
  QVERIFY(!settings.isValid());
  QCOMPARE(settings.kind(), QStringLiteral("instruct"));
  QVERIFY2(settings.validationMessage().contains(QStringLiteral("InstructPix2Pix")) &&
               settings.validationMessage().contains(QStringLiteral("inpainting needs")),
           qPrintable(settings.validationMessage()));
  QVERIFY(!picker.loadButton()->isEnabled());
}

void TestModelPicker::goodModelAndKindPerTool() {
  ModelSettings inpaint(latentshop::SdTool::Inpaint);
  ModelPicker picker(&inpaint);
  inpaint.setModelPath(inpaint_);
  QVERIFY(inpaint.waitForCheck(20000));
  QVERIFY2(inpaint.isValid(), qPrintable(inpaint.validationMessage()));
  QCOMPARE(inpaint.kind(), QStringLiteral("inpainting"));
  QVERIFY(picker.statusText().contains(QStringLiteral("SD 1.x inpainting")));
  QVERIFY(picker.loadButton()->isEnabled());
  QCOMPARE(QString::fromStdString(inpaint.modelRef().path), QDir::cleanPath(inpaint_));
  // The model's recommended settings (latentshop.json) are shown; a bad file is named, not fatal.
  {
    const QString file = QDir(inpaint_).filePath(QStringLiteral("latentshop.json"));
    auto write = [&](const QByteArray& text) {
      QFile f(file);
      QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
      f.write(text);
    };
    write(R"({"guidance_scale": 5.5})");
    inpaint.recheck();
    QVERIFY(inpaint.waitForCheck(20000));
    QVERIFY2(picker.statusText().contains(QStringLiteral("Recommended guidance: 5.5")), qPrintable(picker.statusText()));
    write(R"({"guidance_scale": "strong"})");
    inpaint.recheck();
    QVERIFY(inpaint.waitForCheck(20000));
    QVERIFY(inpaint.isValid());
    QVERIFY2(picker.statusText().contains(QStringLiteral("latentshop.json")) &&
                 picker.statusText().contains(QStringLiteral("must be a number")),
             qPrintable(picker.statusText()));
    QVERIFY(QFile::remove(file));
  }

  ModelSettings drag(latentshop::SdTool::Drag);
  drag.setModelPath(inpaint_);
  QVERIFY(drag.waitForCheck(20000));
  QVERIFY(!drag.isValid());
  QVERIFY2(drag.validationMessage().contains(QStringLiteral("drag editing needs a plain")), qPrintable(drag.validationMessage()));

  ModelSettings instruct(latentshop::SdTool::Instruct);
  instruct.setModelPath(instruct_);
  QVERIFY(instruct.waitForCheck(20000));
  QVERIFY(instruct.isValid());
}

void TestModelPicker::recentAndRemembered() {
  {
    ModelSettings inpaint(latentshop::SdTool::Inpaint);
    inpaint.setModelPath(inpaint_);
    QVERIFY(inpaint.waitForCheck(20000));
    ModelSettings instruct(latentshop::SdTool::Instruct);
    instruct.setModelPath(instruct_);
    QVERIFY(instruct.waitForCheck(20000));
  }
  QCOMPARE(ModelSettings::recentModels().value(0), QDir::cleanPath(instruct_));
  QCOMPARE(ModelSettings::recentModels().value(1), QDir::cleanPath(inpaint_));
  ModelSettings again(latentshop::SdTool::Inpaint);  // a new session
  QCOMPARE(again.modelPath(), QDir::cleanPath(inpaint_));
  QVERIFY(again.waitForCheck(20000));
  QVERIFY(again.isValid());
  ModelPicker picker(&again);
  QCOMPARE(picker.modelList()->itemData(0).toString(), QDir::cleanPath(inpaint_));
  QVERIFY(picker.modelList()->count() >= 2);
  // Paths that are no model never join the list (issue 19 §8), and one that stops being a model
  // leaves it when it is checked again.
  for (int i = 0; i < 12; ++i) {
    again.setModelPath(QStringLiteral("/tmp/pipe-model-%1").arg(i));
    QVERIFY(again.waitForCheck(20000));
    QVERIFY(!again.isValid());
  }
  QCOMPARE(ModelSettings::recentModels().size(), 2);
  for (const QString& p : ModelSettings::recentModels()) QVERIFY2(!p.startsWith(QStringLiteral("/tmp/pipe-model-")), qPrintable(p));
  const QString gone = QDir::cleanPath(QDir::temp().filePath(QStringLiteral("latentshop-gone-model")));
  QDir(gone).removeRecursively();
  fs::copy(inpaint_.toStdString(), gone.toStdString(), fs::copy_options::recursive);
  again.setModelPath(gone);
  QVERIFY(again.waitForCheck(20000));
  QVERIFY(again.isValid());
  QCOMPARE(ModelSettings::recentModels().first(), gone);
  QDir(gone).removeRecursively();
  again.recheck();
  QVERIFY(again.waitForCheck(20000));
  QVERIFY(!again.isValid());
  QVERIFY(!ModelSettings::recentModels().contains(gone));
}

void TestModelPicker::defaultFolderIsScanned() {
  const fs::path folder = fs::path(ModelSettings::defaultModelsFolder().toStdString());
  fs::create_directories(folder / "some-diffusers-model");
  std::ofstream(folder / "some-diffusers-model" / "model_index.json") << "{}";
  fs::create_directories(folder / "not-a-model");
  std::ofstream(folder / "single.safetensors") << "x";
  std::ofstream(folder / "notes.txt") << "x";
  const QStringList found = ModelSettings::modelsInFolder(ModelSettings::defaultModelsFolder());
  QCOMPARE(found.size(), 2);
  QVERIFY(found[0].endsWith(QStringLiteral("single.safetensors")));
  QVERIFY(found[1].endsWith(QStringLiteral("some-diffusers-model")));
  ModelSettings settings(latentshop::SdTool::Drag);
  ModelPicker picker(&settings);
  bool listed = false;
  for (int i = 0; i < picker.modelList()->count(); ++i)
    listed = listed || picker.modelList()->itemData(i).toString().endsWith(QStringLiteral("single.safetensors"));
  QVERIFY(listed);
  fs::remove_all(folder);
}

void TestModelPicker::sharedComputeAndPreviewSettings() {
  ModelSettings inpaint(latentshop::SdTool::Inpaint);
  ModelSettings instruct(latentshop::SdTool::Instruct);
  ModelPicker picker(&inpaint);
  QMenu* menu = picker.settingsMenu();
  Q_EMIT menu->aboutToShow();
  QAction* bf16 = nullptr;
  QAction* linear = nullptr;
  for (QAction* a : menu->actions()) {
    if (a->data().toString() == QStringLiteral("bf16")) bf16 = a;
    if (a->text().startsWith(QStringLiteral("Linear"))) linear = a;
  }
  QVERIFY(bf16 && linear);
  bf16->trigger();
  // Every tool computes in the chosen precision; the menu shows it the next time it opens.
  QCOMPARE(ModelSettings::computeDtype(), QStringLiteral("bf16"));
  QCOMPARE(inpaint.modelRef().dtype, std::string("bf16"));
  QCOMPARE(instruct.modelRef().dtype, std::string("bf16"));
  Q_EMIT menu->aboutToShow();
  bool checked = false;
  for (QAction* a : menu->actions()) checked = checked || (a->isChecked() && a->data().toString() == QStringLiteral("bf16"));
  QVERIFY(checked);
  ModelSettings::setTaesdPath(QStringLiteral("/tmp/pipe-taesd"));
  Q_EMIT menu->aboutToShow();
  for (QAction* a : menu->actions())
    if (a->text().startsWith(QStringLiteral("Linear"))) linear = a;
  QVERIFY(!linear->isChecked());
  linear->trigger();
  QVERIFY(ModelSettings::taesdPath().isEmpty());
  ModelSettings::setComputeDtype(QString());
}

QTEST_MAIN(TestModelPicker)
#include "test_model_picker.moc"
