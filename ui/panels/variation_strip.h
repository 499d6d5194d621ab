// Variations: a strip of thumbnails under the canvas while an SD tool makes several candidates
// with consecutive seeds (its "Variations" count). Slots fill as candidates finish; the running one
// shows its live preview; a click shows that candidate on the canvas (the main window swaps it
// into the pending result), "Discard all" drops them. Apply and Discard on the result bar end it.
#pragma once
#include <QFrame>
#include <QImage>

class QLabel;
class QListWidget;
class QToolButton;

namespace latentshop::ui {

class VariationStrip : public QFrame {
  Q_OBJECT
public:
  explicit VariationStrip(QWidget* parent = nullptr);

  // `count` empty slots (shown); the first is running.
  void begin(int count);
  void setRunning(int index);
  void setPreview(int index, const QImage& image);  // the running one's latest step
  void setProgressText(int index, const QString& text);
  void setCandidate(int index, const QImage& image, const QString& label);  // finished
  void setFailed(int index, const QString& why);
  void setCurrent(int index);  // the one the canvas shows (highlighted)
  void clear();                // no slots; hidden

  int count() const;
  int current() const { return current_; }
  bool isReady(int index) const;
  QListWidget* list() const { return list_; }
  QToolButton* discardAllButton() const { return discardAll_; }

Q_SIGNALS:
  void candidateChosen(int index);
  void discardAllRequested();

private:
  QListWidget* list_;
  QLabel* title_;
  QToolButton* discardAll_;
  int current_ = -1;
};

}  // namespace latentshop::ui
