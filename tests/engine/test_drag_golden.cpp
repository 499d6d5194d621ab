// LATENTSHOP_TEST_LABELS: golden;drag
// DragDiffusion parity on ../shared/golden/drag_tiny.* (official code @ ebe659a on the SD1.5-shaped
// tiny UNet): every stage a–e reproduced piece by piece — DDIM inversion, decoder features, point
// tracking (exact, ties included), run_drag's point and mask conversion (exact), the motion-
// supervision steps (losses, gradients, latents, tracked handles exact), the mutual-self-attention
// denoise and the decoded image.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/testing.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/models/model_config_reader.h"
#include "engine/pipelines/drag_ddim.h"
#include "engine/pipelines/drag_features.h"
#include "engine/pipelines/drag_geometry.h"
#include "engine/pipelines/drag_mutual_attention.h"
#include "engine/pipelines/drag_tracking.h"
#include "engine/pipelines/drag_update.h"
#include "model_golden.h"

using namespace latentshop;

namespace {

namespace F = torch::nn::functional;

torch::Tensor points(const nlohmann::json& j) {
  auto t = torch::empty({static_cast<int64_t>(j.size()), 2});
  for (std::size_t i = 0; i < j.size(); ++i) {
    t[static_cast<int64_t>(i)][0] = j[i][0].get<float>();
    t[static_cast<int64_t>(i)][1] = j[i][1].get<float>();
  }
  return t;
}

#define EXPECT_CLOSE(actual, expected, atol, rtol, name)                          \
  do {                                                                            \
    auto c_ = lstest::allClose((actual), (expected), (atol), (rtol), (name));     \
    std::printf("  %-44s max|diff| %.3g\n", (name), c_.maxAbsDiff);               \
    QVERIFY2(c_.ok, c_.message.c_str());                                          \
  } while (0)

struct Golden {
  UNet2DConditionModel unet{nullptr};
  AutoencoderKL vae{nullptr};
  std::unique_ptr<SafetensorsFile> io;
  nlohmann::json config;
  torch::Tensor view(const std::string& name) const { return io->view(name); }
};

Golden& golden() {
  static Golden g = [] {
    Golden x;
    x.unet = lstest::goldenUnet("unet_sd15_shaped_tiny");
    x.vae = lstest::goldenVae("vae_tiny");
    x.io = std::make_unique<SafetensorsFile>(lstest::goldenPath("drag_tiny.io.safetensors"));
    x.config = modelcfg::readJsonFile(lstest::goldenPath("drag_tiny.config.json"));
    return x;
  }();
  return g;
}

}  // namespace

class TestDragGolden : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void inversion();
  void features();
  void pointTracking();
  void reachCheck();
  void pointsAndMasks();
  void motionSupervision();
  void denoise();
  void mutualSelfAttentionCall();
};

void TestDragGolden::initTestCase() {
  configureTorchThreads();
  golden();
}

void TestDragGolden::inversion() {
  auto& g = golden();
  const auto& params = g.config.at("params");
  const int64_t n = params.at("n_inference_step").get<int64_t>();
  const int64_t nActual = dragActualSteps(params.at("inversion_strength").get<double>(), n);
  QCOMPARE(nActual, params.at("n_actual_inference_step").get<int64_t>());
  auto scheduler = makeDragScheduler(n);
  QVERIFY(torch::equal(scheduler.timesteps(), g.view("out.scheduler_timesteps_50")));
  const auto inv = invertForDrag(*g.unet, scheduler, g.view("in.x0"), g.view("in.prompt_embeds"), nActual, true);
  QVERIFY(torch::equal(torch::tensor(inv.timesteps, torch::kLong), g.view("out.inversion.timesteps")));
  QCOMPARE(inv.t, g.view("out.t").item<int64_t>());
  QCOMPARE(inv.t, params.at("t").get<int64_t>());
  const auto expected = g.view("out.inversion.latents");
  QCOMPARE(static_cast<int64_t>(inv.latents.size()), expected.size(0));
  EXPECT_CLOSE(torch::stack(inv.latents), expected, 1e-4, 0.0, "out.inversion.latents");
  EXPECT_CLOSE(torch::stack({inv.noisePreds[0], inv.noisePreds[1], inv.noisePreds.back()}),
               g.view("out.inversion.noise_preds"), 1e-4, 0.0, "out.inversion.noise_preds");
  EXPECT_CLOSE(inv.latent, g.view("out.inversion.latent"), 1e-4, 0.0, "out.inversion.latent");
}

