// LATENTSHOP_TEST_LABELS: golden;models
// AutoencoderKL against diffusers 0.26.3 (../shared/golden/vae_tiny): posterior mean/logvar/std,
// sample, decode, decode(mode), and the 16 recorded intermediates, within 1e-4 channels-last, NCHW and
// NCHW with every 3×3 convolution through Winograd F(2×2, 3×3) (which also matches at::conv2d on
// odd shapes); the seeded noise
// equals torch.randn(generator=manual_seed(2012)); old attention key names convert and bind.
#include <string>

#include "support/testing.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/nn/forward_hooks.h"
#include "engine/nn/winograd_conv.h"
#include "model_golden.h"

using namespace latentshop;

namespace {
constexpr double kAtol = 1e-4;

std::string check(const torch::Tensor& actual, const SafetensorsFile& io, const std::string& name) {
  auto c = lstest::allClose(actual, io.view(name), kAtol, 0.0, name);
  std::printf("  %s\n", c.message.c_str());
  return c.ok ? "" : c.message;
}
}  // namespace

class TestVaeGolden : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void outputsAndIntermediates() {
    // channels-last, NCHW with at::conv2d, NCHW with every 3×3 convolution through Winograd F(2×2, 3×3).
    for (int layout : {0, 1, 2}) {
      torch::InferenceMode inference;
      auto vae = lstest::goldenVae("vae_tiny");
      vae->setChannelsLast(layout == 0);
      nn::setConvAlgorithm(*vae, layout == 2 ? nn::ConvAlgorithm::Always : nn::ConvAlgorithm::Direct);
      SafetensorsFile io(lstest::goldenPath("vae_tiny.io.safetensors"));
      nn::TensorMapRecorder encodeRec, decodeRec;
      nn::ForwardHooks encodeHooks{nullptr, &encodeRec}, decodeHooks{nullptr, &decodeRec};
      auto posterior = vae->encode(io.view("in.image"), &encodeHooks);
      std::string f;
      QVERIFY2((f = check(posterior.mean, io, "out.posterior_mean")).empty(), f.c_str());
      QVERIFY2((f = check(posterior.logvar, io, "out.posterior_logvar")).empty(), f.c_str());
      QVERIFY2((f = check(posterior.std, io, "out.posterior_std")).empty(), f.c_str());
      QVERIFY2((f = check(posterior.sample(io.view("out.posterior_sample_noise")), io, "out.posterior_sample")).empty(),
               f.c_str());
      QVERIFY2((f = check(vae->decode(io.view("in.latent"), &decodeHooks), io, "out.decoded")).empty(), f.c_str());
      QVERIFY2((f = check(vae->decode(posterior.mode()), io, "out.forward_mode")).empty(), f.c_str());
      QVERIFY2((f = check(vae->forward(io.view("in.image")), io, "out.forward_mode")).empty(), f.c_str());
      int encoded = 0, decoded = 0;
      f = lstest::compareIntermediates(io, "inter.encode.", encodeRec.values(), kAtol, encoded);
      QVERIFY2(f.empty(), f.c_str());
      f = lstest::compareIntermediates(io, "inter.decode.", decodeRec.values(), kAtol, decoded);
      QVERIFY2(f.empty(), f.c_str());
      QCOMPARE(encoded + decoded, 16);
    }
  }

  // diffusers' randn_tensor with torch.Generator().manual_seed(seed) on CPU == at::randn with a CPU
  // generator of the same seed (same library code), so pipelines can reproduce the reference draws.
  void seededNoiseMatchesReference() {
    torch::InferenceMode inference;
    SafetensorsFile io(lstest::goldenPath("vae_tiny.io.safetensors"));
    const auto seed = io.view("in.sample_seed").item<int64_t>();
    auto gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
    auto noise = torch::randn({1, 4, 16, 16}, gen, torch::TensorOptions().dtype(torch::kFloat));
    QVERIFY(torch::equal(noise, io.view("out.posterior_sample_noise")));

    auto vae = lstest::goldenVae("vae_tiny");
    auto posterior = vae->encode(io.view("in.image"));
    auto gen2 = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
    auto c = lstest::allClose(posterior.sample(gen2), io.view("out.posterior_sample"), kAtol);
    QVERIFY2(c.ok, c.message.c_str());
  }

  // The Winograd path against at::conv2d on shapes the VAE does not have: odd sides, a batch of 2,
  // channel counts that are not powers of two, channels-last input, a bias or none, with and without
  // the fused nearest ×2 up-sampling. Float32 sums in another order: within 1e-4 of outputs ~±5.
  void winogradMatchesConv2d() {
    torch::InferenceMode inference;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(31);
    struct Case {
      int64_t batch, in, out, h, w;
      bool up, bias, channelsLast;
    };
    for (const Case& c : {Case{1, 16, 16, 1, 1, false, true, false}, Case{2, 24, 40, 7, 5, false, true, false},
                          Case{1, 33, 17, 13, 2, false, false, true}, Case{2, 16, 24, 5, 9, true, true, false},
                          Case{1, 48, 16, 11, 11, true, false, true}, Case{1, 64, 64, 40, 37, false, true, false}}) {
      auto x = torch::randn({c.batch, c.in, c.h, c.w}, gen);
      if (c.channelsLast) x = x.contiguous(at::MemoryFormat::ChannelsLast);
      auto w = torch::randn({c.out, c.in, 3, 3}, gen) / std::sqrt(9.0 * static_cast<double>(c.in));
      auto b = c.bias ? torch::randn({c.out}, gen) : torch::Tensor();
      const auto in = c.up ? at::upsample_nearest2d(x, {2 * c.h, 2 * c.w}, 2.0, 2.0) : x;
      const auto expected = at::conv2d(in, w, b, 1, 1);
      QVERIFY(nn::winogradApplies(x, w, 1, 1));
      const auto actual = nn::winogradConv3x3(x, nn::winogradTransformWeight(w), b, c.up);
      QCOMPARE(actual.sizes(), expected.sizes());
      auto r = lstest::allClose(actual, expected, 1e-4, 0.0, "winograd");
      QVERIFY2(r.ok, r.message.c_str());
    }
    // What it does not compute goes to at::conv2d: stride 2, 5×5, bf16, too few channels.
    auto x = torch::randn({1, 16, 8, 8});
    QVERIFY(!nn::winogradApplies(x, torch::randn({16, 16, 3, 3}), 2, 1));
    QVERIFY(!nn::winogradApplies(x, torch::randn({16, 16, 5, 5}), 1, 2));
    QVERIFY(!nn::winogradApplies(x.to(torch::kBFloat16), torch::randn({16, 16, 3, 3}).to(torch::kBFloat16), 1, 1));
    QVERIFY(!nn::winogradApplies(torch::randn({1, 8, 8, 8}), torch::randn({16, 8, 3, 3}), 1, 1));
    // Conv2d in Auto mode: 1×1 as a GEMM and 3×3 through Winograd, same numbers as Direct.
    nn::Conv2d point(64, 32, 1, 1, 0, true, torch::TensorOptions());
    nn::Conv2d wide(256, 16, 3, 1, 1, true, torch::TensorOptions());
    for (auto* conv : {&point, &wide}) {
      (*conv)->weight.normal_(0.0, 0.05, gen);
      (*conv)->bias.normal_(0.0, 0.1, gen);
      auto input = torch::randn({2, (*conv)->weight.size(1), 9, 6}, gen);
      (*conv)->algorithm = nn::ConvAlgorithm::Direct;
      const auto direct = (*conv)(input);
      (*conv)->algorithm = nn::ConvAlgorithm::Auto;
      auto r = lstest::allClose((*conv)(input), direct, 1e-4, 0.0, "auto");
      QVERIFY2(r.ok, r.message.c_str());
    }
  }

  void deprecatedAttentionNames() {
    torch::InferenceMode inference;
    SafetensorsFile weights(lstest::goldenPath("vae_tiny.weights.safetensors"));
    auto current = weights.viewAll();
    StateDict old;
    const std::pair<const char*, const char*> names[] = {
        {".to_q.", ".query."}, {".to_k.", ".key."}, {".to_v.", ".value."}, {".to_out.0.", ".proj_attn."}};
    int renamed = 0;
    for (const auto& [key, t] : current) {
      std::string k = key;
      torch::Tensor v = t;
      for (const auto& [now, before] : names) {
        const auto at = k.find(now);
        if (k.find("attentions.") != std::string::npos && at != std::string::npos) {
          k = k.substr(0, at) + before + k.substr(at + std::string(now).size());
          if (v.dim() == 2 && renamed % 2 == 0) v = v.view({v.size(0), v.size(1), 1, 1});  // some as 1×1 convs
          ++renamed;
        }
      }
      old.emplace(k, v);
    }
    QCOMPARE(renamed, 16);  // encoder + decoder: 4 projections × (weight, bias) each
    AutoencoderKL vae(AutoencoderKLConfig::fromFile(lstest::goldenPath("vae_tiny.config.json")));
    QVERIFY(!checkStateDict(*vae, old).ok());
    QCOMPARE(convertDeprecatedAttentionKeys(old), int64_t{16});
    QVERIFY2(checkStateDict(*vae, old).ok(), checkStateDict(*vae, old).describe().c_str());
    bindStateDict(*vae, old, "old.safetensors", "AutoencoderKL");
    SafetensorsFile io(lstest::goldenPath("vae_tiny.io.safetensors"));
    auto c = lstest::allClose(vae->decode(io.view("in.latent")), io.view("out.decoded"), kAtol);
    QVERIFY2(c.ok, c.message.c_str());
  }

  void configDefaultsAndErrors() {
    auto sd = AutoencoderKLConfig::stableDiffusion();
    QCOMPARE(sd.downscaleFactor(), int64_t{8});
    QCOMPARE(sd.layersPerBlock, int64_t{2});
    QVERIFY(!sd.shiftFactor.has_value());
    auto withShift = AutoencoderKLConfig::fromJson({{"shift_factor", 0.1159}, {"scaling_factor", 0.3611}}, "vae.json");
    AutoencoderKL vae(withShift);
    auto z = torch::full({1, 4, 2, 2}, 1.0);
    auto back = vae->unscaleLatents(vae->scaleLatents(z));
    QVERIFY(torch::allclose(back, z, 1e-6, 1e-6));
    QVERIFY(std::abs(vae->scaleLatents(z)[0][0][0][0].item<double>() - (1.0 - 0.1159) * 0.3611) < 1e-6);
    try {
      AutoencoderKLConfig::fromJson({{"down_block_types", {"AttnDownEncoderBlock2D"}}}, "vae/config.json");
      QFAIL("expected an error");
    } catch (const Error& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("vae/config.json: down_block_types: 'AttnDownEncoderBlock2D'") == 0, msg.c_str());
    }
    // norm_num_groups 0 divided by zero; 64+ levels made downscaleFactor() shift past 63 bits.
    try {
      AutoencoderKLConfig::fromJson({{"norm_num_groups", 0}}, "vae/config.json");
      QFAIL("expected an error");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("vae/config.json: norm_num_groups: must be positive") == 0, e.what());
    }
    try {
      const std::vector<int64_t> channels(70, 32);
      const std::vector<std::string> down(70, "DownEncoderBlock2D"), up(70, "UpDecoderBlock2D");
      AutoencoderKLConfig::fromJson({{"block_out_channels", channels}, {"down_block_types", down}, {"up_block_types", up}},
                                    "vae/config.json");
      QFAIL("expected an error");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("vae/config.json: block_out_channels: 70 levels") == 0, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestVaeGolden)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_vae_golden.moc"
#endif
