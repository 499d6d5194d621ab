// `latentshop-cli tensors run clip_text --config C.json --weights W.safetensors --inputs IO --out OUT`:
// parity harness for CLIPTextModel on the ../shared/golden conventions: in.input_ids [B, T] (and an
// optional in.attention_mask) → out.last_hidden_state, out.pooler_output and out.hidden_states.<i>
// (0 = embeddings, i = after layer i, before the final LayerNorm). Outputs are written as float32
// whatever --dtype the model ran in.
#include "app/cli/tensor_runners.h"
#include "engine/core/device.h"
#include "engine/core/error.h"
#include "engine/io/model_files.h"
#include "engine/io/safetensors.h"
#include "engine/models/clip_text_model.h"

namespace latentshop::cli {

namespace {

void runClipText(const TensorRunOptions& o) {
  if (o.config.empty()) throw Error("tensors run clip_text: --config is required");
  if (o.weights.empty()) throw Error("tensors run clip_text: --weights is required");
  const auto options = torch::TensorOptions().dtype(parseDtype(o.dtype)).device(parseDevice(o.device));
  torch::InferenceMode inference;
  const auto weights = WeightSet::openFile(o.weights);
  auto model = loadClipTextModel(ClipTextConfig::fromFile(o.config), weights.tensors(), o.weights, options);
  const SafetensorsFile inputs(o.inputs);
  if (!inputs.contains("in.input_ids")) throw fileError(o.inputs, "missing input tensor 'in.input_ids'");
  const auto ids = inputs.load("in.input_ids", torch::kLong);
  torch::Tensor mask;
  if (inputs.contains("in.attention_mask")) mask = inputs.load("in.attention_mask", torch::kLong);
  const auto out = model->forward(ids, /*outputHiddenStates=*/true, mask);
  const auto f32 = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat).contiguous(); };
  std::vector<std::pair<std::string, torch::Tensor>> outputs = {{"out.last_hidden_state", f32(out.lastHiddenState)},
                                                                {"out.pooler_output", f32(out.pooledOutput)}};
  for (std::size_t i = 0; i < out.hiddenStates.size(); ++i)
    outputs.emplace_back("out.hidden_states." + std::to_string(i), f32(out.hiddenStates[i]));
  writeSafetensors(o.out, outputs, {{"runner", "tensors run clip_text"}, {"dtype", o.dtype}, {"device", o.device}});
}

}  // namespace

}  // namespace latentshop::cli

LATENTSHOP_TENSOR_RUNNER(run, clip_text, latentshop::cli::runClipText)
