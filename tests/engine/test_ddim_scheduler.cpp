// LATENTSHOP_TEST_LABELS: golden;schedulers
// DDIMScheduler against ../shared/golden/ddim_scheduler.* (diffusers 0.26.3), the DragDiffusion
// inversion steps against drag_tiny, and behaviours the goldens do not cover, checked against
// values derived by hand from scheduling_ddim.py: spacings, v-prediction, eta > 0, clipping,
// set_alpha_to_one, strength.
#include <cmath>
#include <string>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_scheduler_golden.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/schedulers/ddim_inversion.h"
#include "engine/schedulers/ddim_scheduler.h"
#include "engine/schedulers/scheduler_case_runner.h"
#include "engine/schedulers/scheduler_config.h"

using namespace latentshop;

namespace {

DDIMSchedulerConfig sdConfig() {
  return DDIMSchedulerConfig::fromJson(loadDiffusersJson(lstest::goldenPath("ddim_scheduler.config.json")));
}

std::vector<int64_t> values(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kInt64);
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

double acp(const DDIMScheduler& s, int64_t t) { return s.alphasCumprod()[t].item<double>(); }

bool close(const torch::Tensor& a, const torch::Tensor& e, double tol, std::string* msg) {
  const auto c = lstest::allClose(a, e, tol, 0.0, "value");
  *msg = c.message;
  return c.ok;
}

}  // namespace

