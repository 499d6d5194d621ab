// LATENTSHOP_TEST_LABELS: schedulers
// EulerAncestralDiscreteScheduler ("Euler a", InstructPix2Pix's scheduler) against
// scheduling_euler_ancestral_discrete.py (diffusers 0.26.3). There is no golden file for it, so:
// its sigmas/timesteps equal EulerDiscreteScheduler's (checked against the Euler golden) for every
// spacing (same np.interp code in diffusers), each step equals the formula computed by hand in
// float64, the generator is consumed exactly like randn_tensor (one draw of the sample's shape per
// step, the last one included), and a full loop with a zero model ends at zero.
#include <cmath>
#include <string>

#include "support/error_text.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/schedulers/euler_ancestral_discrete_scheduler.h"
#include "engine/schedulers/euler_discrete_scheduler.h"
#include "engine/schedulers/scheduler_config.h"
#include "engine/schedulers/scheduler_factory.h"

using namespace latentshop;
using lstest::errorOf;

namespace {

// SD 1.x betas (as the Euler golden and timbrooks/instruct-pix2pix's scheduler_config.json).
nlohmann::json sdConfig(const std::string& spacing = "linspace", int64_t offset = 1) {
  return {{"_class_name", "EulerAncestralDiscreteScheduler"},
          {"beta_start", 0.00085},
          {"beta_end", 0.012},
          {"beta_schedule", "scaled_linear"},
          {"num_train_timesteps", 1000},
          {"prediction_type", "epsilon"},
          {"steps_offset", offset},
          {"timestep_spacing", spacing},
          {"trained_betas", nullptr}};
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

class TestEulerAncestralScheduler : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void sigmasEqualEulerDiscrete();
  void stepByHand();
  void vPredictionByHand();
  void generatorConsumedLikeRandnTensor();
  void loopWithZeroModelEndsAtZero();
  void addNoiseAndStrength();
  void factoryAndFaults();
};

void TestEulerAncestralScheduler::initTestCase() { configureTorchThreads(); }

void TestEulerAncestralScheduler::sigmasEqualEulerDiscrete() {
  // Euler's own golden pins its sigmas; EulerA computes them with the same code in diffusers.
  const auto golden = loadDiffusersJson(lstest::goldenPath("euler_scheduler.config.json"));
  for (const std::string spacing : {"linspace", "leading", "trailing"}) {
    for (int64_t n : {1, 3, 10, 25, 50}) {
      auto cfg = golden;
      cfg["timestep_spacing"] = spacing;
      EulerDiscreteScheduler euler(EulerDiscreteSchedulerConfig::fromJson(cfg));
      cfg["_class_name"] = "EulerAncestralDiscreteScheduler";
      EulerAncestralDiscreteScheduler a(EulerAncestralDiscreteSchedulerConfig::fromJson(cfg));
      euler.setTimesteps(n);
      a.setTimesteps(n);
      const std::string what = spacing + " n=" + std::to_string(n);
      QVERIFY2(torch::equal(a.timesteps(), euler.timesteps()), what.c_str());
      QVERIFY2(torch::equal(a.sigmas(), euler.sigmas()), what.c_str());
      QVERIFY2(a.initNoiseSigma() == euler.initNoiseSigma(), what.c_str());
      QVERIFY(a.timesteps().scalar_type() == torch::kFloat32);
      QCOMPARE(a.numInferenceSteps(), n);
    }
  }
  EulerAncestralDiscreteScheduler a(EulerAncestralDiscreteSchedulerConfig::fromJson(sdConfig()));
  a.setTimesteps(10);
  QCOMPARE(a.timesteps()[0].item<float>(), 999.0f);
  QCOMPARE(a.timesteps()[9].item<float>(), 0.0f);
  QVERIFY(std::abs(a.initNoiseSigma() - 14.6146) < 1e-3);
}

void TestEulerAncestralScheduler::stepByHand() {
  EulerAncestralDiscreteScheduler s(EulerAncestralDiscreteSchedulerConfig::fromJson(sdConfig()));
  s.setTimesteps(10);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(123);
  auto x = torch::randn({1, 4, 8, 8}, gen) * s.initNoiseSigma();
  for (int64_t i = 0; i < 10; ++i) {
    const auto t = s.timestepAt(i);
    const auto eps = torch::randn({1, 4, 8, 8}, gen);
    const auto noise = torch::randn({1, 4, 8, 8}, gen);
    const auto scaled = s.scaleModelInput(x, t);
    const double from = s.sigmas()[i].item<double>();
    const double to = s.sigmas()[i + 1].item<double>();
    QVERIFY(lstest::allClose(scaled, x / std::sqrt(from * from + 1), 1e-6, 1e-6, "scaled").ok);
    StepOptions o;
    o.noise = noise;
    const auto out = s.step(eps, t, x, o);
    const double up = std::sqrt(to * to * (from * from - to * to) / (from * from));
    const double down = std::sqrt(to * to - up * up);
    const auto xd = x.to(torch::kFloat64);
    const auto x0 = xd - from * eps.to(torch::kFloat64);
    const auto expected = xd + (xd - x0) / from * (down - from) + noise.to(torch::kFloat64) * up;
    const auto c = lstest::allClose(out.prevSample, expected, 1e-4, 1e-5, "prev_sample step " + std::to_string(i));
    QVERIFY2(c.ok, c.message.c_str());
    QVERIFY(lstest::allClose(out.predOriginalSample, x0, 1e-4, 1e-5, "x0").ok);
    if (i == 9) {
      QCOMPARE(to, 0.0);  // last step: no noise is added, the result is the x0 prediction
      QVERIFY(lstest::allClose(out.prevSample, x0, 1e-4, 1e-5, "last").ok);
    }
    QCOMPARE(*s.stepIndex(), i + 1);
    x = out.prevSample;
  }
  QVERIFY(!errorOf([&] { s.step(x, s.timestepAt(9), x); }).empty());  // past the end
}

void TestEulerAncestralScheduler::vPredictionByHand() {
  auto cfg = sdConfig("leading");
  cfg["prediction_type"] = "v_prediction";
  EulerAncestralDiscreteScheduler s(EulerAncestralDiscreteSchedulerConfig::fromJson(cfg));
  s.setTimesteps(5);
  // leading: 801, 601, 401, 201, 1 and init sigma sqrt(max^2 + 1)
  QCOMPARE(s.timesteps()[0].item<float>(), 801.0f);
  QCOMPARE(s.timesteps()[4].item<float>(), 1.0f);
  const double maxSigma = s.sigmas().max().item<double>();
  QVERIFY(std::abs(s.initNoiseSigma() - std::sqrt(maxSigma * maxSigma + 1)) < 1e-4);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto x = torch::randn({1, 4, 4, 4}, gen);
  const auto v = torch::randn({1, 4, 4, 4}, gen);
  StepOptions o;
  o.noise = torch::zeros({1, 4, 4, 4});
  const auto out = s.step(v, s.timestepAt(0), x, o);
  const double sg = s.sigmas()[0].item<double>();
  const auto x0 = v.to(torch::kFloat64) * (-sg / std::sqrt(sg * sg + 1)) + x.to(torch::kFloat64) / (sg * sg + 1);
  QVERIFY(lstest::allClose(out.predOriginalSample, x0, 1e-5, 1e-5, "v x0").ok);
}

void TestEulerAncestralScheduler::generatorConsumedLikeRandnTensor() {
  // Stepping with a seeded generator = stepping with the noise that generator draws in order.
  EulerAncestralDiscreteScheduler a(EulerAncestralDiscreteSchedulerConfig::fromJson(sdConfig()));
  EulerAncestralDiscreteScheduler b(EulerAncestralDiscreteSchedulerConfig::fromJson(sdConfig()));
  a.setTimesteps(4);
  b.setTimesteps(4);
  auto data = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto x0 = torch::randn({2, 4, 6, 6}, data);
  const auto eps = torch::randn({2, 4, 6, 6}, data);
  auto genA = at::make_generator<at::CPUGeneratorImpl>(77);
  auto genB = at::make_generator<at::CPUGeneratorImpl>(77);
  auto xa = x0.clone(), xb = x0.clone();
  for (int64_t i = 0; i < 4; ++i) {
    StepOptions oa;
    oa.generator = genA;
    xa = a.step(eps, a.timestepAt(i), xa, oa).prevSample;
    StepOptions ob;
    ob.noise = torch::randn({2, 4, 6, 6}, genB);
    xb = b.step(eps, b.timestepAt(i), xb, ob).prevSample;
  }
  QVERIFY(torch::equal(xa, xb));
  // Both generators are at the same position: 4 draws each (the last step draws too).
  QVERIFY(torch::equal(torch::randn({3}, genA), torch::randn({3}, genB)));
}

void TestEulerAncestralScheduler::loopWithZeroModelEndsAtZero() {
  // A model predicting x0 = 0 everywhere (eps = x / sigma): every step shrinks towards 0 plus
  // noise of std sigma_up; the last step lands exactly on x0 = 0.
  EulerAncestralDiscreteScheduler s(EulerAncestralDiscreteSchedulerConfig::fromJson(sdConfig()));
  s.setTimesteps(8);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
  auto x = torch::randn({1, 4, 8, 8}, gen) * s.initNoiseSigma();
  for (int64_t i = 0; i < 8; ++i) {
    const auto t = s.timestepAt(i);
    const auto eps = x / s.sigmas()[i];
    StepOptions o;
    o.generator = gen;
    const auto out = s.step(eps, t, x, o);
    QVERIFY(out.predOriginalSample.abs().max().item<double>() < 1e-4);
    // std of the result ~ sqrt(sigma_down^2 + sigma_up^2) = sigma_to (well, for 256 values)
    x = out.prevSample;
    QVERIFY(torch::isfinite(x).all().item<bool>());
  }
  QVERIFY(x.abs().max().item<double>() < 1e-3);
}

void TestEulerAncestralScheduler::addNoiseAndStrength() {
  EulerAncestralDiscreteScheduler s(EulerAncestralDiscreteSchedulerConfig::fromJson(sdConfig()));
  s.setTimesteps(10);
  const auto x = torch::ones({1, 4, 2, 2});
  const auto n = torch::full({1, 4, 2, 2}, 2.0);
  const auto t = s.timestepAt(3).reshape({1});
  const auto noisy = s.addNoise(x, n, t);
  QVERIFY(lstest::allClose(noisy, x + 2.0 * s.sigmas()[3].item<double>(), 1e-5, 0, "noisy").ok);
  const auto bad = errorOf([&] { s.addNoise(x, n, torch::tensor({500.5f})); });
  QVERIFY2(has(bad, "500.5"), bad.c_str());
  // img2img-style start in the middle: the step index is found from the first timestep.
  const auto st = timestepsForStrength(s, 10, 0.5);
  QCOMPARE(st.numSteps, int64_t{5});
  s.scaleModelInput(x, st.timesteps[0]);
  QCOMPARE(*s.stepIndex(), int64_t{5});
}

void TestEulerAncestralScheduler::factoryAndFaults() {
  auto fromClass = makeScheduler(sdConfig());
  QCOMPARE(fromClass->className(), std::string("EulerAncestralDiscreteScheduler"));
  const auto cfg = fromClass->config();
  QCOMPARE(cfg["steps_offset"].get<int64_t>(), int64_t{1});
  QCOMPARE(cfg["beta_schedule"].get<std::string>(), std::string("scaled_linear"));
  // The "euler-a" choice from another class's config keeps its betas.
  auto ddimCfg = loadDiffusersJson(lstest::goldenPath("ddim_scheduler.config.json"));
  auto choice = makeScheduler(ddimCfg, "euler-a", nullptr);
  QCOMPARE(choice->className(), std::string("EulerAncestralDiscreteScheduler"));
  QVERIFY(torch::equal(choice->betas(), fromClass->betas()));
  QCOMPARE(schedulerClassForChoice("euler-a"), std::string("EulerAncestralDiscreteScheduler"));
  bool listed = false;
  for (const auto& c : schedulerChoices()) listed = listed || c.id == "euler-a";
  QVERIFY(listed);

  EulerAncestralDiscreteScheduler s(EulerAncestralDiscreteSchedulerConfig::fromJson(sdConfig()));
  const auto before = errorOf([&] { s.step(torch::zeros({1}), torch::tensor(999.0f), torch::zeros({1})); });
  QVERIFY2(has(before, "setTimesteps"), before.c_str());
  s.setTimesteps(3);
  const auto integer = errorOf([&] { s.step(torch::zeros({1}), torch::tensor(int64_t{999}), torch::zeros({1})); });
  QVERIFY2(has(integer, "integer"), integer.c_str());
  const auto zero = errorOf([&] { s.setTimesteps(0); });
  QVERIFY2(has(zero, "at least 1"), zero.c_str());
  auto sampleCfg = sdConfig();
  sampleCfg["prediction_type"] = "sample";
  const auto sample = errorOf([&] { makeScheduler(sampleCfg, "", nullptr, "s.json"); });
  QVERIFY2(has(sample, "s.json") && has(sample, "prediction_type"), sample.c_str());
}

QTEST_GUILESS_MAIN(TestEulerAncestralScheduler)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_euler_ancestral_scheduler.moc"
#endif
