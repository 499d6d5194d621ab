// LATENTSHOP_TEST_LABELS: golden;schedulers
// PNDMScheduler against tests/golden/pndm/* (diffusers 0.26.3 PNDMScheduler, see tests/golden/README.md):
// SD 1.5's own config (skip_prk_steps true), the Runge-Kutta warm-up (skip_prk_steps false) and
// v-prediction with linspace spacing: timesteps, single first steps, add_noise and whole sampling
// loops of 3/4, 10 and 50 steps. Beyond the goldens: the factory builds it from a model's config,
// "model default" in a pipeline runs it with no note, and the faults name what is wrong.
#include <string>

#include "support/error_text.h"
#include "support/testing.h"
#include "support/test_paths.h"
#include "test_scheduler_golden.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/schedulers/pndm_scheduler.h"
#include "engine/schedulers/scheduler_case_runner.h"
#include "engine/schedulers/scheduler_config.h"
#include "engine/schedulers/scheduler_factory.h"

using namespace latentshop;
using lstest::errorOf;
using lstest::contains;

namespace {

std::string casePath(const std::string& name, const std::string& ext) {
  return lstest::projectGoldenPath("pndm/" + name + ext);
}

nlohmann::json caseConfig(const std::string& name) { return loadDiffusersJson(casePath(name, ".config.json")); }

// Runs one golden case; returns the faults ("" when all match) and how many tensors were compared.
std::string runCase(const std::string& name, int* compared) {
  auto s = makeScheduler(caseConfig(name), casePath(name, ".config.json"));
  const auto golden = lstest::loadTensors(casePath(name, ".io.safetensors"));
  const auto outputs = runSchedulerCase(*s, golden);
  return lstest::compareWithGolden(outputs, golden, lstest::schedulerInputNames(golden), compared);
}

std::vector<int64_t> ints(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kInt64);
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

}  // namespace

class TestPndmScheduler : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void sd15ConfigSkipsRungeKutta() {
    int compared = 0;
    const auto faults = runCase("pndm_scheduler", &compared);
    QVERIFY2(faults.empty(), faults.c_str());
    // betas, alphas_cumprod, 3 schedules, 4 single steps, 3 add_noise, 3 loops x (timesteps,
    // init_noise_sigma, samples, model_inputs)
    QCOMPARE(compared, 24);
    PNDMScheduler s(PNDMSchedulerConfig::fromJson(caseConfig("pndm_scheduler")));
    s.setTimesteps(10);
    // n + 1 model calls: the PLMS warm-up evaluates the second timestep (801) twice.
    QCOMPARE(ints(s.timesteps()), (std::vector<int64_t>{901, 801, 801, 701, 601, 501, 401, 301, 201, 101, 1}));
    s.setTimesteps(1);
    QCOMPARE(ints(s.timesteps()), (std::vector<int64_t>{1}));
  }

  void rungeKuttaWarmUp() {
    int compared = 0;
    const auto faults = runCase("pndm_prk_scheduler", &compared);
    QVERIFY2(faults.empty(), faults.c_str());
    QCOMPARE(compared, 24);
    PNDMScheduler s(PNDMSchedulerConfig::fromJson(caseConfig("pndm_prk_scheduler")));
    s.setTimesteps(10);
    QCOMPARE(s.timesteps().size(0), int64_t{19});  // 12 Runge-Kutta evaluations + 7 PLMS steps
    QCOMPARE(ints(s.timesteps().slice(0, 0, 6)), (std::vector<int64_t>{901, 851, 851, 801, 801, 751}));
  }

  void vPredictionLinspace() {
    int compared = 0;
    const auto faults = runCase("pndm_vpred_linspace_scheduler", &compared);
    QVERIFY2(faults.empty(), faults.c_str());
    QCOMPARE(compared, 24);
  }

  void stateResetsWithSetTimesteps() {
    // Running the same loop twice (setTimesteps in between) gives identical samples.
    PNDMScheduler s(PNDMSchedulerConfig::fromJson(caseConfig("pndm_prk_scheduler")));
    auto loop = [&] {
      s.setTimesteps(5);
      auto x = torch::ones({1, 4, 2, 2});
      for (int64_t i = 0; i < s.timesteps().size(0); ++i) {
        x = s.step(0.1 * x + 0.01 * static_cast<double>(i), s.timestepAt(i), x).prevSample;
      }
      return x;
    };
    const auto a = loop();
    QCOMPARE(s.counter(), s.timesteps().size(0));  // 12 Runge-Kutta calls + 2 PLMS steps
    QCOMPARE(s.counter(), int64_t{14});
    const auto b = loop();
    QVERIFY(torch::equal(a, b));
  }

  void faultsNameTheProblem() {
    PNDMScheduler prk(PNDMSchedulerConfig::fromJson(caseConfig("pndm_prk_scheduler")));
    auto msg = errorOf([&] { prk.setTimesteps(3); });
    QVERIFY2(contains(msg, "PNDMScheduler") && contains(msg, "3 inference steps") && contains(msg, "Runge-Kutta"), msg.c_str());
    msg = errorOf([&] { prk.setTimesteps(0); });
    QVERIFY2(contains(msg, "at least 1"), msg.c_str());
    PNDMScheduler fresh;
    msg = errorOf([&] { fresh.step(torch::zeros({1}), torch::tensor(int64_t{1}), torch::zeros({1})); });
    QVERIFY2(contains(msg, "setTimesteps"), msg.c_str());
    auto bad = caseConfig("pndm_scheduler");
    bad["prediction_type"] = "sample";  // diffusers' PNDM knows epsilon and v_prediction only
    msg = errorOf([&] { makeScheduler(bad, "scheduler_config.json"); });
    QVERIFY2(contains(msg, "scheduler_config.json") && contains(msg, "sample"), msg.c_str());
  }

  void modelDefaultRunsPndm() {
    // An SD 1.5 folder's scheduler_config.json names PNDMScheduler: "default" now runs it as is.
    const auto config = caseConfig("pndm_scheduler");
    const auto sched = makePipelineScheduler(config, "default");
    QCOMPARE(sched.used, std::string("PNDMScheduler"));
    QVERIFY2(sched.note.empty(), sched.note.c_str());
    QCOMPARE(sched.scheduler->config().dump(), PNDMSchedulerConfig::fromJson(config).toJson().dump());
    // ... and the explicit choice keeps the model's betas when the model names another class.
    auto ddimConfig = config;
    ddimConfig["_class_name"] = "DDIMScheduler";
    auto chosen = makeScheduler(ddimConfig, "pndm", nullptr);
    QCOMPARE(chosen->className(), std::string("PNDMScheduler"));
    QVERIFY(torch::equal(chosen->betas(), sched.scheduler->betas()));
    QCOMPARE(schedulerClassForChoice("pndm"), std::string("PNDMScheduler"));
    // An unimplemented default still falls back, and says so.
    auto lms = config;
    lms["_class_name"] = "LMSDiscreteScheduler";
    const auto fallback = makePipelineScheduler(lms, "default");
    QCOMPARE(fallback.used, std::string("DPMSolverMultistepScheduler"));
    QVERIFY(contains(fallback.note, "LMSDiscreteScheduler"));
  }
};

QTEST_GUILESS_MAIN(TestPndmScheduler)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_pndm_scheduler.moc"
#endif
