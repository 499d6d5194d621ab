// Main window: the largest image the editor opens (the decode policy's pixel budget, shared with
// the CLI's --max-megapixels; engine/io/decode_policy.h). File → "Largest image to open…" asks for
// it in megapixels and keeps it in QSettings.
#include <algorithm>

#include <QAction>
#include <QInputDialog>
#include <QSettings>

#include "app/gui/main_window.h"
#include "engine/io/decode_policy.h"

namespace latentshop::ui {

QAction* MainWindow::pixelBudgetAction() {
  auto* action = new QAction(tr("Largest Image to Open\u2026"), this);
  action->setObjectName(QStringLiteral("file.pixelBudget"));
  action->setStatusTip(tr("Images and project layers larger than this are refused before they are decoded"));
  connect(action, &QAction::triggered, this, &MainWindow::askPixelBudget);
  return action;
}

void MainWindow::applyPixelBudgetSetting(qint64 megapixels) {
  latentshop::DecodePolicy policy = latentshop::decodePolicy();
  policy.maxPixels = std::clamp<qint64>(megapixels, latentshop::kMinBudgetMegapixels, latentshop::kMaxBudgetMegapixels) * 1'000'000;
  latentshop::setDecodePolicy(policy);
}

void MainWindow::askPixelBudget() {
  bool ok = false;
  const int current = int(latentshop::decodePolicy().maxPixels / 1'000'000);
  const int mp = QInputDialog::getInt(this, tr("Largest Image to Open"),
                                      tr("Images and project layers over this many megapixels are refused before\n"
                                         "they are decoded (each megapixel takes about 8 MB while editing):"),
                                      current, int(latentshop::kMinBudgetMegapixels), int(latentshop::kMaxBudgetMegapixels), 10, &ok);
  if (!ok) return;
  applyPixelBudgetSetting(mp);
  QSettings().setValue(QStringLiteral("files/maxMegapixels"), mp);
  showStatus(tr("Images up to %1 megapixels will open.").arg(mp));
}

}  // namespace latentshop::ui