class TestDdimScheduler : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void goldenCase() {
    DDIMScheduler s(sdConfig());
    const auto golden = lstest::loadTensors(lstest::goldenPath("ddim_scheduler.io.safetensors"));
    const auto outputs = runSchedulerCase(s, golden);
    int compared = 0;
    const auto faults = lstest::compareWithGolden(outputs, golden, lstest::schedulerInputNames(golden), &compared);
    QVERIFY2(faults.empty(), faults.c_str());
    QCOMPARE(compared, 27);  // every recorded quantity (33 tensors, 6 of them inputs)
    s.setTimesteps(10);
    QCOMPARE(values(s.timesteps()), (std::vector<int64_t>{901, 801, 701, 601, 501, 401, 301, 201, 101, 1}));
  }

  void spacingsByHand() {
    auto c = sdConfig();
    c.timestepSpacing = "linspace";
    DDIMScheduler lin(c);
    lin.setTimesteps(10);
    QCOMPARE(values(lin.timesteps()), (std::vector<int64_t>{999, 888, 777, 666, 555, 444, 333, 222, 111, 0}));
    // linspace(0, 999, 7) = 0, 166.5, 333, 499.5, 666, 832.5, 999: NumPy rounds half to even.
    lin.setTimesteps(7);
    QCOMPARE(values(lin.timesteps()), (std::vector<int64_t>{999, 832, 666, 500, 333, 166, 0}));
    c.timestepSpacing = "trailing";
    DDIMScheduler trail(c);
    trail.setTimesteps(10);
    QCOMPARE(values(trail.timesteps()), (std::vector<int64_t>{999, 899, 799, 699, 599, 499, 399, 299, 199, 99}));
    // arange(1000, 0, -333.33) = 1000, 666.67, 333.33 -> round -> -1
    trail.setTimesteps(3);
    QCOMPARE(values(trail.timesteps()), (std::vector<int64_t>{999, 666, 332}));
    c.timestepSpacing = "leading";
    c.stepsOffset = 0;
    DDIMScheduler lead(c);
    lead.setTimesteps(3);  // 1000 // 3 = 333
    QCOMPARE(values(lead.timesteps()), (std::vector<int64_t>{666, 333, 0}));
    bool threw = false;
    try {
      lead.setTimesteps(1001);
    } catch (const Error& e) {
      threw = std::string(e.what()).find("num_train_timesteps") != std::string::npos;
    }
    QVERIFY(threw);
  }

  void vPredictionByHand() {
    auto c = sdConfig();
    c.predictionType = "v_prediction";
    DDIMScheduler s(c);
    s.setTimesteps(50);
    torch::manual_seed(3);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto v = torch::randn({1, 4, 8, 8});
    const auto r = s.step(v, torch::tensor(int64_t{501}), x);
    const double a = acp(s, 501), ap = acp(s, 481);
    const auto xd = x.to(torch::kFloat64), vd = v.to(torch::kFloat64);
    const auto x0 = std::sqrt(a) * xd - std::sqrt(1 - a) * vd;
    const auto eps = std::sqrt(a) * vd + std::sqrt(1 - a) * xd;
    const auto prev = std::sqrt(ap) * x0 + std::sqrt(1 - ap) * eps;
    std::string msg;
    QVERIFY2(close(r.predOriginalSample, x0, 1e-5, &msg), msg.c_str());
    QVERIFY2(close(r.prevSample, prev, 1e-5, &msg), msg.c_str());
  }

  void etaWithNoiseAndGenerator() {
    DDIMScheduler s(sdConfig());
    s.setTimesteps(10);
    torch::manual_seed(4);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto eps = torch::randn({1, 4, 8, 8});
    const auto noise = torch::randn({1, 4, 8, 8});
    StepOptions o;
    o.eta = 0.7;
    o.noise = noise;
    const auto r = s.step(eps, torch::tensor(int64_t{501}), x, o);
    const double a = acp(s, 501), ap = acp(s, 401);
    const double variance = (1 - ap) / (1 - a) * (1 - a / ap);
    const double sd = 0.7 * std::sqrt(variance);
    const auto xd = x.to(torch::kFloat64), ed = eps.to(torch::kFloat64);
    const auto x0 = (xd - std::sqrt(1 - a) * ed) / std::sqrt(a);
    const auto prev = std::sqrt(ap) * x0 + std::sqrt(1 - ap - sd * sd) * ed + sd * noise.to(torch::kFloat64);
    std::string msg;
    QVERIFY2(close(r.prevSample, prev, 1e-5, &msg), msg.c_str());

    // A generator draws torch.randn(shape, generator) like diffusers' randn_tensor.
    StepOptions g;
    g.eta = 0.7;
    g.generator = at::detail::createCPUGenerator(1234);
    const auto rg = s.step(eps, torch::tensor(int64_t{501}), x, g);
    StepOptions n2;
    n2.eta = 0.7;
    n2.noise = torch::randn({1, 4, 8, 8}, at::detail::createCPUGenerator(1234));
    const auto rn = s.step(eps, torch::tensor(int64_t{501}), x, n2);
    QVERIFY(torch::equal(rg.prevSample, rn.prevSample));
  }

  void clippingAndClippedModelOutput() {
    auto c = sdConfig();
    c.clipSample = true;
    c.clipSampleRange = 0.5;
    DDIMScheduler s(c);
    s.setTimesteps(10);
    torch::manual_seed(5);
    const auto x = 3 * torch::randn({1, 4, 8, 8});
    const auto eps = torch::randn({1, 4, 8, 8});
    StepOptions o;
    o.useClippedModelOutput = true;
    const auto r = s.step(eps, torch::tensor(int64_t{901}), x, o);
    QVERIFY(r.predOriginalSample.abs().max().item<float>() <= 0.5f);
    const double a = acp(s, 901), ap = acp(s, 801);
    const auto x0 = ((x.to(torch::kFloat64) - std::sqrt(1 - a) * eps.to(torch::kFloat64)) / std::sqrt(a)).clamp(-0.5, 0.5);
    const auto epsClipped = (x.to(torch::kFloat64) - std::sqrt(a) * x0) / std::sqrt(1 - a);
    const auto prev = std::sqrt(ap) * x0 + std::sqrt(1 - ap) * epsClipped;
    std::string msg;
    QVERIFY2(close(r.prevSample, prev, 1e-4, &msg), msg.c_str());
  }

  void dynamicThresholdingByHand() {
    auto c = sdConfig();
    c.predictionType = "sample";  // x0 = model output, so the thresholded values are known
    c.thresholding = true;
    c.dynamicThresholdingRatio = 0.75;
    c.sampleMaxValue = 2.0;
    DDIMScheduler s(c);
    s.setTimesteps(10);
    const auto x0 = torch::tensor({0.5f, -3.0f, 1.5f, 2.5f, 0.1f, -0.2f, 0.3f, 0.4f}).reshape({2, 4, 1, 1});
    const auto r = s.step(x0, torch::tensor(int64_t{501}), torch::zeros({2, 4, 1, 1}));
    // item 0: |x| sorted 0.5 1.5 2.5 3, 0.75-quantile at 2.25 -> 2.625, clamped to [1, 2] -> 2:
    //         clamp(x, -2, 2) / 2. item 1: quantile 0.325 -> clamped up to 1: unchanged.
    const auto e = torch::tensor({0.25f, -1.0f, 0.75f, 1.0f, 0.1f, -0.2f, 0.3f, 0.4f}).reshape({2, 4, 1, 1});
    QVERIFY(torch::allclose(r.predOriginalSample, e, 0, 1e-6));
  }

  void setAlphaToOneEndsOnX0() {
    auto c = sdConfig();
    c.setAlphaToOne = true;
    DDIMScheduler s(c);
    QCOMPARE(s.finalAlphaCumprod().item<float>(), 1.0f);
    s.setTimesteps(10);
    torch::manual_seed(6);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto eps = torch::randn({1, 4, 8, 8});
    const auto r = s.step(eps, torch::tensor(int64_t{1}), x);
    QVERIFY(torch::allclose(r.prevSample, r.predOriginalSample));
    DDIMScheduler sd(sdConfig());
    QCOMPARE(sd.finalAlphaCumprod().item<float>(), sd.alphasCumprod()[0].item<float>());
  }

  void addNoisePerBatchTimestep() {
    DDIMScheduler s(sdConfig());
    torch::manual_seed(7);
    const auto x = torch::randn({2, 4, 8, 8});
    const auto n = torch::randn({2, 4, 8, 8});
    const auto y = s.addNoise(x, n, torch::tensor(std::vector<int64_t>{10, 700}));
    for (int64_t b = 0; b < 2; ++b) {
      const double a = acp(s, b == 0 ? 10 : 700);
      const auto e = std::sqrt(a) * x[b].to(torch::kFloat64) + std::sqrt(1 - a) * n[b].to(torch::kFloat64);
      std::string msg;
      QVERIFY2(close(y[b], e, 1e-5, &msg), msg.c_str());
    }
  }

  void strengthTimesteps() {
    DDIMScheduler s(sdConfig());
    s.setTimesteps(50);
    auto r = timestepsForStrength(s, 50, 0.75);  // init 37, t_start 13
    QCOMPARE(r.tStart, int64_t{13});
    QCOMPARE(r.numSteps, int64_t{37});
    QCOMPARE(r.timesteps.size(0), int64_t{37});
    QCOMPARE(r.timesteps[0].item<int64_t>(), int64_t{981 - 13 * 20});
    s.setTimesteps(100);
    r = timestepsForStrength(s, 100, 0.29);  // int(100 * 0.29) = int(28.999999999999996) = 28
    QCOMPARE(r.numSteps, int64_t{28});
    QCOMPARE(r.tStart, int64_t{72});
    r = timestepsForStrength(s, 100, 1.0);
    QCOMPARE(r.tStart, int64_t{0});
    QCOMPARE(r.timesteps.size(0), int64_t{100});
    r = timestepsForStrength(s, 100, 0.0);
    QCOMPARE(r.numSteps, int64_t{0});
    QCOMPARE(r.timesteps.size(0), int64_t{0});
  }

  void dragDiffusionInversionGolden() {
    DDIMScheduler s(sdConfig());
    s.setTimesteps(50);
    const auto g = lstest::loadTensors(lstest::goldenPath("drag_tiny.io.safetensors"));
    const auto inv = inversionTimesteps(s).slice(0, 0, 35);
    QVERIFY(torch::equal(inv, g.at("out.inversion.timesteps")));
    const auto& latents = g.at("out.inversion.latents");
    const auto& eps = g.at("out.inversion.noise_preds");  // inversion steps 1, 2 and 35
    const std::vector<std::pair<int64_t, int64_t>> cases{{0, 0}, {1, 1}, {2, 34}};
    for (const auto& [k, i] : cases) {
      const auto r = dragInvStep(s, eps[k], inv[i], latents[i]);
      const auto c = lstest::schedulerClose(r.prevSample, latents[i + 1], "inversion step " + std::to_string(i + 1));
      QVERIFY2(c.ok, c.message.c_str());
      const auto d = ddimInverseStep(s, eps[k], inv[i], latents[i]);  // same for epsilon, no clipping
      QVERIFY(torch::equal(d.prevSample, r.prevSample));
    }
    // DragPipeline.step at t = 681 from x_t with the first UNet output of the update.
    const auto x = dragStep(s, g.at("out.drag.unet_outputs")[0], g.at("out.t"), g.at("out.inversion.latent"));
    auto c = lstest::schedulerClose(x.prevSample, g.at("derived.drag.x_prev_0"), "x_prev_0");
    QVERIFY2(c.ok, c.message.c_str());
    // DragPipeline.__call__'s first two DDIM steps (681, 661).
    const auto& lat = g.at("out.denoise.latents_first2");
    const auto& np = g.at("out.denoise.noise_preds_first2");
    auto a = s.step(np[0], torch::tensor(int64_t{681}), g.at("out.denoise.latents_in"));
    c = lstest::schedulerClose(a.prevSample, lat[0], "denoise step 1");
    QVERIFY2(c.ok, c.message.c_str());
    a = s.step(np[1], torch::tensor(int64_t{661}), lat[0]);
    c = lstest::schedulerClose(a.prevSample, lat[1], "denoise step 2");
    QVERIFY2(c.ok, c.message.c_str());
  }

  void dragStepUsesFinalAlphaAtZero() {
    // DragPipeline.step takes alphas_cumprod[prev] only for prev > 0; at prev == 0 (leading, offset
    // 0, 10 steps: t = 100 -> prev 0) it uses final_alpha_cumprod, unlike DDIMScheduler.step.
    auto c = sdConfig();
    c.stepsOffset = 0;
    c.setAlphaToOne = true;
    DDIMScheduler s(c);
    s.setTimesteps(10);
    torch::manual_seed(8);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto eps = torch::randn({1, 4, 8, 8});
    const auto drag = dragStep(s, eps, torch::tensor(int64_t{100}), x);
    QVERIFY(torch::allclose(drag.prevSample, drag.predOriginalSample));  // alpha_prev = 1
    const auto ddim = s.step(eps, torch::tensor(int64_t{100}), x);
    QVERIFY(!torch::allclose(ddim.prevSample, ddim.predOriginalSample));
  }
};

QTEST_GUILESS_MAIN(TestDdimScheduler)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_ddim_scheduler.moc"
#endif