void TestDragGolden::features() {
  auto& g = golden();
  torch::NoGradGuard noGrad;
  const auto f = forwardUnetFeatures(*g.unet, g.view("out.inversion.latent"), g.view("out.t").item<int64_t>(),
                                     g.view("in.prompt_embeds"), {3}, 128, 128);
  EXPECT_CLOSE(f.unetOutput, g.view("out.features.unet_output"), 1e-4, 0.0, "out.features.unet_output");
  EXPECT_CLOSE(f.rawFeatures[0], g.view("out.features.layer3_raw"), 1e-4, 0.0, "out.features.layer3_raw");
  EXPECT_CLOSE(f.features, g.view("out.features.F0"), 1e-4, 0.0, "out.features.F0");
  // Out-of-range feature layers are refused with the valid range.
  bool threw = false;
  try {
    forwardUnetFeatures(*g.unet, g.view("out.inversion.latent"), 681, g.view("in.prompt_embeds"), {5}, 128, 128);
  } catch (const Error& e) {
    threw = std::string(e.what()).find("0..4") != std::string::npos;
  }
  QVERIFY(threw);
}

void TestDragGolden::pointTracking() {
  auto& g = golden();
  const auto F0 = g.view("out.features.F0");
  torch::Tensor perturbed;
  {
    torch::NoGradGuard noGrad;
    perturbed = forwardUnetFeatures(*g.unet, g.view("in.tracking.perturbed.latent"), g.view("out.t").item<int64_t>(),
                                    g.view("in.prompt_embeds"), {3}, 128, 128)
                    .features;
  }
  const std::vector<std::pair<int64_t, int64_t>> shifts = {{2, -1}, {3, 2}, {-1, 1}};
  int index = 0;
  for (const auto& c : g.config.at("point_tracking_cases")) {
    const std::string name = c.at("name").get<std::string>();
    const auto F1 = name == "perturbed" ? perturbed
                                        : torch::roll(F0, {shifts.at(index).first, shifts.at(index).second}, {2, 3});
    ++index;
    const auto current = points(c.at("handle_points"));
    const auto init = points(c.at("handle_points_init"));
    QVERIFY(torch::equal(current, g.view("out.tracking." + name + ".current")));
    QVERIFY(torch::equal(init, g.view("out.tracking." + name + ".init")));
    // Golden F0 for the rolled cases (exact matches); our own features for the perturbed one.
    const auto result = trackHandlePoints(F0, F1, current, init, 3);
    QVERIFY2(torch::equal(result, g.view("out.tracking." + name + ".result")), name.c_str());
    QVERIFY(torch::equal(result, points(c.at("result"))));
  }
  // The same with our own F0 (the margins are large enough for every case).
  torch::Tensor ownF0;
  {
    torch::NoGradGuard noGrad;
    ownF0 = forwardUnetFeatures(*g.unet, g.view("out.inversion.latent"), 681, g.view("in.prompt_embeds"), {3}, 128, 128)
                .features;
  }
  const auto c = g.config.at("point_tracking_cases").at(3);
  QVERIFY(torch::equal(trackHandlePoints(ownF0, perturbed, points(c.at("handle_points")), points(c.at("handle_points_init")), 3),
                       g.view("out.tracking.perturbed.result")));
}

