// The bar above the canvas while an edit's result is pending: what it is, Compare (hold to see the
// image before the edit), Discard and Apply. Any tool's result uses it (inpaint, instruct, drag).
#pragma once
#include <QFrame>

class QLabel;
class QToolButton;

namespace latentshop::ui {

class ElidedLabel;

class ResultBar : public QFrame {
  Q_OBJECT
public:
  explicit ResultBar(QWidget* parent = nullptr);

  // Shows the bar for a pending result called `name` with a one-line `detail`.
  void showResult(const QString& name, const QString& detail);
  QString title() const;
  ElidedLabel* detailLabel() const { return detail_; }
  QToolButton* compareButton() const { return compare_; }
  QToolButton* applyButton() const { return apply_; }
  QToolButton* discardButton() const { return discard_; }

Q_SIGNALS:
  void applyRequested();
  void discardRequested();
  void compareHeld(bool held);  // true while Compare is pressed

private:
  QLabel* title_;
  ElidedLabel* detail_;
  QToolButton* compare_;
  QToolButton* discard_;
  QToolButton* apply_;
};

}  // namespace latentshop::ui
