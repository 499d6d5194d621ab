// Main window: the Layer menu's actions (they act on the layer selected in the layers panel).
#include <QAction>

#include "app/gui/main_window.h"
#include "ui/document/document.h"
#include "ui/panels/layers_panel.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

void MainWindow::buildLayerActions() {
  const auto add = [this](const char* name, const QString& text, const QKeySequence& key, auto slot) {
    auto* a = new QAction(text, this);
    if (!key.isEmpty()) {
      a->setShortcut(key);
      a->setToolTip(QStringLiteral("%1 (%2)").arg(QString(text).remove(QLatin1Char('&')), key.toString(QKeySequence::NativeText)));
    }
    addAction(a);
    actions_.insert(QString::fromLatin1(name), a);
    connect(a, &QAction::triggered, this, slot);
    return a;
  };
  add("layer.duplicate", tr("&Duplicate layer"), QKeySequence(QStringLiteral("Ctrl+J")), [this] { layersPanel_->duplicateSelected(); })
      ->setIcon(themedIcon(IconId::Duplicate));
  add("layer.mergeDown", tr("&Merge down"), QKeySequence(QStringLiteral("Ctrl+E")), [this] { layersPanel_->mergeDownSelected(); })
      ->setIcon(themedIcon(IconId::MergeDown));
  add("layer.delete", tr("D&elete layer"), QKeySequence(), [this] { layersPanel_->deleteSelected(); })
      ->setIcon(themedIcon(IconId::Delete));
  add("layer.up", tr("Move layer &up"), QKeySequence(QStringLiteral("Ctrl+]")), [this] { layersPanel_->moveSelected(1); })
      ->setIcon(themedIcon(IconId::MoveUp));
  add("layer.down", tr("Move layer d&own"), QKeySequence(QStringLiteral("Ctrl+[")), [this] { layersPanel_->moveSelected(-1); })
      ->setIcon(themedIcon(IconId::MoveDown));
  add("layer.rename", tr("&Rename layer\u2026"), QKeySequence(Qt::Key_F2), [this] { layersPanel_->renameSelected(); });
  add("layer.toggle", tr("&Show / hide layer"), QKeySequence(), [this] {
    const LayerId id = doc_->activeLayer();
    if (const Layer* l = id ? doc_->layer(id) : nullptr) doc_->setLayerVisible(id, !l->visible);
  });
  add("layer.copyParams", tr("&Copy parameters"), QKeySequence(), [this] { layersPanel_->copyParameters(); })
      ->setIcon(themedIcon(IconId::Copy));
}

}  // namespace latentshop::ui