void TestDragGolden::reachCheck() {
  for (const auto& c : golden().config.at("check_handle_reach_target_cases"))
    QCOMPARE(handlesReachedTargets(points(c.at("handle_points")), points(c.at("target_points"))), c.at("reached").get<bool>());
  // Strictly below 2: a handle exactly 2 away has not arrived.
  QVERIFY(!handlesReachedTargets(torch::tensor({{10.0f, 10.0f}}), torch::tensor({{12.0f, 10.0f}})));
  QVERIFY(handlesReachedTargets(torch::tensor({{10.0f, 10.0f}}), torch::tensor({{11.0f, 11.0f}})));
}

void TestDragGolden::pointsAndMasks() {
  auto& g = golden();
  const auto clicks = g.view("in.points_xy");
  const cv::Size full(256, 256);
  const cv::Size grid = dragSupervisionSize(full);
  QCOMPARE(grid.width, 128);
  auto handles = torch::empty({2, 2}), targets = torch::empty({2, 2});
  for (int64_t i = 0; i < 4; ++i) {
    const auto p = workPointToGrid(cv::Point2f(static_cast<float>(clicks[i][0].item<int64_t>()),
                                               static_cast<float>(clicks[i][1].item<int64_t>())),
                                   full, grid);
    auto& dst = i % 2 == 0 ? handles : targets;
    dst[i / 2][0] = p[0];
    dst[i / 2][1] = p[1];
  }
  // Round half to even: 50.5 → 50 (handle 1's column), 45.5 → 46 (target 1's row).
  QVERIFY(torch::equal(handles, g.view("derived.handle_points")));
  QVERIFY(torch::equal(targets, g.view("derived.target_points")));
  const auto mask = g.view("in.mask_u8").to(torch::kFloat).div(255.0).gt(0).to(torch::kFloat).reshape({1, 1, 256, 256});
  const auto maskSup = F::interpolate(mask, F::InterpolateFuncOptions().size(std::vector<int64_t>{128, 128}).mode(torch::kNearest));
  QVERIFY(torch::equal(maskSup, g.view("derived.mask_sup")));
}

void TestDragGolden::motionSupervision() {
  auto& g = golden();
  const auto& params = g.config.at("params");
  auto scheduler = makeDragScheduler(50);
  DragUpdateOptions o;
  o.steps = params.at("n_pix_step").get<int64_t>();
  o.lr = params.at("lr").get<double>();
  o.rM = params.at("r_m").get<int64_t>();
  o.rP = params.at("r_p").get<int64_t>();
  o.lam = params.at("lam").get<double>();
  o.featureIdx = params.at("unet_feature_idx").get<std::vector<int64_t>>();
  o.supH = o.supW = 128;
  o.record = true;
  const auto xt = g.view("out.inversion.latent");
  const auto before = xt.clone();
  std::vector<int64_t> observed;
  const auto r = dragDiffusionUpdate(*g.unet, scheduler, xt, g.view("in.prompt_embeds"), 681, g.view("derived.handle_points"),
                                     g.view("derived.target_points"), g.view("derived.mask_sup"), o,
                                     [&](const DragUpdateStep& s) {
                                       observed.push_back(s.index);
                                       return true;
                                     });
  QVERIFY(torch::equal(xt, before));  // the input latent is not modified
  QCOMPARE(r.stepsRun, int64_t{3});
  QVERIFY(observed == (std::vector<int64_t>{0, 1, 2}));
  QVERIFY(!r.reached && !r.stopped);
  const auto& rec = r.record;
  QVERIFY(torch::equal(rec.maskLatent, g.view("derived.mask_latent")));
  EXPECT_CLOSE(rec.xPrev0, g.view("derived.drag.x_prev_0"), 1e-4, 0.0, "derived.drag.x_prev_0");
  EXPECT_CLOSE(torch::stack(rec.unetOutputs), g.view("out.drag.unet_outputs"), 1e-4, 0.0, "out.drag.unet_outputs");
  std::vector<torch::Tensor> terms;
  for (const auto& row : rec.lossTerms) terms.push_back(torch::tensor(row, torch::kDouble));
  EXPECT_CLOSE(torch::stack(terms), g.view("derived.drag.loss_terms"), 0.0, 1e-4, "derived.drag.loss_terms");
  EXPECT_CLOSE(torch::tensor(rec.losses, torch::kDouble), g.view("out.drag.losses"), 0.0, 1e-4, "out.drag.losses");
  // Tracking agrees exactly (the closest argmin margin is 2.0025 vs 2.0051).
  QVERIFY(torch::equal(torch::stack(rec.tracked), g.view("out.drag.tracked_handle_points")));
  QVERIFY(torch::equal(torch::stack(rec.handlesPerStep), g.view("out.drag.handle_points_per_step")));
  const auto grads = g.view("out.drag.grads");
  EXPECT_CLOSE(torch::stack(rec.grads), grads, 1e-3 * grads.abs().max().item<double>(), 0.0, "out.drag.grads");
  EXPECT_CLOSE(torch::stack(rec.latents), g.view("out.drag.latents"), 1e-4, 0.0, "out.drag.latents");
  EXPECT_CLOSE(r.latent, g.view("out.drag.updated_latent"), 1e-4, 0.0, "out.drag.updated_latent");
}

