// The layers panel: the document's layers top to bottom over the original (ui/panels/layers_model.h
// with LayerItemDelegate), the selected layer's opacity, buttons for duplicate / delete / merge down
// / move up / move down / copy parameters, and a details pane with the parameters that made the
// selected layer. Selecting a row selects the layer in the document (undoable, as every change
// here); the panel follows the document when undo/redo or other tools change it.
#pragma once
#include <QPointer>
#include <QWidget>

#include "ui/document/document.h"

class QLabel;
class QListView;
class QPlainTextEdit;
class QSlider;
class QSpinBox;
class QToolButton;

namespace latentshop::ui {

class LayersModel;

class LayersPanel : public QWidget {
  Q_OBJECT
public:
  explicit LayersPanel(QWidget* parent = nullptr);

  void setDocument(Document* doc);
  LayersModel* model() const { return model_; }
  QListView* view() const { return view_; }
  QSlider* opacitySlider() const { return opacity_; }
  QToolButton* duplicateButton() const { return duplicate_; }
  QToolButton* deleteButton() const { return delete_; }
  QToolButton* mergeDownButton() const { return mergeDown_; }
  QToolButton* moveUpButton() const { return moveUp_; }
  QToolButton* moveDownButton() const { return moveDown_; }
  QToolButton* copyButton() const { return copy_; }
  QPlainTextEdit* details() const { return details_; }

  LayerId selectedLayer() const;  // 0: the original (or nothing)

public Q_SLOTS:
  void duplicateSelected();
  void deleteSelected();
  void mergeDownSelected();
  void moveSelected(int steps);  // > 0 up, < 0 down
  void copyParameters();         // the selected layer's parameters as JSON to the clipboard
  void copyA1111Parameters();    // the same as the A1111 "parameters" text other SD tools read
  void renameSelected();         // starts editing the name in place

Q_SIGNALS:
  void statusMessage(const QString& text);

protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

private:
  void syncFromDocument();  // selection, opacity, buttons, details
  void showContextMenu(const QPoint& pos);

  QPointer<Document> doc_;
  LayersModel* model_;
  QListView* view_;
  QSlider* opacity_;
  QSpinBox* opacitySpin_;
  QLabel* opacityLabel_;
  QToolButton* duplicate_;
  QToolButton* delete_;
  QToolButton* mergeDown_;
  QToolButton* moveUp_;
  QToolButton* moveDown_;
  QToolButton* copy_;
  QPlainTextEdit* details_;
  bool syncing_ = false;
};

}  // namespace latentshop::ui
