// The "Open Recent" list, kept in QSettings ("files/recent"), newest first, at most kMax entries,
// without duplicates (paths compared canonically).
#pragma once
#include <QStringList>

namespace latentshop::ui {

class RecentFiles {
public:
  static constexpr int kMax = 10;
  static QStringList load();
  static void add(const QString& path);  // moves it to the front
  static void remove(const QString& path);
  static void clear();
};

}  // namespace latentshop::ui
