// LATENTSHOP_TEST_LABELS: golden;models
// UNet2DConditionModel against diffusers 0.26.3 (../shared/golden/unet_*): every run of every case
// (int, per-batch int64 and 0-d float timesteps) and the recorded intermediates, within 1e-4.
#include <map>
#include <string>

#include "support/testing.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/nn/forward_hooks.h"
#include "model_golden.h"

using namespace latentshop;

namespace {

constexpr double kAtol = 1e-4;

struct CaseResult {
  std::string failure;
  int runs = 0;
  int intermediates = 0;
  double worst = 0.0;
};

// Runs every in.timestep.<run> of the case; records intermediates for run "t500".
CaseResult runCase(const std::string& name, bool channelsLast) {
  CaseResult r;
  torch::InferenceMode inference;
  auto unet = lstest::goldenUnet(name);
  unet->setChannelsLast(channelsLast);
  SafetensorsFile io(lstest::goldenPath(name + ".io.safetensors"));
  const auto sample = io.view("in.sample");
  const auto context = io.view("in.encoder_hidden_states");
  for (const auto& key : io.names()) {
    if (key.rfind("in.timestep.", 0) != 0) continue;
    const std::string run = key.substr(12);
    nn::TensorMapRecorder recorder;
    nn::ForwardHooks hooks;
    hooks.recorder = &recorder;
    UNetForwardOptions options;
    options.hooks = &hooks;
    auto out = unet->forward(sample, Timestep(io.view(key)), context, options).sample;
    auto c = lstest::allClose(out, io.view("out.sample." + run), kAtol, 0.0, name + " out.sample." + run);
    r.worst = std::max(r.worst, c.maxAbsDiff);
    if (!c.ok) {
      r.failure = c.message;
      return r;
    }
    ++r.runs;
    int compared = 0;
    r.failure = lstest::compareIntermediates(io, "inter." + run + ".", recorder.values(), kAtol, compared, &r.worst);
    if (!r.failure.empty()) return r;
    r.intermediates += compared;
  }
  return r;
}

}  // namespace

class TestUnetGolden : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void unetTiny() {
    for (bool cl : {true, false}) {
      auto r = runCase("unet_tiny", cl);
      QVERIFY2(r.failure.empty(), r.failure.c_str());
      QCOMPARE(r.runs, 3);
      QCOMPARE(r.intermediates, 34);
      std::printf("unet_tiny (channels-last %d): worst |diff| %.3g\n", int(cl), r.worst);
    }
  }

  void sd15ShapedTiny() {
    auto r = runCase("unet_sd15_shaped_tiny", true);
    QVERIFY2(r.failure.empty(), r.failure.c_str());
    QCOMPARE(r.runs, 3);
    QCOMPARE(r.intermediates, 14);
    std::printf("unet_sd15_shaped_tiny: worst |diff| %.3g\n", r.worst);
  }

  void inpaintTiny() {
    auto r = runCase("unet_inpaint_tiny", true);
    QVERIFY2(r.failure.empty(), r.failure.c_str());
    QCOMPARE(r.runs, 3);
  }

  void ip2pTiny() {
    auto r = runCase("unet_ip2p_tiny", true);
    QVERIFY2(r.failure.empty(), r.failure.c_str());
    QCOMPARE(r.runs, 3);
  }

  // Python int, 0-d tensor, 1-element and per-batch tensors give the same result.
  void timestepForms() {
    torch::InferenceMode inference;
    auto unet = lstest::goldenUnet("unet_tiny");
    SafetensorsFile io(lstest::goldenPath("unet_tiny.io.safetensors"));
    const auto x = io.view("in.sample");
    const auto ctx = io.view("in.encoder_hidden_states");
    auto a = unet->forward(x, 500, ctx).sample;
    auto b = unet->forward(x, torch::tensor(int64_t{500}), ctx).sample;
    auto c = unet->forward(x, torch::tensor({int64_t{500}}), ctx).sample;
    auto d = unet->forward(x, torch::tensor({int64_t{500}, int64_t{500}}), ctx).sample;
    auto e = unet->forward(x, 500.0, ctx).sample;
    QVERIFY(torch::equal(a, b));
    QVERIFY(torch::equal(a, c));
    QVERIFY(torch::equal(a, d));
    QVERIFY(torch::equal(a, e));
    bool threw = false;
    try {
      unet->forward(x, torch::tensor({int64_t{1}, int64_t{2}, int64_t{3}}), ctx);
    } catch (const Error& err) {
      threw = std::string(err.what()).find("timestep") != std::string::npos;
    }
    QVERIFY(threw);
  }

  // A latent size that is not a multiple of the upsampling factor: diffusers forwards the skip sizes.
  void oddLatentSize() {
    torch::InferenceMode inference;
    auto unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    auto x = torch::randn({1, 4, 13, 11});
    auto ctx = torch::randn({1, 7, 32});
    auto out = unet->forward(x, 10, ctx).sample;
    QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{1, 4, 13, 11}));
    QVERIFY(out.isfinite().all().item<bool>());
  }
};

QTEST_GUILESS_MAIN(TestUnetGolden)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_unet_golden.moc"
#endif