void TestDragGolden::denoise() {
  auto& g = golden();
  auto scheduler = makeDragScheduler(50);
  DragDenoiseOptions o;
  o.numActualSteps = 35;
  o.startStep = 0;
  o.startLayer = 10;
  o.keepFirst = 2;
  const auto d = denoiseWithMutualAttention(*g.unet, scheduler, g.view("out.denoise.latents_in"), g.view("in.prompt_embeds"), o);
  QVERIFY(torch::equal(torch::tensor(d.timesteps, torch::kLong), g.view("out.denoise.timesteps")));
  QCOMPARE(d.controlledCalls, int64_t{6 * 35});
  EXPECT_CLOSE(torch::stack(d.noisePreds), g.view("out.denoise.noise_preds_first2"), 1e-4, 0.0, "out.denoise.noise_preds_first2");
  EXPECT_CLOSE(torch::stack(d.latentsPerStep), g.view("out.denoise.latents_first2"), 1e-4, 0.0, "out.denoise.latents_first2");
  EXPECT_CLOSE(d.latents, g.view("out.denoise.latents_final"), 1e-3, 0.0, "out.denoise.latents_final");
  torch::NoGradGuard noGrad;
  const auto image = (g.vae->decode(g.vae->unscaleLatents(d.latents.narrow(0, 1, 1))) / 2 + 0.5).clamp(0, 1);
  EXPECT_CLOSE(image, g.view("out.denoise.image_edited"), 1e-3, 0.0, "out.denoise.image_edited");
}

void TestDragGolden::mutualSelfAttentionCall() {
  auto& g = golden();
  torch::NoGradGuard noGrad;
  const auto emb = g.view("in.prompt_embeds");
  const auto context = torch::cat({emb, emb});
  MutualSelfAttentionController editor(0, 10, 50, static_cast<int64_t>(g.unet->attentionModules().size()));
  nn::ForwardHooks hooks{&editor, nullptr};
  UNetForwardOptions options;
  options.hooks = &hooks;
  const auto out = g.unet->forward(g.view("in.masactrl.latents"), 681, context, options).sample;
  QCOMPARE(editor.controlledCalls(), int64_t{6});
  QCOMPARE(editor.currentStep(), int64_t{1});
  EXPECT_CLOSE(out, g.view("out.masactrl.noise_pred"), 1e-4, 0.0, "out.masactrl.noise_pred");
  // Without the editor the same call gives the uncontrolled prediction.
  const auto plain = g.unet->forward(g.view("out.denoise.latents_in"), 681, context).sample;
  EXPECT_CLOSE(plain, g.view("derived.denoise.noise_pred_step1_without_control"), 1e-4, 0.0, "without control");
}

QTEST_GUILESS_MAIN(TestDragGolden)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_drag_golden.moc"
#endif
