// LATENTSHOP_TEST_LABELS: io
// Strict state-dict binding: exact binds copy with dtype conversion; every fault is listed.
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/io/state_dict.h"

using namespace latentshop;

namespace {
struct TinyImpl : torch::nn::Module {
  TinyImpl() {
    conv = register_module("conv_in", torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 8, 3)));
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({8})));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(Tiny);

StateDict fullDict() {
  return {{"conv_in.weight", torch::ones({8, 4, 3, 3}, torch::kHalf)},
          {"conv_in.bias", torch::full({8}, 2.0, torch::kBFloat16)},
          {"norm.weight", torch::full({8}, 3.0)},
          {"norm.bias", torch::zeros({8})}};
}
}  // namespace

class TestStateDict : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void bindsAndConverts() {
    Tiny m;
    bindStateDict(*m, fullDict(), "tiny.safetensors", "Tiny");
    QVERIFY(m->conv->weight.scalar_type() == torch::kFloat);
    QCOMPARE(m->conv->weight.sum().item<float>(), 8.0f * 4 * 9);
    QCOMPARE(m->conv->bias[0].item<float>(), 2.0f);
    QCOMPARE(m->norm->weight[7].item<float>(), 3.0f);
  }

  void listsEveryFault() {
    Tiny m;
    auto d = fullDict();
    d.erase("norm.bias");
    d["conv_in.weight"] = torch::ones({8, 9, 3, 3});
    d["extra.weight"] = torch::ones({1});
    const auto before = m->conv->weight.clone();
    try {
      bindStateDict(*m, d, "model.safetensors", "UNet2DConditionModel");
      QFAIL("expected an error");
    } catch (const Error& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("model.safetensors: cannot load UNet2DConditionModel") == 0, msg.c_str());
      QVERIFY2(msg.find("1 missing key: norm.bias") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("1 unexpected key: extra.weight") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("conv_in.weight: file [8, 9, 3, 3] vs model [8, 4, 3, 3]") != std::string::npos, msg.c_str());
    }
    QVERIFY(torch::equal(before, m->conv->weight));  // nothing copied on failure
  }

  void toleratesListedKeys() {
    Tiny m;
    auto d = fullDict();
    d["text_model.embeddings.position_ids"] = torch::arange(77);
    d.erase("norm.bias");
    BindOptions o;
    o.ignoreUnexpectedSuffixes = {"position_ids"};
    o.allowMissingSuffixes = {"norm.bias"};
    QVERIFY(checkStateDict(*m, d, o).ok());
    bindStateDict(*m, d, "x", "Tiny", o);
  }
};

QTEST_GUILESS_MAIN(TestStateDict)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_state_dict.moc"
#endif
