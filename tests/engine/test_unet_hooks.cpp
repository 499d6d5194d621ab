// LATENTSHOP_TEST_LABELS: golden;models
// The UNet hooks the pipelines build on, checked on the SD1.5-shaped tiny UNet and the DragDiffusion
// golden (../shared/golden/drag_tiny.*): decoder features (index 0 = mid block, then up_blocks[i])
// equal the official all_intermediate_features; the attention controller sees the 32 calls in
// DragDiffusion's order, and mutual self-attention through it reproduces MutualSelfAttentionControl;
// bf16 stays close to fp32 (within a bound from bf16's epsilon and the output's magnitude); the
// forward is differentiable with respect to the latent.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/testing.h"
#include "support/precision_bounds.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/models/model_config_reader.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/nn/forward_hooks.h"
#include "model_golden.h"

using namespace latentshop;

namespace {

struct CallLog : nn::AttentionController {
  std::vector<std::pair<std::string, bool>> calls;
  std::vector<int64_t> heads;
  void onAttention(nn::AttentionCall& call) override {
    calls.emplace_back(call.path, call.isCross);
    heads.push_back(call.heads);
  }
};

// DragDiffusion's MutualSelfAttentionControl for one forward (guidance 1, step in step_idx): self-
// attention calls whose index // 2 is in layerIdx let batch 1's queries attend to batch 0's keys/values.
struct MutualSelfAttention : nn::AttentionController {
  int64_t callIndex = 0;
  int64_t first = 10, last = 15;  // layer_idx = range(start_layer=10, 16)
  int64_t controlled = 0;
  void onAttention(nn::AttentionCall& call) override {
    const int64_t layer = callIndex++ / 2;
    if (call.isCross || layer < first || layer > last) return;
    call.k = call.k.narrow(0, 0, 1).expand_as(call.k);
    call.v = call.v.narrow(0, 0, 1).expand_as(call.v);
    ++controlled;
  }
};

}  // namespace

