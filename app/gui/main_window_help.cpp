// Main window: the Help menu's dialogs: keyboard shortcuts (generated from the actions), about.
#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <functional>

#include "app/gui/main_window.h"

namespace latentshop::ui {

QList<ShortcutRow> MainWindow::shortcutRows() const {
  QList<ShortcutRow> rows;
  QSet<const QAction*> listed;
  const auto addAction = [&](const QString& group, const QAction* a) {
    if (!a || listed.contains(a) || a->shortcuts().isEmpty()) return;
    listed.insert(a);
    QStringList keys;
    for (const QKeySequence& k : a->shortcuts()) keys << k.toString(QKeySequence::NativeText);
    QString what = a->text();
    what.remove(QLatin1Char('&'));
    what.remove(QStringLiteral("\u2026"));
    rows.append({group, keys.join(QStringLiteral(" / ")), what});
  };
  // Every action with a shortcut, in menu order, then those outside the menus (tools, panels):
  // generated, so the list cannot drift from the keys the window really has.
  std::function<void(const QString&, const QMenu*)> walk = [&](const QString& group, const QMenu* menu) {
    for (const QAction* a : menu->actions()) {
      if (a->menu()) {
        walk(group, a->menu());
      } else {
        addAction(group, a);
      }
    }
  };
  for (const QAction* top : menuBar()->actions())
    if (top->menu()) walk(QString(top->text()).remove(QLatin1Char('&')), top->menu());
  for (const QAction* a : actions()) addAction(tr("Tools and panels"), a);
  for (const QAction* a : findChildren<QAction*>()) addAction(tr("Tools and panels"), a);
  // Mouse gestures and held keys are not actions: the canvas handles them itself.
  const QString canvas = tr("Canvas");
  rows.append({canvas, tr("Right-drag"), tr("Erase mask")});
  rows.append({canvas, tr("Shift+click"), tr("Straight line from the last stroke")});
  rows.append({canvas, tr("hold \\"), tr("Compare: show the image before the result")});
  rows.append({canvas, tr("Wheel / Ctrl+wheel"), tr("Zoom at the cursor")});
  rows.append({canvas, tr("Space+drag, middle-drag"), tr("Pan")});
  return rows;
}

void MainWindow::showShortcuts() {
  auto* dialog = new QDialog(this);
  dialog->setObjectName(QStringLiteral("shortcutsDialog"));
  dialog->setWindowTitle(tr("Keyboard shortcuts"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  auto* tree = new QTreeWidget(dialog);
  tree->setColumnCount(2);
  tree->setHeaderLabels({tr("Keys"), tr("Does")});
  tree->setRootIsDecorated(false);
  tree->setSelectionMode(QAbstractItemView::NoSelection);
  QTreeWidgetItem* group = nullptr;
  for (const ShortcutRow& row : shortcutRows()) {
    if (!group || group->text(0) != row.group) {
      group = new QTreeWidgetItem(tree, {row.group});
      QFont bold = group->font(0);
      bold.setBold(true);
      group->setFont(0, bold);
      group->setFirstColumnSpanned(true);
    }
    new QTreeWidgetItem(group, {row.keys, row.what});
  }
  tree->expandAll();
  tree->resizeColumnToContents(0);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
  connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(dialog);
  layout->addWidget(tree);
  layout->addWidget(buttons);
  dialog->resize(560, 640);
  dialog->open();
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About Latentshop"),
                     tr("<b>Latentshop %1</b><p>A desktop image editor with diffusion editing: paint a mask and "
                        "fill it, type an instruction, or drag a handle to a target.</p>"
                        "<p>Classical inpainting by OpenCV (Telea, Navier\u2013Stokes).</p>")
                         .arg(QStringLiteral(LATENTSHOP_VERSION)));
}

}  // namespace latentshop::ui
