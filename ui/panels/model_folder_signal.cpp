// ModelFolderSignal: the process-wide instance.
#include "ui/panels/model_folder_signal.h"

namespace latentshop::ui {

ModelFolderSignal* ModelFolderSignal::instance() {
  static ModelFolderSignal signal;
  return &signal;
}

}  // namespace latentshop::ui
