#include "app/gui/recent_files.h"

#include <QFileInfo>
#include <QSettings>

namespace latentshop::ui {

namespace {
const char* const kKey = "files/recent";

QString canonical(const QString& path) {
  const QString c = QFileInfo(path).canonicalFilePath();
  return c.isEmpty() ? QFileInfo(path).absoluteFilePath() : c;
}
}  // namespace

QStringList RecentFiles::load() { return QSettings().value(kKey).toStringList(); }

void RecentFiles::add(const QString& path) {
  QStringList list = load();
  const QString c = canonical(path);
  list.removeAll(c);
  list.prepend(c);
  while (list.size() > kMax) list.removeLast();
  QSettings().setValue(kKey, list);
}

void RecentFiles::remove(const QString& path) {
  QStringList list = load();
  list.removeAll(path);
  list.removeAll(canonical(path));
  QSettings().setValue(kKey, list);
}

void RecentFiles::clear() { QSettings().remove(kKey); }

}  // namespace latentshop::ui