class TestUnetHooks : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void decoderFeaturesMatchDragDiffusion() {
    torch::InferenceMode inference;
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    SafetensorsFile io(lstest::goldenPath("drag_tiny.io.safetensors"));
    const auto config = modelcfg::readJsonFile(lstest::goldenPath("drag_tiny.config.json"));
    UNetForwardOptions options;
    options.returnDecoderFeatures = true;
    const auto t = io.view("out.t").item<int64_t>();
    auto out = unet->forward(io.view("out.inversion.latent"), t, io.view("in.prompt_embeds"), options);
    const auto& shapes = config.at("all_intermediate_features_shapes");
    QCOMPARE(out.decoderFeatures.size(), shapes.size());
    for (std::size_t i = 0; i < shapes.size(); ++i)
      QCOMPARE(out.decoderFeatures[i].sizes().vec(), shapes[i].get<std::vector<int64_t>>());
    auto c = lstest::allClose(out.sample, io.view("out.features.unet_output"), 1e-4, 0.0, "unet_output");
    QVERIFY2(c.ok, c.message.c_str());
    c = lstest::allClose(out.decoderFeatures[3], io.view("out.features.layer3_raw"), 1e-4, 0.0, "layer3_raw");
    QVERIFY2(c.ok, c.message.c_str());
    // Without the option nothing is collected and the sample is the same.
    auto plain = unet->forward(io.view("out.inversion.latent"), t, io.view("in.prompt_embeds"));
    QVERIFY(plain.decoderFeatures.empty());
    QVERIFY(torch::equal(plain.sample, out.sample));
  }

  void attentionCallOrder() {
    torch::InferenceMode inference;
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    const auto config = modelcfg::readJsonFile(lstest::goldenPath("drag_tiny.config.json"));
    const auto& order = config.at("mutual_self_attention").at("call_order");
    CallLog log;
    nn::ForwardHooks hooks{&log, nullptr};
    UNetForwardOptions options;
    options.hooks = &hooks;
    unet->forward(torch::randn({1, 4, 16, 16}), 10, torch::randn({1, 7, 32}), options);
    QCOMPARE(log.calls.size(), order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      QCOMPARE(log.calls[i].first, order[i][1].get<std::string>());
      QCOMPARE(log.calls[i].second, order[i][2].get<std::string>() == "cross");
      QCOMPARE(log.heads[i], int64_t{8});
    }
    // attentionModules() lists the same modules in the same order.
    const auto modules = unet->attentionModules();
    QCOMPARE(modules.size(), order.size());
    for (std::size_t i = 0; i < order.size(); ++i) QCOMPARE(modules[i].first, order[i][1].get<std::string>());
  }

  void mutualSelfAttentionMatchesDragDiffusion() {
    torch::InferenceMode inference;
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    SafetensorsFile io(lstest::goldenPath("drag_tiny.io.safetensors"));
    const auto latents = io.view("in.masactrl.latents");
    const auto emb = io.view("in.prompt_embeds");
    const auto context = torch::cat({emb, emb});
    const auto t = io.view("out.t").item<int64_t>();
    MutualSelfAttention editor;
    nn::ForwardHooks hooks{&editor, nullptr};
    UNetForwardOptions options;
    options.hooks = &hooks;
    auto edited = unet->forward(latents, t, context, options).sample;
    QCOMPARE(editor.callIndex, int64_t{32});
    QCOMPARE(editor.controlled, int64_t{6});
    auto c = lstest::allClose(edited, io.view("out.masactrl.noise_pred"), 1e-4, 0.0, "masactrl.noise_pred");
    QVERIFY2(c.ok, c.message.c_str());
    auto plain = unet->forward(latents, t, context).sample;
    c = lstest::allClose(plain, io.view("derived.masactrl.noise_pred_without_control"), 1e-4, 0.0, "without control");
    QVERIFY2(c.ok, c.message.c_str());
    // Only batch 1 changes.
    QVERIFY(torch::allclose(edited[0], plain[0], 0.0, 1e-6));
    QVERIFY((edited[1] - plain[1]).abs().max().item<float>() > 1e-3);
  }

  void bf16CloseToFloat() {
    torch::InferenceMode inference;
    SafetensorsFile io(lstest::goldenPath("unet_sd15_shaped_tiny.io.safetensors"));
    auto f32 = lstest::goldenUnet("unet_sd15_shaped_tiny");
    auto bf16 = lstest::goldenUnet("unet_sd15_shaped_tiny", torch::TensorOptions().dtype(torch::kBFloat16));
    QVERIFY(bf16->dtype() == torch::kBFloat16);
    auto a = f32->forward(io.view("in.sample"), 500, io.view("in.encoder_hidden_states")).sample;
    auto b = bf16->forward(io.view("in.sample"), 500, io.view("in.encoder_hidden_states")).sample;
    QVERIFY(b.scalar_type() == torch::kBFloat16);
    // Each residual block (ResNet / Transformer2D, 38 here) adds bf16 rounding of about eps (2^-7) × the
    // output's magnitude: bound = eps · max|fp32| · sqrt(blocks) · 2 (≈ 0.096 · max|fp32|; a simulation
    // of this model's bf16 roundings lands near 0.017 · max|fp32|).
    const double scale = lstest::maxAbs(a);
    const double blocks = lstest::unetResidualBlocks(bf16->config());
    const double bound = lstest::lowPrecisionBound(torch::kBFloat16, scale, blocks, 2.0);
    const double diff = (b.to(torch::kFloat) - a).abs().max().item<double>();
    std::printf("bf16 vs fp32: max |diff| %.4g (max |fp32| %.4g, bound %.4g over %.0f blocks)\n", diff, scale, bound,
                blocks);
    QVERIFY2(diff <= bound, ("bf16 drifted: max |diff| " + std::to_string(diff) + " > bound " + std::to_string(bound) +
                             " = eps(bf16) · max|fp32| " + std::to_string(scale) + " · sqrt(" + std::to_string(blocks) +
                             ") · 2").c_str());
  }

  // Grad mode on: the same numbers, and gradients reach the latent (motion supervision needs them).
  void differentiableForward() {
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    SafetensorsFile io(lstest::goldenPath("unet_sd15_shaped_tiny.io.safetensors"));
    auto x = io.view("in.sample").clone().requires_grad_(true);
    UNetForwardOptions options;
    options.returnDecoderFeatures = true;
    auto out = unet->forward(x, 500, io.view("in.encoder_hidden_states"), options);
    auto c = lstest::allClose(out.sample, io.view("out.sample.t500"), 1e-4, 0.0, "grad-mode forward");
    QVERIFY2(c.ok, c.message.c_str());
    (out.decoderFeatures[3].abs().sum() + out.sample.square().sum()).backward();
    QVERIFY(x.grad().defined());
    QVERIFY(x.grad().isfinite().all().item<bool>());
    QVERIFY(x.grad().abs().max().item<float>() > 0.0f);
    for (const auto& p : unet->parameters()) QVERIFY(!p.grad().defined());  // frozen base weights
  }
};

QTEST_GUILESS_MAIN(TestUnetHooks)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_unet_hooks.moc"
#endif
