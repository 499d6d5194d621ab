// LATENTSHOP_TEST_LABELS: models
// LoRA on the UNet's attention projections (DragDiffusion's train_lora set-up): 4 layers per
// Attention module under the reference key names, invisible to base-weight binding; up = 0 leaves the
// output unchanged, a non-zero LoRA changes it, disabling restores it; save/load round-trips (with the
// "unet." prefix and the older processor names); LoRA weights train through autograd.
#include <cmath>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "support/testing.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/models/model_config_reader.h"
#include "engine/models/unet_lora.h"
#include "model_golden.h"

using namespace latentshop;

class TestUnetLora : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void layoutAndKeys() {
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    const auto config = modelcfg::readJsonFile(lstest::goldenPath("drag_tiny.config.json")).at("lora");
    UNetLoraOptions o;
    o.rank = config.at("rank").get<int64_t>();
    o.seed = 0;
    addUNetLora(*unet, o);
    QCOMPARE(countUNetLoraLayers(*unet), config.at("num_lora_layers").get<int64_t>());
    const auto dict = unetLoraStateDict(*unet);
    QCOMPARE(static_cast<int64_t>(dict.size()), config.at("num_lora_tensors").get<int64_t>());
    for (const auto& key : config.at("example_keys")) QVERIFY2(dict.count(key.get<std::string>()), key.dump().c_str());
    // Shapes per module as in the reference: down [r, in], up [out, r].
    for (const auto& m : config.at("attention_modules")) {
      const std::string module = m.at("module").get<std::string>();
      for (const char* target : {"to_q", "to_k", "to_v", "to_out.0"}) {
        const auto inOut = m.at(target).get<std::vector<int64_t>>();
        const auto& down = dict.at(module + "." + target + ".lora.down.weight");
        const auto& up = dict.at(module + "." + target + ".lora.up.weight");
        QCOMPARE(down.sizes().vec(), (std::vector<int64_t>{o.rank, inOut[0]}));
        QCOMPARE(up.sizes().vec(), (std::vector<int64_t>{inOut[1], o.rank}));
        QVERIFY(up.abs().max().item<float>() == 0.0f);
        QVERIFY(down.requires_grad() && up.requires_grad());
      }
    }
    // Init like train_lora: down ~ N(0, 1/rank).
    double sum2 = 0.0;
    int64_t n = 0;
    for (const auto& [key, t] : dict)
      if (key.find(".lora.down.") != std::string::npos) sum2 += t.detach().square().sum().item<double>(), n += t.numel();
    const double stdev = std::sqrt(sum2 / static_cast<double>(n));
    QVERIFY2(std::abs(stdev - 1.0 / static_cast<double>(o.rank)) < 0.003, std::to_string(stdev).c_str());
    // Base-weight binding never sees the LoRA tensors.
    SafetensorsFile weights(lstest::goldenPath("unet_sd15_shaped_tiny.weights.safetensors"));
    QVERIFY(checkStateDict(*unet, weights.viewAll()).ok());
    for (const auto& p : unet->named_parameters()) QVERIFY2(p.key().find("lora") == std::string::npos, p.key().c_str());
  }

  void zeroUpIsIdentityNonZeroChanges() {
    torch::InferenceMode inference;
    SafetensorsFile io(lstest::goldenPath("unet_sd15_shaped_tiny.io.safetensors"));
    const auto x = io.view("in.sample");
    const auto ctx = io.view("in.encoder_hidden_states");
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    auto base = unet->forward(x, 500, ctx).sample;
    UNetLoraOptions o;
    o.rank = 4;
    o.seed = 1;
    o.requiresGrad = false;
    addUNetLora(*unet, o);
    QVERIFY(torch::equal(unet->forward(x, 500, ctx).sample, base));  // up = 0

    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    for (auto& [key, t] : unetLoraStateDict(*unet))
      if (key.find(".lora.up.") != std::string::npos) t.normal_(0.0, 0.05, gen);
    auto withLora = unet->forward(x, 500, ctx).sample;
    const double change = (withLora - base).abs().max().item<double>();
    QVERIFY2(change > 1e-3, std::to_string(change).c_str());

    setUNetLoraScale(*unet, 0.0);
    QVERIFY(torch::equal(unet->forward(x, 500, ctx).sample, base));
    setUNetLoraScale(*unet, 1.0);
    setUNetLoraEnabled(*unet, false);
    QVERIFY(torch::equal(unet->forward(x, 500, ctx).sample, base));
    setUNetLoraEnabled(*unet, true);
    QVERIFY(torch::equal(unet->forward(x, 500, ctx).sample, withLora));

    // Save, load into a fresh UNet: same output. Also under the older processor key names.
    const std::string path = lstest::scratchDir() + "/lora.safetensors";
    saveUNetLoraFile(*unet, path);
    SafetensorsFile saved(path);
    QVERIFY(saved.contains("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight"));
    auto other = lstest::goldenUnet("unet_sd15_shaped_tiny");
    loadUNetLoraFile(*other, path);
    QCOMPARE(countUNetLoraLayers(*other), int64_t{128});
    auto c = lstest::allClose(other->forward(x, 500, ctx).sample, withLora, 1e-6, 0.0, "reloaded LoRA");
    QVERIFY2(c.ok, c.message.c_str());

    StateDict oldNames;
    for (const auto& [key, t] : unetLoraStateDict(*unet)) {
      std::string k = key;
      for (const auto& [now, before] : std::vector<std::pair<std::string, std::string>>{
               {".to_q.lora.", ".processor.to_q_lora."}, {".to_k.lora.", ".processor.to_k_lora."},
               {".to_v.lora.", ".processor.to_v_lora."}, {".to_out.0.lora.", ".processor.to_out_lora."}}) {
        const auto at = k.find(now);
        if (at != std::string::npos) k = k.substr(0, at) + before + k.substr(at + now.size());
      }
      oldNames.emplace(k, t);
    }
    auto third = lstest::goldenUnet("unet_sd15_shaped_tiny");
    loadUNetLora(*third, oldNames, "old_lora.bin");
    c = lstest::allClose(third->forward(x, 500, ctx).sample, withLora, 1e-6, 0.0, "processor-named LoRA");
    QVERIFY2(c.ok, c.message.c_str());

    removeUNetLora(*unet);
    QCOMPARE(countUNetLoraLayers(*unet), int64_t{0});
    QVERIFY(torch::equal(unet->forward(x, 500, ctx).sample, base));
  }

  void loadErrorsNameTheProblem() {
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    StateDict bad;
    bad["unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight"] = torch::zeros({4, 64});
    bad["unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_k.lora.down.weight"] = torch::zeros({4, 64});
    bad["unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_k.lora.up.weight"] = torch::zeros({64, 5});
    bad["unet.mid_block.nothing.lora.up.weight"] = torch::zeros({1, 1});
    try {
      loadUNetLora(*unet, bad, "drag_lora.safetensors");
      QFAIL("expected an error");
    } catch (const Error& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("drag_lora.safetensors: cannot load UNet LoRA") == 0, msg.c_str());
      QVERIFY2(msg.find("1 unknown keys: unet.mid_block.nothing.lora.up.weight") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("attn1.to_q (no up weight)") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("attn1.to_k: down [4, 64] / up [64, 5]") != std::string::npos, msg.c_str());
    }
    QCOMPARE(countUNetLoraLayers(*unet), int64_t{0});  // nothing installed
  }

  // One optimisation step of the LoRA weights through the UNet, as train_lora does (fp32 here).
  void loraTrainsThroughAutograd() {
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    UNetLoraOptions o;
    o.rank = 4;
    o.seed = 2;
    addUNetLora(*unet, o);
    auto params = unetLoraParameters(*unet);
    QCOMPARE(params.size(), std::size_t{256});
    torch::optim::AdamW opt(params, torch::optim::AdamWOptions(5e-4).weight_decay(1e-2));
    auto x = torch::randn({1, 4, 16, 16});
    auto ctx = torch::randn({1, 7, 32});
    auto noise = torch::randn({1, 4, 16, 16});
    auto loss0 = torch::mse_loss(unet->forward(x, 100, ctx).sample, noise);
    opt.zero_grad();
    loss0.backward();
    int64_t withGrad = 0;
    for (const auto& p : params) withGrad += p.grad().defined() ? 1 : 0;
    QCOMPARE(withGrad, int64_t{256});
    for (const auto& p : unet->parameters()) QVERIFY(!p.grad().defined());
    opt.step();
    auto loss1 = torch::mse_loss(unet->forward(x, 100, ctx).sample, noise);
    QVERIFY(loss1.item<double>() != loss0.item<double>());
  }
};

QTEST_GUILESS_MAIN(TestUnetLora)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_unet_lora.moc"
#endif
