// LATENTSHOP_TEST_LABELS: golden;schedulers
// EulerDiscreteScheduler against ../shared/golden/euler_scheduler.* (diffusers 0.26.3) and,
// beyond the goldens, against values derived by hand from scheduling_euler_discrete.py: Karras
// sigmas and their timesteps, leading/trailing spacing and init_noise_sigma, v-prediction, churn,
// step/begin index, strength, add_noise, log-linear and continuous timesteps.
#include <cmath>
#include <string>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_scheduler_golden.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/schedulers/euler_discrete_scheduler.h"
#include "engine/schedulers/scheduler_case_runner.h"
#include "engine/schedulers/scheduler_config.h"

using namespace latentshop;

namespace {

EulerDiscreteSchedulerConfig sdConfig() {
  return EulerDiscreteSchedulerConfig::fromJson(loadDiffusersJson(lstest::goldenPath("euler_scheduler.config.json")));
}

// Training sigma of timestep t: sqrt((1 - acp) / acp), in double from the float32 acp.
double trainSigma(const Scheduler& s, int64_t t) {
  const double a = s.alphasCumprod()[t].item<double>();
  return std::sqrt((1 - a) / a);
}

std::vector<float> floats(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kFloat32);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

bool close(const torch::Tensor& a, const torch::Tensor& e, double tol, std::string* msg) {
  const auto c = lstest::allClose(a, e, tol, 0.0, "value");
  *msg = c.message;
  return c.ok;
}

}  // namespace

