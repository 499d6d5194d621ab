// Offered at start-up when recovery files from a crashed or killed session exist
// (ui/document/recovery_store.h): a list of them with a thumbnail (from the ORA's own thumbnail,
// read without decoding the layers), the file name, where it came from, when it was last
// autosaved and how many layers it holds; Restore (the selected one), Discard (delete it) and
// Later (keep them all for the next start).
#pragma once
#include <QDialog>

#include "ui/document/recovery_store.h"

class QListWidget;
class QPushButton;

namespace latentshop::ui {

class RecoveryDialog : public QDialog {
  Q_OBJECT
public:
  enum Choice { Later, Restore, Discard };

  explicit RecoveryDialog(const QList<RecoveryEntry>& entries, QWidget* parent = nullptr);

  Choice choice() const { return choice_; }
  RecoveryEntry selectedEntry() const;
  QListWidget* list() const { return list_; }
  QPushButton* restoreButton() const { return restore_; }
  QPushButton* discardButton() const { return discard_; }
  QPushButton* laterButton() const { return later_; }

  // The list row's text for an entry (name, origin, time, layers) and its thumbnail.
  static QString describe(const RecoveryEntry& entry);
  static QImage thumbnail(const RecoveryEntry& entry);

private:
  QList<RecoveryEntry> entries_;
  QListWidget* list_;
  QPushButton* restore_;
  QPushButton* discard_;
  QPushButton* later_;
  Choice choice_ = Later;
};

}  // namespace latentshop::ui
