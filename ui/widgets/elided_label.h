// A one-line label that never widens its window: when the text does not fit it is cut with "…" and
// the whole text goes to the tooltip. Its size hint asks for the whole text, its minimum only for a
// few characters, so a long message (the result bar's "processed at 24x36 …") cannot raise the
// minimum width of the canvas area and squeeze the docks (issue 19).
#pragma once
#include <QLabel>

namespace latentshop::ui {

class ElidedLabel : public QLabel {
  Q_OBJECT
public:
  explicit ElidedLabel(QWidget* parent = nullptr);

  void setFullText(const QString& text);
  QString fullText() const { return full_; }
  bool isElided() const { return text() != full_; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  void elide();
  QString full_;
};

}  // namespace latentshop::ui
