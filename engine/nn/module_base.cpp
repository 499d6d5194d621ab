#include "engine/nn/module_base.h"

namespace latentshop::nn {

void assignModulePaths(torch::nn::Module& root) {
  for (const auto& item : root.named_modules("", /*include_self=*/false)) {
    if (auto pathed = std::dynamic_pointer_cast<PathedModule>(item.value())) pathed->setPath(item.key());
  }
}

}  // namespace latentshop::nn
