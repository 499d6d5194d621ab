// LATENTSHOP_TEST_LABELS: golden;models
// Models on sizes that are not a multiple of their down-sampling factor, against diffusers 0.26.3
// (tests/golden/odd_sizes, made by tests/golden/README.md's recipe): UNet2DConditionModel forwards the
// skip tensors' sizes to its up-samplers so the output keeps the input's size (2-, 3- and 4-level
// UNets, two odd sizes each, batch 1 and 2, int and per-batch timesteps, block outputs on the small
// sizes); AutoencoderKL and AutoencoderTiny give the reference's shapes and values on odd images and
// latents (their encoders round up, their decoders double). Every case runs channels-last and not.
#include <filesystem>
#include <string>
#include <vector>

#include "support/testing.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/io/state_dict.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/models/taesd.h"
#include "engine/models/unet_2d_condition.h"
#include "engine/nn/forward_hooks.h"
#include "engine/schedulers/scheduler_config.h"
#include "model_golden.h"

using namespace latentshop;

namespace {

constexpr double kAtol = 1e-4;

std::string oddPath(const std::string& name) { return lstest::projectGoldenPath("odd_sizes/" + name); }

// The case files of one model, e.g. "unet_tiny" -> unet_tiny_7x5_b1, ... (sorted).
std::vector<std::string> casesOf(const std::string& model) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(oddPath(""))) {
    const auto name = e.path().filename().string();
    const std::string suffix = ".io.safetensors";
    if (name.rfind(model + "_", 0) == 0 && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 && name.find("weights") == std::string::npos) {
      const auto rest = name.substr(model.size() + 1);
      if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest[0]))) out.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

UNet2DConditionModel unetFor(const std::string& model) {
  if (model == "unet_3level_tiny") {
    UNet2DConditionModel unet(UNet2DConditionConfig::fromFile(oddPath(model + ".config.json")));
    SafetensorsFile weights(oddPath(model + ".weights.safetensors"));
    bindStateDict(*unet, weights.viewAll(), weights.path(), "UNet2DConditionModel");
    return unet;
  }
  return lstest::goldenUnet(model);
}

struct Tally {
  int cases = 0, runs = 0, intermediates = 0;
  double worst = 0;
};

// Every run of every case of `model`; returns the first failure or "".
std::string runUnetCases(const std::string& model, Tally& tally) {
  torch::InferenceMode inference;
  auto unet = unetFor(model);
  for (bool channelsLast : {true, false}) {
    unet->setChannelsLast(channelsLast);
    for (const auto& name : casesOf(model)) {
      SafetensorsFile io(oddPath(name + ".io.safetensors"));
      const auto sample = io.view("in.sample");
      const auto context = io.view("in.encoder_hidden_states");
      for (const std::string run : {"t500", "tvec"}) {
        nn::TensorMapRecorder recorder;
        nn::ForwardHooks hooks;
        hooks.recorder = &recorder;
        UNetForwardOptions options;
        options.hooks = &hooks;
        const auto out = unet->forward(sample, Timestep(io.view("in.timestep." + run)), context, options).sample;
        if (out.sizes() != sample.sizes()) {
          return name + " " + run + ": output " + c10::str(out.sizes()) + " for input " + c10::str(sample.sizes());
        }
        auto c = lstest::allClose(out, io.view("out.sample." + run), kAtol, 0.0, name + " out.sample." + run);
        tally.worst = std::max(tally.worst, c.maxAbsDiff);
        if (!c.ok) return c.message;
        ++tally.runs;
        int compared = 0;
        auto f = lstest::compareIntermediates(io, "inter." + run + ".", recorder.values(), kAtol, compared, &tally.worst);
        if (!f.empty()) return name + ": " + f;
        tally.intermediates += compared;
      }
      ++tally.cases;
    }
  }
  return "";
}

std::string check(const torch::Tensor& actual, const SafetensorsFile& io, const std::string& name, Tally& tally) {
  const auto& expected = io.view(name);
  if (actual.sizes() != expected.sizes()) {
    return io.path() + " " + name + ": shape " + c10::str(actual.sizes()) + ", reference " + c10::str(expected.sizes());
  }
  auto c = lstest::allClose(actual, expected, kAtol, 0.0, name);
  tally.worst = std::max(tally.worst, c.maxAbsDiff);
  ++tally.runs;
  return c.ok ? "" : io.path() + " " + c.message;
}

}  // namespace

