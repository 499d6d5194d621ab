// Main window: settings (QSettings) and window events (close, the hold-to-compare key).
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QToolBar>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScreen>
#include <QSettings>
#include <QSpinBox>
#include <QTextEdit>

#include "engine/io/decode_policy.h"
#include "engine/models/autoencoder_kl_tiling.h"
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
  applyVaeMemorySetting(s.value(QStringLiteral("engine/vaeMemoryMiB"), qint64(latentshop::VaeTilingPolicy().memoryBudgetBytes >> 20)).toLongLong());
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
    const QRect avail = screen() ? screen()->availableGeometry() : QRect(0, 0, 1600, 1000);
    const QMargins frame = frameAllowance();
    const QRect g = firstStartGeometry(avail, frame, minimumSizeHint());
    resize(g.size());
    move(g.topLeft() - QPoint(frame.left(), frame.top()));  // a window's pos() is its frame's
  }
  restoreState(s.value(QStringLiteral("window/state")).toByteArray());
}

QMargins MainWindow::frameAllowance() const {
  // The window manager's frame is known only once the window is shown (and never offscreen):
  // allow for a typical title bar and borders, or the real frame when it is larger.
  const QMargins typical(8, 40, 8, 8);
  const QRect frame = frameGeometry(), inner = geometry();
  const QMargins real(inner.left() - frame.left(), inner.top() - frame.top(), frame.right() - inner.right(),
                      frame.bottom() - inner.bottom());
  return QMargins(std::max(typical.left(), real.left()), std::max(typical.top(), real.top()),
                  std::max(typical.right(), real.right()), std::max(typical.bottom(), real.bottom()));
}

QRect MainWindow::firstStartGeometry(const QRect& available, const QMargins& frame, const QSize& minimum) {
  // Most of the screen, at most 1600 x 1000 inside, and the frame (title bar, borders) on the
  // screen too, so the status bar is never below its bottom edge.
  const QSize room = available.size().shrunkBy(frame);
  const QSize inner(std::max(minimum.width(), std::min(1600, room.width())), std::max(minimum.height(), std::min(1000, room.height())));
  const QSize outer = inner.grownBy(frame);
  const QPoint outerTopLeft(available.left() + std::max(0, (available.width() - outer.width()) / 2),
                            available.top() + std::max(0, (available.height() - outer.height()) / 2));
  return QRect(outerTopLeft + QPoint(frame.left(), frame.top()), inner);
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

void MainWindow::resetLayout() {
  restoreState(defaultLayout_);  // docks floating or closed since come back to their places
  toolBar_->show();
  applyDefaultDockSizes();
  toolDockAnchor_->raise();
  showStatus(tr("Panels are back in their first-start places."));
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
  if (fileWaitBlocksInput(watched, e)) return true;
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
