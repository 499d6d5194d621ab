#include "ui/document/recovery_store.h"

#include <algorithm>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QStandardPaths>
#include <QUuid>

#include "engine/io/ora_writer.h"
#include "engine/io/project_atomic_file.h"
#include "ui/document/project_convert.h"

namespace latentshop::ui {

namespace {

QString lockPathFor(const QString& folder, const QString& id) { return folder + QLatin1Char('/') + id + QStringLiteral(".lock"); }

std::unique_ptr<QLockFile> tryLock(const QString& path) {
  auto lock = std::make_unique<QLockFile>(path);
  lock->setStaleLockTime(0);  // only a dead owner makes it stale, never its age
  if (!lock->tryLock(0)) return nullptr;
  return lock;
}

}  // namespace

QString RecoverySlot::recoveryFolder() {
  const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/recovery");
  QDir().mkpath(folder);
  return folder;
}

RecoverySlot::RecoverySlot(const QString& folder) : folder_(folder.isEmpty() ? recoveryFolder() : folder) {
  QDir().mkpath(folder_);
  for (int attempt = 0; attempt < 8 && !lock_; ++attempt) {
    id_ = QUuid::createUuid().toString(QUuid::WithoutBraces).left(13);
    lock_ = tryLock(lockPathFor(folder_, id_));
  }
}

RecoverySlot::~RecoverySlot() = default;

QString RecoverySlot::projectPath() const { return folder_ + QLatin1Char('/') + id_ + QStringLiteral(".ora"); }
QString RecoverySlot::sidecarPath() const { return folder_ + QLatin1Char('/') + id_ + QStringLiteral(".json"); }

bool RecoverySlot::hasFiles() const { return QFileInfo::exists(projectPath()) || QFileInfo::exists(sidecarPath()); }

void RecoverySlot::discard() {
  // The sidecar first: without it a slot is never offered, even if the .ora removal fails.
  QFile::remove(sidecarPath());
  QFile::remove(projectPath());
}

bool RecoverySlot::adopt(const RecoveryEntry& entry) {
  const QString folder = QFileInfo(entry.sidecarPath).absolutePath();
  auto lock = tryLock(lockPathFor(folder, entry.id));
  if (!lock) return false;
  discard();
  lock_ = std::move(lock);
  folder_ = folder;
  id_ = entry.id;
  return true;
}

QString RecoverySlot::write(const QString& projectPath, const QString& sidecarPath, const DocumentContent& content,
                            const QString& originalPath, const QString& displayName) {
  try {
    latentshop::OraWriteOptions options;
    options.pngCompression = 1;  // speed over size: recovery files are temporary
    latentshop::saveOra(projectFromContent(content), projectPath.toStdString(), options);
    const QJsonObject sidecar{
        {QStringLiteral("format"), QStringLiteral("latentshop-recovery")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("original_path"), originalPath},
        {QStringLiteral("display_name"), displayName},
        {QStringLiteral("saved_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("layers"), int(content.layers.size())},
        {QStringLiteral("app_version"), QCoreApplication::applicationVersion()},
        {QStringLiteral("pid"), QCoreApplication::applicationPid()},
    };
    const QByteArray bytes = QJsonDocument(sidecar).toJson();
    latentshop::writeFileAtomically(sidecarPath.toStdString(), bytes.constData(), size_t(bytes.size()));
    return QString();
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
}

RecoveryEntry RecoverySlot::readEntry(const QString& sidecarPath) {
  RecoveryEntry e;
  QFile f(sidecarPath);
  if (!f.open(QIODevice::ReadOnly)) return e;
  const QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
  if (j.value(QStringLiteral("format")).toString() != QLatin1String("latentshop-recovery")) return e;
  const QFileInfo info(sidecarPath);
  e.id = info.completeBaseName();
  e.sidecarPath = info.absoluteFilePath();
  e.projectPath = info.absolutePath() + QLatin1Char('/') + e.id + QStringLiteral(".ora");
  e.originalPath = j.value(QStringLiteral("original_path")).toString();
  e.displayName = j.value(QStringLiteral("display_name")).toString();
  e.savedAt = QDateTime::fromString(j.value(QStringLiteral("saved_at")).toString(), Qt::ISODateWithMs);
  e.layers = j.value(QStringLiteral("layers")).toInt();
  e.appVersion = j.value(QStringLiteral("app_version")).toString();
  e.pid = j.value(QStringLiteral("pid")).toInteger();
  return e;
}

QList<RecoveryEntry> RecoverySlot::orphaned(const QString& folderIn) {
  const QString folder = folderIn.isEmpty() ? recoveryFolder() : folderIn;
  QList<RecoveryEntry> out;
  const QFileInfoList sidecars = QDir(folder).entryInfoList({QStringLiteral("*.json")}, QDir::Files);
  for (const QFileInfo& s : sidecars) {
    RecoveryEntry e = readEntry(s.absoluteFilePath());
    if (e.id.isEmpty() || !QFileInfo::exists(e.projectPath)) continue;
    // Free or stale (its process is gone): orphaned. Held by a running editor: not ours to offer.
    if (!tryLock(lockPathFor(folder, e.id))) continue;
    out.push_back(e);
  }
  // Lock files of killed sessions that never autosaved: taking the stale lock and releasing it
  // removes the file.
  for (const QFileInfo& l : QDir(folder).entryInfoList({QStringLiteral("*.lock")}, QDir::Files))
    if (!QFileInfo::exists(folder + QLatin1Char('/') + l.completeBaseName() + QStringLiteral(".json")))
      tryLock(l.absoluteFilePath());
  std::sort(out.begin(), out.end(), [](const RecoveryEntry& a, const RecoveryEntry& b) { return a.savedAt > b.savedAt; });
  return out;
}

bool RecoverySlot::remove(const RecoveryEntry& entry) {
  const QString folder = QFileInfo(entry.sidecarPath).absolutePath();
  auto lock = tryLock(lockPathFor(folder, entry.id));
  if (!lock) return false;
  QFile::remove(entry.sidecarPath);
  QFile::remove(entry.projectPath);
  return true;
}

}  // namespace latentshop::ui