class TestOddSizeGolden : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void twoLevelUnet() {
    Tally t;
    const auto f = runUnetCases("unet_tiny", t);
    QVERIFY2(f.empty(), f.c_str());
    QCOMPARE(t.cases, 8);          // 7x5 and 9x12, batch 1 and 2, channels-last and not
    QCOMPARE(t.runs, 16);
    QCOMPARE(t.intermediates, 8 * 6);  // 2 down, mid, 2 up, the up-sampler (t500 only)
    std::printf("unet_tiny odd sizes: worst |diff| %.3g\n", t.worst);
  }

  void threeLevelUnet() {
    Tally t;
    const auto f = runUnetCases("unet_3level_tiny", t);
    QVERIFY2(f.empty(), f.c_str());
    QCOMPARE(t.cases, 8);  // 10x6 (the reported case) and 13x7
    QCOMPARE(t.intermediates, 8 * 9);
    std::printf("unet_3level_tiny odd sizes: worst |diff| %.3g\n", t.worst);
  }

  void sd15ShapedUnet() {
    Tally t;
    const auto f = runUnetCases("unet_sd15_shaped_tiny", t);
    QVERIFY2(f.empty(), f.c_str());
    QCOMPARE(t.cases, 8);  // 10x6 and 75x55 (a 600x440 image's latents)
    QCOMPARE(t.intermediates, 4 * 12);  // 4 down, mid, 4 up, 3 up-samplers; recorded on 10x6 only
    std::printf("unet_sd15_shaped_tiny odd sizes: worst |diff| %.3g\n", t.worst);
  }

  void autoencoderKl() {
    torch::InferenceMode inference;
    auto vae = lstest::goldenVae("vae_tiny");
    Tally t;
    const auto cases = casesOf("vae_tiny");
    QCOMPARE(cases.size(), std::size_t{4});
    for (const auto& name : cases) {
      SafetensorsFile io(oddPath(name + ".io.safetensors"));
      auto posterior = vae->encode(io.view("in.image"));
      std::string f;
      QVERIFY2((f = check(posterior.mean, io, "out.posterior_mean", t)).empty(), f.c_str());
      QVERIFY2((f = check(posterior.logvar, io, "out.posterior_logvar", t)).empty(), f.c_str());
      QVERIFY2((f = check(posterior.std, io, "out.posterior_std", t)).empty(), f.c_str());
      QVERIFY2((f = check(posterior.sample(io.view("out.posterior_sample_noise")), io, "out.posterior_sample", t)).empty(), f.c_str());
      QVERIFY2((f = check(vae->decode(io.view("in.latent")), io, "out.decoded", t)).empty(), f.c_str());
      QVERIFY2((f = check(vae->decode(posterior.mode()), io, "out.forward_mode", t)).empty(), f.c_str());
    }
    std::printf("vae_tiny odd sizes: %d tensors, worst |diff| %.3g\n", t.runs, t.worst);
  }

  void autoencoderTiny() {
    torch::InferenceMode inference;
    const auto config = AutoencoderTinyConfig::fromJson(loadDiffusersJson(oddPath("taesd_narrow.config.json")));
    AutoencoderTiny taesd(config, true);
    SafetensorsFile weights(oddPath("taesd_narrow.weights.safetensors"));
    bindStateDict(*taesd, weights.viewAll(), weights.path(), "AutoencoderTiny");
    Tally t;
    const auto cases = casesOf("taesd_narrow");
    QCOMPARE(cases.size(), std::size_t{4});
    for (const auto& name : cases) {
      SafetensorsFile io(oddPath(name + ".io.safetensors"));
      std::string f;
      QVERIFY2((f = check(taesd->encode(io.view("in.image")), io, "out.encoded", t)).empty(), f.c_str());
      QVERIFY2((f = check(taesd->decode(io.view("in.latent")), io, "out.decoded", t)).empty(), f.c_str());
    }
    std::printf("taesd_narrow odd sizes: %d tensors, worst |diff| %.3g\n", t.runs, t.worst);
  }
};

QTEST_GUILESS_MAIN(TestOddSizeGolden)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_odd_size_golden.moc"
#endif
