// Main window: the largest image the editor opens (the decode policy's pixel budget, shared with
// the CLI's --max-megapixels; engine/io/decode_policy.h). File → "Largest image to open…" asks for
// it in megapixels and keeps it in QSettings. File → "Memory for Decoding…" sets the VAE's memory
// budget (engine/models/autoencoder_kl_tiling.h, the CLI's --vae-memory): larger edits decode and
// encode in bands, with the same result.
#include <algorithm>

#include <QAction>
#include <QInputDialog>
#include <QSettings>

#include "app/gui/main_window.h"
#include "engine/io/decode_policy.h"
#include "engine/models/autoencoder_kl_tiling.h"

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

QAction* MainWindow::vaeMemoryAction() {
  auto* action = new QAction(tr("Memory for Decoding\u2026"), this);
  action->setObjectName(QStringLiteral("file.vaeMemory"));
  action->setStatusTip(tr("Larger images are encoded and decoded in bands, with the same result, to stay within this memory"));
  connect(action, &QAction::triggered, this, &MainWindow::askVaeMemory);
  return action;
}

void MainWindow::applyVaeMemorySetting(qint64 mib) {
  latentshop::VaeTilingPolicy policy = latentshop::vaeTilingPolicy();
  policy.memoryBudgetBytes = std::clamp<qint64>(mib, latentshop::kMinVaeMemoryMiB, latentshop::kMaxVaeMemoryMiB) << 20;
  latentshop::setVaeTilingPolicy(policy);
}

void MainWindow::askVaeMemory() {
  bool ok = false;
  const int current = int(latentshop::vaeTilingPolicy().memoryBudgetBytes >> 20);
  const int mib = QInputDialog::getInt(this, tr("Memory for Decoding"),
                                       tr("Working memory (MiB) the model's image decoder and encoder may take. Larger\n"
                                          "images run in bands through temporary files: same result, slower.\n"
                                          "About 800 MiB decode 512 x 512 at once; 3072 MiB about 1024 x 1024."),
                                       current, int(latentshop::kMinVaeMemoryMiB), int(latentshop::kMaxVaeMemoryMiB), 256, &ok);
  if (!ok) return;
  applyVaeMemorySetting(mib);
  QSettings().setValue(QStringLiteral("engine/vaeMemoryMiB"), mib);
  showStatus(tr("Decoding and encoding will take at most about %1 MiB.").arg(mib));
}

}  // namespace latentshop::ui