class TestEulerScheduler : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void goldenCase() {
    EulerDiscreteScheduler s(sdConfig());
    const auto golden = lstest::loadTensors(lstest::goldenPath("euler_scheduler.io.safetensors"));
    const auto outputs = runSchedulerCase(s, golden);
    int compared = 0;
    const auto faults = lstest::compareWithGolden(outputs, golden, lstest::schedulerInputNames(golden), &compared);
    QVERIFY2(faults.empty(), faults.c_str());
    QCOMPARE(compared, 17);  // 19 tensors, 2 of them inputs
    s.setTimesteps(10);
    QVERIFY(s.timesteps().scalar_type() == torch::kFloat32);
    QCOMPARE(floats(s.timesteps()), (std::vector<float>{999, 888, 777, 666, 555, 444, 333, 222, 111, 0}));
    QVERIFY(std::abs(s.initNoiseSigma() - 14.6146) < 1e-3);
  }

  void karrasSigmasByHand() {
    auto c = sdConfig();
    c.useKarrasSigmas = true;
    EulerDiscreteScheduler s(c);
    s.setTimesteps(10);
    const double smin = trainSigma(s, 0), smax = trainSigma(s, 999);
    const auto sig = s.sigmas();
    QCOMPARE(sig.size(0), int64_t{11});
    QCOMPARE(sig[10].item<float>(), 0.0f);
    for (int i = 0; i < 10; ++i) {
      const double ramp = i / 9.0;
      const double e = std::pow(std::pow(smax, 1 / 7.0) + ramp * (std::pow(smin, 1 / 7.0) - std::pow(smax, 1 / 7.0)), 7.0);
      QVERIFY2(std::abs(sig[i].item<double>() - e) <= 2e-6 * e, (std::to_string(i) + ": " + std::to_string(e)).c_str());
    }
    // Timesteps: the fractional training step whose log-sigma interpolates to log(sigma).
    const auto ts = floats(s.timesteps());
    QCOMPARE(ts.front(), 999.0f);
    QCOMPARE(ts.back(), 0.0f);
    for (int i = 1; i < 9; ++i) {
      QVERIFY(ts[i] < ts[i - 1]);
      const auto j = static_cast<int64_t>(std::floor(ts[i]));
      const double f = ts[i] - j;
      const double logSigma = (1 - f) * std::log(trainSigma(s, j)) + f * std::log(trainSigma(s, j + 1));
      QVERIFY2(std::abs(logSigma - std::log(sig[i].item<double>())) < 1e-4, std::to_string(i).c_str());
    }
    QVERIFY(std::abs(s.initNoiseSigma() - smax) < 1e-4);
  }

  void leadingAndTrailingSpacing() {
    auto c = sdConfig();
    c.timestepSpacing = "leading";
    EulerDiscreteScheduler lead(c);
    lead.setTimesteps(10);
    QCOMPARE(floats(lead.timesteps()), (std::vector<float>{901, 801, 701, 601, 501, 401, 301, 201, 101, 1}));
    // sigma at t = 901 exactly; leading spacing starts from sqrt(sigma^2 + 1).
    const double s901 = trainSigma(lead, 901);
    QVERIFY(std::abs(lead.sigmas()[0].item<double>() - s901) < 1e-5 * s901);
    QVERIFY(std::abs(lead.initNoiseSigma() - std::sqrt(s901 * s901 + 1)) < 1e-4);
    c.timestepSpacing = "trailing";
    EulerDiscreteScheduler trail(c);
    trail.setTimesteps(10);
    QCOMPARE(floats(trail.timesteps()), (std::vector<float>{999, 899, 799, 699, 599, 499, 399, 299, 199, 99}));
    QVERIFY(std::abs(trail.initNoiseSigma() - trainSigma(trail, 999)) < 1e-4);
    // linspace n = 50: 999/49 steps, fractional timesteps with interpolated sigmas.
    EulerDiscreteScheduler lin(sdConfig());
    lin.setTimesteps(50);
    const double t1 = lin.timesteps()[1].item<double>();
    QVERIFY(std::abs(t1 - (999.0 - 999.0 / 49.0)) < 1e-4);
    const auto j = static_cast<int64_t>(std::floor(t1));
    const double f = t1 - j;
    const double e = (1 - f) * trainSigma(lin, j) + f * trainSigma(lin, j + 1);
    QVERIFY(std::abs(lin.sigmas()[1].item<double>() - e) < 1e-5 * e);
  }

  void vPredictionByHand() {
    auto c = sdConfig();
    c.predictionType = "v_prediction";
    EulerDiscreteScheduler s(c);
    s.setTimesteps(10);
    torch::manual_seed(11);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto v = torch::randn({1, 4, 8, 8});
    const auto t = s.timestepAt(2);
    const auto scaled = s.scaleModelInput(x, t);
    const auto r = s.step(v, t, x);
    const double sigma = s.sigmas()[2].item<double>(), next = s.sigmas()[3].item<double>();
    const auto xd = x.to(torch::kFloat64), vd = v.to(torch::kFloat64);
    const auto x0 = vd * (-sigma / std::sqrt(sigma * sigma + 1)) + xd / (sigma * sigma + 1);
    const auto prev = xd + (xd - x0) / sigma * (next - sigma);
    std::string msg;
    QVERIFY2(close(scaled, xd / std::sqrt(sigma * sigma + 1), 1e-6, &msg), msg.c_str());
    QVERIFY2(close(r.predOriginalSample, x0, 1e-5, &msg), msg.c_str());
    QVERIFY2(close(r.prevSample, prev, 1e-4, &msg), msg.c_str());
  }

  void churnWithGivenNoise() {
    EulerDiscreteScheduler s(sdConfig());
    s.setTimesteps(10);
    torch::manual_seed(12);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto eps = torch::randn({1, 4, 8, 8});
    const auto noise = torch::randn({1, 4, 8, 8});
    StepOptions o;
    o.sChurn = 2.0;
    o.sNoise = 1.003;
    o.noise = noise;
    const auto t = s.timestepAt(4);
    const auto r = s.step(eps, t, x, o);
    const double sigma = s.sigmas()[4].item<double>(), next = s.sigmas()[5].item<double>();
    const double gamma = std::min(2.0 / 10.0, std::sqrt(2.0) - 1);
    const double sigmaHat = sigma * (gamma + 1);
    const auto xHat = x.to(torch::kFloat64) + noise.to(torch::kFloat64) * 1.003 * std::sqrt(sigmaHat * sigmaHat - sigma * sigma);
    const auto x0 = xHat - sigmaHat * eps.to(torch::kFloat64);
    const auto prev = xHat + (xHat - x0) / sigmaHat * (next - sigmaHat);
    std::string msg;
    QVERIFY2(close(r.prevSample, prev, 1e-4, &msg), msg.c_str());
    // s_tmax below sigma disables churn: a plain Euler step.
    EulerDiscreteScheduler p(sdConfig());
    p.setTimesteps(10);
    o.sTmax = 0.5;
    const auto plain = p.step(eps, t, x, o);
    const auto plainPrev = x.to(torch::kFloat64) + eps.to(torch::kFloat64) * (next - sigma);
    QVERIFY2(close(plain.prevSample, plainPrev, 1e-4, &msg), msg.c_str());
  }

  void stepIndexBookkeeping() {
    EulerDiscreteScheduler s(sdConfig());
    s.setTimesteps(10);
    QVERIFY(!s.stepIndex());
    torch::manual_seed(13);
    const auto x = torch::randn({1, 4, 8, 8});
    s.scaleModelInput(x, s.timestepAt(0));
    QCOMPARE(*s.stepIndex(), int64_t{0});
    s.step(x, s.timestepAt(0), x);
    QCOMPARE(*s.stepIndex(), int64_t{1});
    s.setTimesteps(10);  // a fresh schedule forgets the index
    QVERIFY(!s.stepIndex());
    bool threw = false;
    try {
      s.step(x, torch::tensor(int64_t{999}), x);
    } catch (const Error&) {
      threw = true;
    }
    QVERIFY(threw);
    // set_begin_index: the first step uses sigmas[begin] whatever timestep is passed.
    s.setBeginIndex(3);
    const auto scaled = s.scaleModelInput(x, s.timestepAt(0));
    const double sigma = s.sigmas()[3].item<double>();
    std::string msg;
    QVERIFY2(close(scaled, x.to(torch::kFloat64) / std::sqrt(sigma * sigma + 1), 1e-6, &msg), msg.c_str());
  }

  void strengthStartsMidSchedule() {
    EulerDiscreteScheduler s(sdConfig());
    s.setTimesteps(10);
    const auto r = timestepsForStrength(s, 10, 0.5);
    QCOMPARE(r.tStart, int64_t{5});
    QCOMPARE(r.timesteps.size(0), int64_t{5});
    torch::manual_seed(14);
    const auto x0 = torch::randn({1, 4, 8, 8});
    const auto noise = torch::randn({1, 4, 8, 8});
    const auto noisy = s.addNoise(x0, noise, r.timesteps.slice(0, 0, 1));
    const double sigma = s.sigmas()[5].item<double>();
    std::string msg;
    QVERIFY2(close(noisy, x0.to(torch::kFloat64) + noise.to(torch::kFloat64) * sigma, 1e-5, &msg), msg.c_str());
    s.scaleModelInput(noisy, r.timesteps[0]);  // 0.26: the index comes from looking the timestep up
    QCOMPARE(*s.stepIndex(), int64_t{5});
  }

  void logLinearAndContinuous() {
    auto c = sdConfig();
    c.interpolationType = "log_linear";
    EulerDiscreteScheduler s(c);
    s.setTimesteps(10);
    // diffusers 0.26 builds n + 1 log-linear sigmas, then appends 0.
    QCOMPARE(s.sigmas().size(0), int64_t{12});
    const double smax = trainSigma(s, 999), smin = trainSigma(s, 0);
    for (int i = 0; i <= 10; ++i) {
      const double e = std::exp(std::log(smax) + i / 10.0 * (std::log(smin) - std::log(smax)));
      QVERIFY2(std::abs(s.sigmas()[i].item<double>() - e) < 1e-5 * e, std::to_string(i).c_str());
    }
    auto v = sdConfig();
    v.predictionType = "v_prediction";
    v.timestepType = "continuous";
    EulerDiscreteScheduler cs(v);
    cs.setTimesteps(10);
    for (int i = 0; i < 10; ++i) {
      const double e = 0.25 * std::log(cs.sigmas()[i].item<double>());
      QVERIFY(std::abs(cs.timesteps()[i].item<double>() - e) < 1e-6);
    }
  }
};

QTEST_GUILESS_MAIN(TestEulerScheduler)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_euler_scheduler.moc"
#endif
