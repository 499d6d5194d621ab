// The history panel: the document's undo stack as a list (QUndoView), oldest at the top, the
// current state highlighted; clicking a row undoes or redoes to it. The first row is the document
// as opened, the clean (saved) state carries an icon.
#pragma once
#include <QWidget>

class QUndoView;

namespace latentshop::ui {

class Document;

class HistoryPanel : public QWidget {
  Q_OBJECT
public:
  explicit HistoryPanel(QWidget* parent = nullptr);
  void setDocument(Document* doc);
  QUndoView* view() const { return view_; }

private:
  void updateEmptyLabel();
  QUndoView* view_;
  Document* doc_ = nullptr;
};

}  // namespace latentshop::ui
