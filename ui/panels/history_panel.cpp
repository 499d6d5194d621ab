#include "ui/panels/history_panel.h"

#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>

#include "ui/document/document.h"
#include "ui/widgets/icons.h"

namespace latentshop::ui {

HistoryPanel::HistoryPanel(QWidget* parent) : QWidget(parent), view_(new QUndoView(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->addWidget(view_);
  view_->setCleanIcon(themedIcon(IconId::Save));
  view_->setUniformItemSizes(true);
  view_->setMinimumHeight(90);
  updateEmptyLabel();
}

void HistoryPanel::setDocument(Document* doc) {
  if (doc_) disconnect(doc_, nullptr, this, nullptr);
  doc_ = doc;
  view_->setStack(doc ? doc->undoStack() : nullptr);
  if (doc_) {
    connect(doc_, &Document::documentReset, this, &HistoryPanel::updateEmptyLabel);
    connect(doc_, &Document::filePathChanged, this, &HistoryPanel::updateEmptyLabel);
  }
  updateEmptyLabel();
}

void HistoryPanel::updateEmptyLabel() {
  view_->setEmptyLabel(doc_ && !doc_->isNull() ? tr("Open %1").arg(doc_->displayName()) : tr("<empty>"));
}

}  // namespace latentshop::ui
