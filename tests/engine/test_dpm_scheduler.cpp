// LATENTSHOP_TEST_LABELS: golden;schedulers
// DPMSolverMultistepScheduler (DPM-Solver++ 2M) against ../shared/golden/dpmpp2m_scheduler.*
// (diffusers 0.26.3) and, beyond the goldens, against values derived by hand from
// scheduling_dpmsolver_multistep.py: spacings, Karras sigmas/timesteps, the first- and
// second-order updates, v-prediction conversion, state reset, final sigma types, lambda clipping,
// and order 1 = DDIM.
#include <cmath>
#include <string>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_scheduler_golden.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/schedulers/ddim_scheduler.h"
#include "engine/schedulers/dpm_solver_multistep_scheduler.h"
#include "engine/schedulers/scheduler_case_runner.h"
#include "engine/schedulers/scheduler_config.h"

using namespace latentshop;

namespace {

DPMSolverMultistepSchedulerConfig sdConfig() {
  return DPMSolverMultistepSchedulerConfig::fromJson(loadDiffusersJson(lstest::goldenPath("dpmpp2m_scheduler.config.json")));
}

std::vector<int64_t> values(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kInt64);
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

double trainSigma(const Scheduler& s, int64_t t) {
  const double a = s.alphasCumprod()[t].item<double>();
  return std::sqrt((1 - a) / a);
}

bool close(const torch::Tensor& a, const torch::Tensor& e, double tol, std::string* msg) {
  const auto c = lstest::allClose(a, e, tol, 0.0, "value");
  *msg = c.message;
  return c.ok;
}

struct AlphaSigma {
  double alpha, sigma, lambda;
};
AlphaSigma fromSigma(double s) {
  const double a = 1 / std::sqrt(s * s + 1);
  return {a, s * a, std::log(a) - std::log(s * a)};
}

}  // namespace

