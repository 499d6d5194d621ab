// LATENTSHOP_TEST_LABELS: models
// TAESD (diffusers AutoencoderTiny) with random weights written by the test: the full-size key
// layout binds strictly (and every fault is reported), the original taesd_decoder layout maps to
// the same model, shapes, determinism, a block checked by hand, and the whole decoder checked
// against a functional re-implementation from the state dict.
#include <cmath>
#include <functional>
#include <string>

#include "support/error_text.h"
#include "support/testing.h"
#include "support/test_paths.h"
#include "test_taesd_support.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/models/taesd.h"
#include "engine/models/taesd_loader.h"

using namespace latentshop;
using lstest::errorOf;
using lstest::contains;

namespace {

std::string scratch(const std::string& name) { return lstest::scratchDir() + "/" + name; }

// A 3x3 convolution weight that only has its centre tap (a per-pixel channel mix).
torch::Tensor centreTaps(const torch::Tensor& mix) {
  auto w = torch::zeros({mix.size(0), mix.size(1), 3, 3});
  w.select(3, 1).select(2, 1).copy_(mix);
  return w;
}

}  // namespace

class TestTaesd : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void fullSizeLayoutBindsStrictly() {
    const auto layout = lstest::taesdKeyLayout(true);
    const auto weights = lstest::randomWeights(layout, 1, torch::kFloat16);  // fp16 file, fp32 model
    const auto dir = lstest::writeTaesdFolder(scratch("taesd_full"), weights);
    TaesdLoadOptions o;
    o.withEncoder = true;
    auto model = loadTaesd(dir, o);
    const auto params = model->named_parameters();
    QCOMPARE(params.size(), layout.size());
    for (const auto& [name, tensor] : weights) {
      const auto* p = params.find(name);
      QVERIFY2(p != nullptr, name.c_str());
      QVERIFY2(p->scalar_type() == torch::kFloat32, name.c_str());
      QVERIFY2(torch::equal(*p, tensor.to(torch::kFloat32)), name.c_str());
    }
    // Decoder only: the file's encoder keys are skipped, the decoder still binds strictly.
    auto decoderOnly = loadTaesd(dir);
    QVERIFY(!decoderOnly->hasEncoder());
    QCOMPARE(decoderOnly->named_parameters().size(), lstest::taesdKeyLayout(false).size());
  }

  void bindFaultsAreReported() {
    auto weights = lstest::randomWeights(lstest::taesdKeyLayout(true), 2);
    const auto removed = weights[5].first;
    weights.erase(weights.begin() + 5);
    weights.push_back({"decoder.layers.5.weight", torch::zeros({1})});  // Upsample has no weights
    weights[0].second = torch::zeros({64, 4, 1, 1});                    // decoder.layers.0.weight
    const auto dir = lstest::writeTaesdFolder(scratch("taesd_bad"), weights);
    const auto msg = errorOf([&] { loadTaesd(dir); });
    QVERIFY2(contains(msg, "diffusion_pytorch_model.safetensors") && contains(msg, removed) &&
                 contains(msg, "unexpected key: decoder.layers.5.weight") && contains(msg, "decoder.layers.0.weight: file [64, 4, 1, 1]"),
             msg.c_str());

    const auto noConfig = scratch("taesd_noconfig");
    std::filesystem::create_directories(noConfig);
    auto m = errorOf([&] { loadTaesd(noConfig); });
    QVERIFY2(contains(m, "config.json") && contains(m, "AutoencoderTiny"), m.c_str());
    const auto kl = lstest::writeTaesdFolder(scratch("taesd_kl"), weights, R"({"_class_name": "AutoencoderKL"})");
    m = errorOf([&] { loadTaesd(kl); });
    QVERIFY2(contains(m, "AutoencoderKL"), m.c_str());
    const auto bin = scratch("taesd_bin");
    std::filesystem::create_directories(bin);
    std::ofstream(bin + "/config.json") << lstest::taesdConfigJson();
    m = errorOf([&] { loadTaesd(bin); });
    QVERIFY2(contains(m, "diffusion_pytorch_model.safetensors") && contains(m, "missing"), m.c_str());
    m = errorOf([&] { loadTaesd(scratch("nowhere")); });
    QVERIFY2(contains(m, "nowhere") && contains(m, "no such"), m.c_str());
  }

  void originalDecoderFileLayout() {
    const auto weights = lstest::randomWeights(lstest::taesdKeyLayout(false), 3);
    std::vector<std::pair<std::string, torch::Tensor>> original;  // "decoder.layers.K.x" -> "(K+1).x"
    for (const auto& [name, t] : weights) {
      const auto rest = name.substr(std::string("decoder.layers.").size());
      const auto dot = rest.find('.');
      original.push_back({std::to_string(std::stoi(rest.substr(0, dot)) + 1) + rest.substr(dot), t});
    }
    const auto file = scratch("taesd_decoder.safetensors");
    writeSafetensors(file, original);
    auto a = loadTaesd(file);
    auto b = loadTaesd(lstest::writeTaesdFolder(scratch("taesd_same"), weights));
    torch::manual_seed(4);
    const auto z = torch::randn({1, 4, 8, 8});
    torch::NoGradGuard ng;
    QVERIFY(torch::equal(a->decode(z), b->decode(z)));
  }

  void shapesAndDeterminism() {
    auto model = AutoencoderTiny(AutoencoderTinyConfig{}, true);
    torch::NoGradGuard ng;
    torch::manual_seed(5);
    const auto z = torch::randn({2, 4, 8, 12});
    const auto img = model->decode(z);
    QCOMPARE(img.sizes().vec(), (std::vector<int64_t>{2, 3, 64, 96}));
    QVERIFY(torch::equal(img, model->decode(z)));
    QVERIFY(torch::allclose(img[1], model->decode(z.slice(0, 1, 2))[0], 1e-4, 1e-5));  // batch items independent
    const auto lat = model->encode(torch::rand({1, 3, 64, 96}) * 2 - 1);
    QCOMPARE(lat.sizes().vec(), (std::vector<int64_t>{1, 4, 8, 12}));
  }

  void blockByHand() {
    torch::NoGradGuard ng;
    // Block(1, 1): with centre-only kernels it is elementwise:
    // y = relu(e * relu(c * relu(a * x + b0) + b1) + b2 + x).
    AutoencoderTinyBlock same(1, 1, "relu");
    const double a = 0.8, b0 = -0.1, c = -1.3, b1 = 0.4, e = 0.9, b2 = -0.2;
    auto params = same->named_parameters();
    params["conv.0.weight"].copy_(centreTaps(torch::full({1, 1}, a)));
    params["conv.0.bias"].fill_(b0);
    params["conv.2.weight"].copy_(centreTaps(torch::full({1, 1}, c)));
    params["conv.2.bias"].fill_(b1);
    params["conv.4.weight"].copy_(centreTaps(torch::full({1, 1}, e)));
    params["conv.4.bias"].fill_(b2);
    QVERIFY(params.find("skip.weight") == nullptr);
    torch::manual_seed(6);
    const auto x = torch::randn({1, 1, 5, 7});
    const auto y = same->forward(x);
    auto relu = [](double v) { return v > 0 ? v : 0.0; };
    for (int64_t i = 0; i < 5; ++i) {
      for (int64_t j = 0; j < 7; ++j) {
        const double v = x[0][0][i][j].item<double>();
        const double expected = relu(e * relu(c * relu(a * v + b0) + b1) + b2 + v);
        QVERIFY2(std::abs(y[0][0][i][j].item<double>() - expected) < 1e-6, (std::to_string(i) + "," + std::to_string(j)).c_str());
      }
    }
    // Block(2, 3): channel mixes, and a 1x1 `skip` (no bias) because the channel count changes.
    AutoencoderTinyBlock wide(2, 3, "relu");
    auto p = wide->named_parameters();
    QCOMPARE(p["skip.weight"].sizes().vec(), (std::vector<int64_t>{3, 2, 1, 1}));
    QVERIFY(p.find("skip.bias") == nullptr);
    const auto m0 = torch::randn({3, 2}), m1 = torch::randn({3, 3}), m2 = torch::randn({3, 3}), s = torch::randn({3, 2});
    p["conv.0.weight"].copy_(centreTaps(m0));
    p["conv.2.weight"].copy_(centreTaps(m1));
    p["conv.4.weight"].copy_(centreTaps(m2));
    for (const char* bias : {"conv.0.bias", "conv.2.bias", "conv.4.bias"}) p[bias].zero_();
    p["skip.weight"].copy_(s.view({3, 2, 1, 1}));
    const auto x2 = torch::randn({1, 2, 4, 4});
    const auto y2 = wide->forward(x2);
    const auto pix = x2[0].permute({1, 2, 0}).reshape({-1, 2});  // [16, 2]
    const auto h = torch::relu(torch::relu(torch::relu(pix.matmul(m0.t())).matmul(m1.t())).matmul(m2.t()) + pix.matmul(s.t()));
    QVERIFY(torch::allclose(y2[0].permute({1, 2, 0}).reshape({-1, 3}), h, 1e-5, 1e-6));
  }

  void decoderMatchesFunctionalReference() {
    // A small config runs the same graph: tanh clamp, conv, ReLU, blocks, nearest x2, convs
    // without bias, final conv with bias, then * 2 - 1.
    AutoencoderTinyConfig c;
    c.decoderBlockOutChannels = {8, 8};
    c.numDecoderBlocks = {2, 1};
    c.encoderBlockOutChannels = {8, 8};
    c.numEncoderBlocks = {1, 1};
    AutoencoderTiny model(c, false);
    torch::NoGradGuard ng;
    torch::manual_seed(7);
    for (auto& t : model->parameters()) t.copy_(torch::randn(t.sizes()) * 0.3);
    const auto w = model->named_parameters();
    auto conv = [&](const torch::Tensor& x, const std::string& k, bool bias) {
      return torch::conv2d(x, w["decoder.layers." + k + ".weight"], bias ? w["decoder.layers." + k + ".bias"] : torch::Tensor(), 1, 1);
    };
    auto block = [&](const torch::Tensor& x, const std::string& k) {
      auto h = torch::relu(conv(x, k + ".conv.0", true));
      h = torch::relu(conv(h, k + ".conv.2", true));
      return torch::relu(conv(h, k + ".conv.4", true) + x);
    };
    const auto z = torch::randn({1, 4, 6, 5}) * 4;
    auto x = torch::relu(conv(torch::tanh(z / 3) * 3, "0", true));  // layers 0, 1
    x = block(block(x, "2"), "3");
    x = torch::upsample_nearest2d(x, c10::nullopt, std::vector<double>{2.0, 2.0});  // layer 4
    x = conv(x, "5", false);
    x = block(x, "6");
    x = conv(x, "7", true);
    const auto expected = x * 2 - 1;
    const auto actual = model->decode(z);
    QCOMPARE(actual.sizes().vec(), (std::vector<int64_t>{1, 3, 12, 10}));
    QVERIFY(torch::allclose(actual, expected, 1e-5, 1e-6));
  }
};

QTEST_GUILESS_MAIN(TestTaesd)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_taesd.moc"
#endif
