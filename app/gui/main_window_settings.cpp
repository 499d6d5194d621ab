// Main window: settings (QSettings) and window events (close, the hold-to-compare key).
#include <QApplication>
#include <QCloseEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScreen>
#include <QSettings>
#include <QSpinBox>
#include <QTextEdit>

#include "engine/io/decode_policy.h"
#include "app/gui/engine_bridge.h"
#include "app/gui/main_window.h"
#include "ui/canvas/canvas.h"
#include "ui/document/background_tasks.h"
#include "ui/document/document.h"
#include "ui/panels/brush_panel.h"
#include "ui/panels/inpaint_panel.h"
#include "ui/tools/mask_brush_tool.h"

namespace latentshop::ui {

// ---- Settings and window events -----------------------------------------------------------------

void MainWindow::loadSettings() {
  QSettings s;
  applyPixelBudgetSetting(s.value(QStringLiteral("files/maxMegapixels"), qint64(latentshop::DecodePolicy().maxPixels / 1'000'000)).toLongLong());
  BrushSettings b;
  b.size = s.value(QStringLiteral("brush/size"), b.size).toDouble();
  b.hardness = s.value(QStringLiteral("brush/hardness"), b.hardness).toDouble();
  b.erase = s.value(QStringLiteral("brush/erase"), false).toBool();
  brush_->setSettings(b);
  const QColor color = s.value(QStringLiteral("mask/color"), QColor(255, 40, 60)).value<QColor>();
  const double opacity = s.value(QStringLiteral("mask/opacity"), 0.5).toDouble();
  brushPanel_->setMaskStyle(color, opacity);
  brushPanel_->setGrowAmount(s.value(QStringLiteral("mask/growBy"), 8).toInt());
  canvas_->setMaskStyle(color, opacity);
  actions_[QStringLiteral("view.wheelZooms")]->setChecked(s.value(QStringLiteral("view/wheelZooms"), true).toBool());
  inpaint_->loadSettings(s);
  if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) {
    // First start: most of the screen, at most 1600 x 1000.
    const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1600, 1000);
    const QSize size(std::min(1600, avail.width()), std::min(1000, avail.height()));
    resize(size);
    move(avail.center() - QPoint(size.width() / 2, size.height() / 2));
  }
  restoreState(s.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveSettings() const {
  QSettings s;
  s.setValue(QStringLiteral("brush/size"), brush_->settings().size);
  s.setValue(QStringLiteral("brush/hardness"), brush_->settings().hardness);
  s.setValue(QStringLiteral("brush/erase"), brush_->settings().erase);
  s.setValue(QStringLiteral("mask/color"), brushPanel_->maskColor());
  s.setValue(QStringLiteral("mask/opacity"), brushPanel_->maskOpacity());
  s.setValue(QStringLiteral("mask/growBy"), brushPanel_->growAmount());
  s.setValue(QStringLiteral("view/wheelZooms"), canvas_->wheelZooms());
  inpaint_->saveSettings(s);
  s.setValue(QStringLiteral("window/geometry"), saveGeometry());
  s.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (opening_ || !maybeSave()) {
    e->ignore();
    return;
  }
  if (activeJob_) engine_->cancel(activeJob_);
  engine_->cancelAll();
  engine_->waitIdle(5000);
  // Saves and exports end before the window does; then the work is safe (saved, or deliberately
  // discarded) and the recovery file goes.
  tasks_->waitForWork();
  recovery_->discard();
  saveSettings();
  e->accept();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* e) {
  // Hold '\' anywhere in the window (except while typing) to see the image before the edit.
  if ((e->type() == QEvent::KeyPress || e->type() == QEvent::KeyRelease) && isActiveWindow()) {
    auto* k = static_cast<QKeyEvent*>(e);
    QWidget* focus = QApplication::focusWidget();
    const bool typing = qobject_cast<QLineEdit*>(focus) || qobject_cast<QAbstractSpinBox*>(focus) ||
                        qobject_cast<QTextEdit*>(focus) || qobject_cast<QPlainTextEdit*>(focus);
    if (k->key() == Qt::Key_Backslash && !typing && k->modifiers() == Qt::NoModifier) {
      if (!k->isAutoRepeat()) canvas_->setComparing(e->type() == QEvent::KeyPress && doc_->hasPendingResult());
      return true;
    }
  }
  return QMainWindow::eventFilter(watched, e);
}

}  // namespace latentshop::ui