class TestDpmScheduler : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void goldenCase() {
    DPMSolverMultistepScheduler s(sdConfig());
    const auto golden = lstest::loadTensors(lstest::goldenPath("dpmpp2m_scheduler.io.safetensors"));
    const auto outputs = runSchedulerCase(s, golden);
    int compared = 0;
    const auto faults = lstest::compareWithGolden(outputs, golden, lstest::schedulerInputNames(golden), &compared);
    QVERIFY2(faults.empty(), faults.c_str());
    QCOMPARE(compared, 15);  // 17 tensors, 2 of them inputs
  }

  void spacingsByHand() {
    DPMSolverMultistepScheduler lin(sdConfig());
    lin.setTimesteps(10);  // round(linspace(0, 999, 11)) reversed, last dropped; 499.5 -> 500
    QCOMPARE(values(lin.timesteps()), (std::vector<int64_t>{999, 899, 799, 699, 599, 500, 400, 300, 200, 100}));
    auto c = sdConfig();
    c.timestepSpacing = "leading";  // 1000 // 11 = 90, + steps_offset 1
    DPMSolverMultistepScheduler lead(c);
    lead.setTimesteps(10);
    QCOMPARE(values(lead.timesteps()), (std::vector<int64_t>{901, 811, 721, 631, 541, 451, 361, 271, 181, 91}));
    c.timestepSpacing = "trailing";
    DPMSolverMultistepScheduler trail(c);
    trail.setTimesteps(10);
    QCOMPARE(values(trail.timesteps()), (std::vector<int64_t>{999, 899, 799, 699, 599, 499, 399, 299, 199, 99}));
    QCOMPARE(lin.sigmas().size(0), int64_t{11});
    QCOMPARE(lin.sigmas()[10].item<float>(), 0.0f);
    QVERIFY(std::abs(lin.sigmas()[5].item<double>() - trainSigma(lin, 500)) < 1e-5 * trainSigma(lin, 500));
  }

  void karrasByHand() {
    auto c = sdConfig();
    c.useKarrasSigmas = true;
    DPMSolverMultistepScheduler s(c);
    s.setTimesteps(10);
    const double smin = trainSigma(s, 0), smax = trainSigma(s, 999);
    const auto ts = values(s.timesteps());
    QCOMPARE(ts.front(), int64_t{999});
    QCOMPARE(ts.back(), int64_t{0});
    for (int i = 0; i < 10; ++i) {
      const double e = std::pow(std::pow(smax, 1 / 7.0) + i / 9.0 * (std::pow(smin, 1 / 7.0) - std::pow(smax, 1 / 7.0)), 7.0);
      QVERIFY2(std::abs(s.sigmas()[i].item<double>() - e) <= 2e-6 * e, std::to_string(i).c_str());
      // The integer timestep is the nearest training step in log-sigma.
      if (i > 0 && i < 9) {
        const double ls = std::log(e);
        QVERIFY(std::log(trainSigma(s, ts[i] - 1)) <= ls + 1e-6 && ls <= std::log(trainSigma(s, ts[i] + 1)) + 1e-6);
      }
    }
    QCOMPARE(s.sigmas()[10].item<float>(), 0.0f);
  }

  void firstAndSecondOrderByHand() {
    DPMSolverMultistepScheduler s(sdConfig());
    s.setTimesteps(10);
    torch::manual_seed(21);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto e0 = torch::randn({1, 4, 8, 8});
    const auto e1 = torch::randn({1, 4, 8, 8});
    const auto r0 = s.step(e0, s.timestepAt(0), x);
    QCOMPARE(s.lowerOrderNums(), int64_t{1});
    const auto r1 = s.step(e1, s.timestepAt(1), r0.prevSample);

    const auto p0 = fromSigma(s.sigmas()[0].item<double>());
    const auto p1 = fromSigma(s.sigmas()[1].item<double>());
    const auto p2 = fromSigma(s.sigmas()[2].item<double>());
    const auto xd = x.to(torch::kFloat64);
    const auto x00 = (xd - p0.sigma * e0.to(torch::kFloat64)) / p0.alpha;
    const double h1 = p1.lambda - p0.lambda;
    const auto x1 = (p1.sigma / p0.sigma) * xd - p1.alpha * (std::exp(-h1) - 1) * x00;
    std::string msg;
    QVERIFY2(close(r0.predOriginalSample, x00, 1e-4, &msg), msg.c_str());
    QVERIFY2(close(r0.prevSample, x1, 1e-4, &msg), msg.c_str());

    const auto x01 = (r0.prevSample.to(torch::kFloat64) - p1.sigma * e1.to(torch::kFloat64)) / p1.alpha;
    const double h = p2.lambda - p1.lambda, h0 = p1.lambda - p0.lambda, r = h0 / h;
    const auto D1 = (1 / r) * (x01 - x00);
    const auto x2 = (p2.sigma / p1.sigma) * r0.prevSample.to(torch::kFloat64) - p2.alpha * (std::exp(-h) - 1) * x01 -
                    0.5 * p2.alpha * (std::exp(-h) - 1) * D1;
    QVERIFY2(close(r1.prevSample, x2, 1e-4, &msg), msg.c_str());
  }

  void vPredictionConversion() {
    auto c = sdConfig();
    c.predictionType = "v_prediction";
    DPMSolverMultistepScheduler s(c);
    s.setTimesteps(10);
    torch::manual_seed(22);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto v = torch::randn({1, 4, 8, 8});
    const auto r = s.step(v, s.timestepAt(3), x);  // a timestep mid-schedule: index found by lookup
    QCOMPARE(*s.stepIndex(), int64_t{4});
    const auto p = fromSigma(s.sigmas()[3].item<double>());
    const auto x0 = p.alpha * x.to(torch::kFloat64) - p.sigma * v.to(torch::kFloat64);
    std::string msg;
    QVERIFY2(close(r.predOriginalSample, x0, 1e-5, &msg), msg.c_str());
  }

  void setTimestepsResetsMultistepState() {
    torch::manual_seed(23);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto e = torch::randn({1, 4, 8, 8});
    DPMSolverMultistepScheduler used(sdConfig());
    used.setTimesteps(10);
    auto lat = x;
    for (int i = 0; i < 3; ++i) lat = used.step(torch::randn({1, 4, 8, 8}), used.timestepAt(i), lat).prevSample;
    used.setTimesteps(10);
    QCOMPARE(used.lowerOrderNums(), int64_t{0});
    QVERIFY(!used.stepIndex());
    DPMSolverMultistepScheduler fresh(sdConfig());
    fresh.setTimesteps(10);
    for (int i = 0; i < 2; ++i) {
      const auto a = used.step(e, used.timestepAt(i), x).prevSample;
      const auto b = fresh.step(e, fresh.timestepAt(i), x).prevSample;
      QVERIFY(torch::equal(a, b));
    }
  }

  void finalSigmaTypesAndAlgorithms() {
    auto c = sdConfig();
    c.finalSigmasType = "sigma_min";
    DPMSolverMultistepScheduler s(c);
    s.setTimesteps(20);
    QVERIFY(std::abs(s.sigmas()[20].item<double>() - trainSigma(s, 0)) < 1e-6);
    c.algorithmType = "dpmsolver";
    c.finalSigmasType = "zero";
    bool threw = false;
    try {
      DPMSolverMultistepScheduler bad(c);
    } catch (const Error& e) {
      threw = std::string(e.what()).find("sigma_min") != std::string::npos;
    }
    QVERIFY(threw);
    // DPM-Solver (noise prediction), first order: x_t = (alpha_t/alpha_s) x - sigma_t (e^h - 1) eps.
    c.finalSigmasType = "sigma_min";
    DPMSolverMultistepScheduler d(c);
    d.setTimesteps(10);
    torch::manual_seed(24);
    const auto x = torch::randn({1, 4, 8, 8});
    const auto eps = torch::randn({1, 4, 8, 8});
    const auto r = d.step(eps, d.timestepAt(0), x);
    const auto ps = fromSigma(d.sigmas()[0].item<double>()), pt = fromSigma(d.sigmas()[1].item<double>());
    const double h = pt.lambda - ps.lambda;
    const auto e = (pt.alpha / ps.alpha) * x.to(torch::kFloat64) - pt.sigma * (std::exp(h) - 1) * eps.to(torch::kFloat64);
    std::string msg;
    QVERIFY2(close(r.prevSample, e, 1e-4, &msg), msg.c_str());
  }

  void lambdaMinClippedShortensSchedule() {
    auto c = sdConfig();
    c.betaSchedule = "squaredcos_cap_v2";
    c.lambdaMinClipped = -5.1;
    DPMSolverMultistepScheduler s(c);
    int64_t clipped = 0;
    for (int64_t t = 0; t < 1000; ++t) {
      const double a = s.alphasCumprod()[t].item<double>();
      if (0.5 * std::log(a) - 0.5 * std::log(1 - a) < -5.1) ++clipped;
    }
    QVERIFY(clipped > 0);
    s.setTimesteps(10);
    QCOMPARE(s.timesteps()[0].item<int64_t>(), 1000 - clipped - 1);
  }

  void orderOneEqualsDdim() {
    // DPM-Solver++ first order is DDIM: with trailing spacing both visit 999, 899, ..., 99 and end
    // on alphas_cumprod[0] (final_sigmas_type sigma_min / set_alpha_to_one false).
    auto c = sdConfig();
    c.solverOrder = 1;
    c.timestepSpacing = "trailing";
    c.finalSigmasType = "sigma_min";
    DPMSolverMultistepScheduler dpm(c);
    auto dc = DDIMSchedulerConfig::fromJson(loadDiffusersJson(lstest::goldenPath("ddim_scheduler.config.json")));
    dc.timestepSpacing = "trailing";
    DDIMScheduler ddim(dc);
    dpm.setTimesteps(10);
    ddim.setTimesteps(10);
    QVERIFY(torch::equal(dpm.timesteps(), ddim.timesteps()));
    torch::manual_seed(25);
    auto a = torch::randn({1, 4, 8, 8});
    auto b = a.clone();
    for (int64_t i = 0; i < 10; ++i) {
      const auto eps = torch::randn({1, 4, 8, 8});
      a = dpm.step(eps, dpm.timestepAt(i), a).prevSample;
      b = ddim.step(eps, ddim.timestepAt(i), b).prevSample;
    }
    std::string msg;
    QVERIFY2(close(a, b, 2e-4, &msg), msg.c_str());
  }
};

QTEST_GUILESS_MAIN(TestDpmScheduler)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_dpm_scheduler.moc"
#endif
