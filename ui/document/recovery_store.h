// Crash-recovery files. Each open document has a slot in
// QStandardPaths::AppDataLocation/recovery/ named by a random id:
//   <id>.ora    the document as a Latentshop project (saveOra: atomic write, flush, rename)
//   <id>.json   a sidecar naming the original file, the time of the save, the layer count, the
//               app version and the writer's pid (written atomically after the .ora)
//   <id>.lock   a QLockFile the editor holds while the document is open
// A clean exit (or saving the document) removes the slot's files. After a crash or a kill the files
// stay and the lock goes stale (its process is gone), which is what marks a slot "orphaned": the
// next start lists orphaned slots and offers to restore them (ui/panels/recovery_dialog.h).
#pragma once
#include <memory>

#include <QDateTime>
#include <QList>
#include <QString>

#include "ui/document/document.h"

class QLockFile;

namespace latentshop::ui {

struct RecoveryEntry {
  QString id;
  QString projectPath;   // <id>.ora
  QString sidecarPath;   // <id>.json
  QString originalPath;  // the document's file when it was autosaved ("" for an unsaved one)
  QString displayName;   // what the title bar showed
  QDateTime savedAt;     // UTC
  int layers = 0;
  QString appVersion;
  qint64 pid = 0;
};

class RecoverySlot {
public:
  // A new slot (fresh id) in `folder` (default: recoveryFolder()), locked. Nothing is written yet.
  explicit RecoverySlot(const QString& folder = QString());
  ~RecoverySlot();  // releases the lock; the files stay unless discard() removed them
  RecoverySlot(const RecoverySlot&) = delete;
  RecoverySlot& operator=(const RecoverySlot&) = delete;

  QString id() const { return id_; }
  QString folder() const { return folder_; }
  QString projectPath() const;
  QString sidecarPath() const;
  bool hasFiles() const;
  // Removes this slot's files (the lock stays held).
  void discard();
  // Takes over an orphaned slot (after restoring it): this slot's own files are removed and from
  // now on it writes to `entry`'s files under its lock. False when the lock is taken.
  bool adopt(const RecoveryEntry& entry);

  // Writes `content` and the sidecar to the slot's files. Blocking and thread-safe (the main window
  // calls it on a worker with a snapshot); returns "" or the error.
  static QString write(const QString& projectPath, const QString& sidecarPath, const DocumentContent& content,
                       const QString& originalPath, const QString& displayName);

  // The default folder: <AppDataLocation>/recovery (created when missing).
  static QString recoveryFolder();
  // Slots in `folder` whose writer is gone (lock free or stale) and that have both files, newest
  // first. Also removes stale lock files of slots that never wrote anything.
  static QList<RecoveryEntry> orphaned(const QString& folder = QString());
  static RecoveryEntry readEntry(const QString& sidecarPath);  // id empty when unreadable
  // Removes an orphaned slot's files (false when its lock is held by a running editor).
  static bool remove(const RecoveryEntry& entry);

private:
  QString folder_;
  QString id_;
  std::unique_ptr<QLockFile> lock_;
};

}  // namespace latentshop::ui
