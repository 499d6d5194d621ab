#include "ui/panels/model_settings.h"

#include <memory>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>

namespace latentshop::ui {

namespace {

constexpr int kMaxRecent = 10;

QString key(latentshop::SdTool tool) {
  return QStringLiteral("models/%1/path").arg(QString::fromLatin1(latentshop::toString(tool)));
}

}  // namespace

ModelSettings::ModelSettings(latentshop::SdTool tool, QObject* parent) : QObject(parent), tool_(tool) {
  const QSettings settings;
  path_ = settings.value(key(tool_)).toString();
  if (!settings.contains(key(tool_))) path_ = demoModel(tool_);
  startCheck();
}

QString ModelSettings::demoModelsFolder() {
  auto usable = [](const QString& folder) { return QFileInfo(QDir(folder).filePath(QStringLiteral("plain/model_index.json"))).isFile(); };
  if (qEnvironmentVariableIsSet("LATENTSHOP_DEMO_MODELS")) {
    const QString env = qEnvironmentVariable("LATENTSHOP_DEMO_MODELS");
    return !env.isEmpty() && usable(env) ? QDir::cleanPath(QDir(env).absolutePath()) : QString();
  }
  QStringList candidates{QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/latentshop/models/demo"))};
#ifdef LATENTSHOP_SOURCE_DIR
  candidates << QStringLiteral(LATENTSHOP_SOURCE_DIR "/models/demo");
#endif
  for (const QString& c : candidates)
    if (usable(c)) return QDir::cleanPath(QDir(c).absolutePath());
  return {};
}

QString ModelSettings::demoModel(latentshop::SdTool tool) {
  const QString root = demoModelsFolder();
  if (root.isEmpty()) return {};
  const QString sub = tool == latentshop::SdTool::Inpaint    ? QStringLiteral("inpaint")
                      : tool == latentshop::SdTool::Instruct ? QStringLiteral("instruct")
                                                             : QStringLiteral("plain");
  const QString folder = QDir(root).filePath(sub);
  return QFileInfo(QDir(folder).filePath(QStringLiteral("model_index.json"))).isFile() ? folder : QString();
}

std::optional<latentshop::ModelDefaults> ModelSettings::defaultsToApply(QString& appliedFor) const {
  if (path_ == appliedFor) return std::nullopt;
  appliedFor = path_;
  std::string problem;
  auto d = latentshop::readModelDefaultsOrNone(path_.toStdString(), &problem);
  if (!problem.empty()) qWarning("%s", problem.c_str());
  return d;
}

bool ModelSettings::isDemoModel() const {
  const QString root = demoModelsFolder();
  return !root.isEmpty() && !path_.isEmpty() && QDir::cleanPath(path_).startsWith(root + QLatin1Char('/'));
}

ModelSettings::~ModelSettings() {
  // Checks read files only; they finish quickly. Their threads are children: wait, then they go.
  for (QThread* t : findChildren<QThread*>()) t->wait();
}

latentshop::SdModelRef ModelSettings::modelRef() const {
  latentshop::SdModelRef ref;
  ref.path = path_.toStdString();
  ref.dtype = computeDtype().toStdString();
  return ref;
}

QStringList ModelSettings::recentModels() { return QSettings().value(QStringLiteral("models/recent")).toStringList(); }

QString ModelSettings::defaultModelsFolder() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
      .filePath(QStringLiteral("latentshop/models"));
}

QStringList ModelSettings::modelsInFolder(const QString& folder) {
  QStringList out;
  const QDir dir(folder);
  if (!dir.exists()) return out;
  for (const QFileInfo& fi : dir.entryInfoList(QDir::Dirs | QDir::Files | QDir::NoDotAndDotDot, QDir::Name)) {
    if (fi.isDir() && QFileInfo::exists(QDir(fi.filePath()).filePath(QStringLiteral("model_index.json")))) {
      out << fi.absoluteFilePath();
    } else if (fi.isFile() && fi.suffix().compare(QStringLiteral("safetensors"), Qt::CaseInsensitive) == 0) {
      out << fi.absoluteFilePath();
    }
  }
  return out;
}

QString ModelSettings::noModelHelp(latentshop::SdTool tool) {
  const QString example = tool == latentshop::SdTool::Instruct ? QStringLiteral("instruct-pix2pix")
                          : tool == latentshop::SdTool::Drag   ? QStringLiteral("sd15")
                                                               : QStringLiteral("sd15-inpainting");
  return QCoreApplication::translate(
             "ModelSettings",
             "No model chosen. <b>Get models\u2026</b> (or Settings \u2192 Models\u2026) downloads one into %1, "
             "e.g. <code>%2</code> for this tool; <code>latentshop-cli models install %2</code> does the same. "
             "A diffusers folder or a single-file .safetensors SD 1.x checkpoint from anywhere works too: "
             "choose it here. models/README.md explains the details.")
      .arg(defaultModelsFolder().toHtmlEscaped(), example);
}

QString ModelSettings::taesdPath() { return QSettings().value(QStringLiteral("models/taesd")).toString(); }
void ModelSettings::setTaesdPath(const QString& path) { QSettings().setValue(QStringLiteral("models/taesd"), path); }
QString ModelSettings::computeDtype() { return QSettings().value(QStringLiteral("models/dtype")).toString(); }
void ModelSettings::setComputeDtype(const QString& dtype) { QSettings().setValue(QStringLiteral("models/dtype"), dtype); }

void ModelSettings::setModelPath(const QString& path) {
  const QString clean = path.isEmpty() ? QString() : QDir::cleanPath(path);
  QSettings s;
  s.setValue(key(tool_), clean);
  if (clean == path_ && valid_) return;  // already checked and usable
  path_ = clean;
  startCheck();
}

void ModelSettings::recheck() { startCheck(); }

void ModelSettings::startCheck() {
  const quint64 generation = ++generation_;
  kind_.clear();
  valid_ = false;
  if (path_.isEmpty()) {
    checking_ = false;
    message_ = noModelHelp(tool_);
    Q_EMIT modelChanged();
    return;
  }
  checking_ = true;
  message_ = tr("Checking %1\u2026").arg(path_);
  Q_EMIT modelChanged();
  auto result = std::make_shared<latentshop::SdModelCheck>();
  const latentshop::SdModelRef ref = modelRef();
  QThread* thread = QThread::create([ref, result] { *result = latentshop::checkStableDiffusionModel(ref); });
  thread->setParent(this);
  connect(thread, &QThread::finished, this, [this, generation, result] { applyCheck(generation, *result); });
  connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  thread->start();
}

void ModelSettings::applyCheck(quint64 generation, const latentshop::SdModelCheck& check) {
  if (generation != generation_) return;  // a newer choice is being checked
  checking_ = false;
  kind_ = QString::fromStdString(check.kind);
  // The recent list keeps models that load (for some tool); a folder that is no model leaves it.
  {
    QSettings settings;
    QStringList recent = recentModels();
    recent.removeAll(path_);
    if (check.ok) recent.prepend(path_);
    while (recent.size() > kMaxRecent) recent.removeLast();
    settings.setValue(QStringLiteral("models/recent"), recent);
  }
  if (!check.ok) {
    valid_ = false;
    message_ = QString::fromStdString(check.message);
  } else {
    const std::string problem = latentshop::kindProblem(tool_, check.kind, path_.toStdString());
    valid_ = problem.empty();
    message_ = QString::fromStdString(problem);
  }
  Q_EMIT modelChanged();
}

bool ModelSettings::waitForCheck(int timeoutMs) {
  QDeadlineTimer deadline(timeoutMs);
  while (checking_ && !deadline.hasExpired()) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
  return !checking_;
}

}  // namespace latentshop::ui
