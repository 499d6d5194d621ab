// Application-wide signals about models: the models folder changed (a model was installed or
// removed by the model manager), so every model picker lists its models again at once; and a
// widget asked for the model manager ("Get models…"), which its window opens.
#pragma once
#include <QObject>

class QWidget;

namespace latentshop::ui {

class ModelFolderSignal : public QObject {
  Q_OBJECT
public:
  static ModelFolderSignal* instance();
  static void notifyChanged() { Q_EMIT instance()->changed(); }
  static void requestManager(QWidget* from) { Q_EMIT instance()->managerRequested(from); }

Q_SIGNALS:
  void changed();
  void managerRequested(QWidget* from);
};

}  // namespace latentshop::ui
