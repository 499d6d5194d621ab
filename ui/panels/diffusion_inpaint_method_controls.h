// Controls the diffusion tools share (inpaint method and instruction box): the seed editor with
// its randomise button and "new seed each run" switch, and the scheduler list.
#pragma once
#include <cstdint>
#include <string>

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QToolButton;

namespace latentshop::ui {

class SeedEdit : public QWidget {
  Q_OBJECT
public:
  explicit SeedEdit(QWidget* parent = nullptr);
  uint64_t seed() const;
  void setSeed(uint64_t seed);
  bool newSeedEachRun() const;
  void setNewSeedEachRun(bool on);
  // The seed for the next run: a fresh one (shown) when "new seed each run" is on.
  uint64_t seedForRun();
  QLineEdit* field() const { return field_; }
  QToolButton* randomiseButton() const { return dice_; }

public Q_SLOTS:
  void randomise();

private:
  QLineEdit* field_;
  QToolButton* dice_;
  QCheckBox* eachRun_;
};

// A combo box of sdSchedulerChoices() (item data = the id).
QComboBox* makeSchedulerCombo(QWidget* parent);
std::string schedulerOf(const QComboBox* combo);
void setScheduler(QComboBox* combo, const std::string& id);

}  // namespace latentshop::ui
