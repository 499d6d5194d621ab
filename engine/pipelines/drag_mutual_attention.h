// DragDiffusion's mutual self-attention control for the final denoise: the batch is
// [original, edited]; in the controlled self-attention layers the edited branch's queries attend to
// the original branch's keys and values (the original branch is unchanged), so the edited image
// keeps the original's appearance.
// Reference: Yujun-Shi/DragDiffusion utils/attn_utils.py (AttentionBase, MutualSelfAttentionControl,
// register_attention_editor_diffusers; ebe659a), guidance scale 1 (no unconditional branch).
//
// Counting, as the reference: every Attention call of the UNet (self and cross) advances a call
// index; call_index // 2 is the "layer" (a transformer block, since each has attn1 then attn2), and
// after numAttentionCalls calls the step advances. Controlled: self-attention calls whose layer is in
// [startLayer, layerCount) during steps [startStep, totalSteps). layerCount is the reference's
// hard-coded 16 (SD 1.5's transformer-block count).
#pragma once
#include <cstdint>

#include "engine/nn/forward_hooks.h"

namespace latentshop {

class MutualSelfAttentionController : public nn::AttentionController {
public:
  MutualSelfAttentionController(int64_t startStep, int64_t startLayer, int64_t totalSteps, int64_t numAttentionCalls,
                                int64_t layerCount = 16);
  void onAttention(nn::AttentionCall& call) override;

  int64_t currentStep() const { return curStep_; }
  int64_t controlledCalls() const { return controlled_; }  // total so far
  void reset();

private:
  int64_t startStep_, startLayer_, totalSteps_, numCalls_, layerCount_;
  int64_t curStep_ = 0, curCall_ = 0, controlled_ = 0;
};

}  // namespace latentshop
