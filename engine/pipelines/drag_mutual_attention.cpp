#include "engine/pipelines/drag_mutual_attention.h"

#include "engine/core/error.h"

namespace latentshop {

MutualSelfAttentionController::MutualSelfAttentionController(int64_t startStep, int64_t startLayer, int64_t totalSteps,
                                                             int64_t numAttentionCalls, int64_t layerCount)
    : startStep_(startStep), startLayer_(startLayer), totalSteps_(totalSteps), numCalls_(numAttentionCalls),
      layerCount_(layerCount) {
  if (numCalls_ <= 0) throw Error("mutual self-attention: the UNet has no attention layers");
}

void MutualSelfAttentionController::reset() {
  curStep_ = 0;
  curCall_ = 0;
  controlled_ = 0;
}

void MutualSelfAttentionController::onAttention(nn::AttentionCall& call) {
  const int64_t layer = curCall_ / 2;
  const bool stepOn = curStep_ >= startStep_ && curStep_ < totalSteps_;
  const bool layerOn = layer >= startLayer_ && layer < layerCount_;
  if (!call.isCross && stepOn && layerOn) {
    if (call.k.size(0) != 2)
      throw Error("mutual self-attention: expected the batch [original, edited], got batch " +
                  std::to_string(call.k.size(0)));
    call.k = call.k.narrow(0, 0, 1).expand_as(call.k);
    call.v = call.v.narrow(0, 0, 1).expand_as(call.v);
    ++controlled_;
  }
  if (++curCall_ == numCalls_) {
    curCall_ = 0;
    ++curStep_;
  }
}

}  // namespace latentshop
