#include "ui/panels/recovery_dialog.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

#include "engine/io/ora_reader.h"
#include "ui/document/layer.h"
#include "ui/document/project_convert.h"

namespace latentshop::ui {

RecoveryDialog::RecoveryDialog(const QList<RecoveryEntry>& entries, QWidget* parent)
    : QDialog(parent), entries_(entries) {
  setWindowTitle(tr("Recover unsaved work"));
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(tr("Latentshop did not close normally last time. These documents had unsaved changes "
                              "and were saved automatically. Restore one to continue where you left off."),
                           this);
  intro->setWordWrap(true);
  layout->addWidget(intro);
  list_ = new QListWidget(this);
  list_->setIconSize(QSize(96, 96));
  list_->setSpacing(4);
  list_->setMinimumSize(520, 260);
  for (const RecoveryEntry& e : entries_) {
    auto* item = new QListWidgetItem(describe(e), list_);
    const QImage thumb = thumbnail(e);
    if (!thumb.isNull()) item->setIcon(QIcon(QPixmap::fromImage(thumb)));
    item->setToolTip(e.projectPath);
  }
  if (list_->count() > 0) list_->setCurrentRow(0);
  layout->addWidget(list_, 1);

  auto* buttons = new QDialogButtonBox(this);
  restore_ = buttons->addButton(tr("&Restore"), QDialogButtonBox::AcceptRole);
  discard_ = buttons->addButton(tr("&Discard"), QDialogButtonBox::DestructiveRole);
  later_ = buttons->addButton(tr("&Later"), QDialogButtonBox::RejectRole);
  restore_->setDefault(true);
  layout->addWidget(buttons);
  connect(restore_, &QPushButton::clicked, this, [this] {
    choice_ = Restore;
    accept();
  });
  connect(discard_, &QPushButton::clicked, this, [this] {
    choice_ = Discard;
    accept();
  });
  connect(later_, &QPushButton::clicked, this, [this] {
    choice_ = Later;
    reject();
  });
  connect(list_, &QListWidget::itemDoubleClicked, restore_, &QPushButton::click);
}

RecoveryEntry RecoveryDialog::selectedEntry() const {
  const int row = list_->currentRow();
  return row >= 0 && row < entries_.size() ? entries_[row] : RecoveryEntry();
}

QString RecoveryDialog::describe(const RecoveryEntry& e) {
  const QString name = e.displayName.isEmpty() ? tr("Untitled") : e.displayName;
  const QString origin = e.originalPath.isEmpty() ? tr("never saved") : e.originalPath;
  const QString when = QLocale().toString(e.savedAt.toLocalTime(), QLocale::ShortFormat);
  // The stored count is the layers above the original; the Layers panel lists the original too.
  return tr("%1\n%2\nautosaved %3 \u00b7 %4").arg(name, origin, when, layerCountText(e.layers));
}

QImage RecoveryDialog::thumbnail(const RecoveryEntry& e) {
  try {
    const latentshop::OraSummary summary = latentshop::readOraSummary(e.projectPath.toStdString());
    return imageFromRgba(summary.thumbnail);
  } catch (const std::exception&) {
    return QImage();
  }
}

}  // namespace latentshop::ui
