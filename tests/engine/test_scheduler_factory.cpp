// LATENTSHOP_TEST_LABELS: schedulers
// Building schedulers from diffusers scheduler configs: `_class_name`, from_config-style choices
// keeping the model's betas, defaults for absent keys, Python's -Infinity, faults with messages
// naming the key, and the beta schedules (checked against the formulas by hand).
#include <cmath>
#include <string>

#include "support/error_text.h"
#include "support/testing.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/schedulers/ddim_scheduler.h"
#include "engine/schedulers/dpm_solver_multistep_scheduler.h"
#include "engine/schedulers/euler_discrete_scheduler.h"
#include "engine/schedulers/scheduler_config.h"
#include "engine/schedulers/scheduler_factory.h"

using namespace latentshop;
using lstest::errorOf;
using lstest::contains;

namespace {

// runwayml/stable-diffusion-v1-5's scheduler/scheduler_config.json.
const char* kPndmConfig = R"({
  "_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
  "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
  "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
  "clip_sample": false})";

}  // namespace

class TestSchedulerFactory : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void classFromGoldenConfigs() {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"ddim_scheduler.config.json", "DDIMScheduler"},
        {"euler_scheduler.config.json", "EulerDiscreteScheduler"},
        {"dpmpp2m_scheduler.config.json", "DPMSolverMultistepScheduler"}};
    for (const auto& [file, cls] : cases) {
      const auto cfg = loadDiffusersJson(lstest::goldenPath(file));
      auto s = makeScheduler(cfg, file);
      QCOMPARE(s->className(), cls);
      // The config round-trips through toJson / fromJson.
      auto again = makeScheduler(s->config());
      QCOMPARE(again->config().dump(), s->config().dump());
    }
    // DPM's "lambda_min_clipped": -Infinity (bare token written by Python) reads as -inf.
    auto dpm = makeScheduler(loadDiffusersJson(lstest::goldenPath("dpmpp2m_scheduler.config.json")));
    auto* d = dynamic_cast<DPMSolverMultistepScheduler*>(dpm.get());
    QVERIFY(d != nullptr);
    QVERIFY(std::isinf(d->dpmConfig().lambdaMinClipped) && d->dpmConfig().lambdaMinClipped < 0);
    QCOMPARE(d->config()["lambda_min_clipped"].get<std::string>(), std::string("-Infinity"));
  }

  void choicesKeepTheModelsSchedule() {
    const auto pndm = parseDiffusersJson(kPndmConfig, "scheduler_config.json");
    QCOMPARE(makeScheduler(pndm, "scheduler_config.json")->className(), std::string("PNDMScheduler"));
    auto lms = pndm;
    lms["_class_name"] = "LMSDiscreteScheduler";
    const auto msg = errorOf([&] { makeScheduler(lms, "scheduler_config.json"); });
    QVERIFY2(contains(msg, "LMSDiscreteScheduler") && contains(msg, "scheduler_config.json"), msg.c_str());

    auto ddim = makeScheduler(pndm, "ddim", nullptr);
    auto* dd = dynamic_cast<DDIMScheduler*>(ddim.get());
    QVERIFY(dd != nullptr);
    QVERIFY(!dd->ddimConfig().clipSample && !dd->ddimConfig().setAlphaToOne);
    ddim->setTimesteps(10);  // DDIM's default spacing is leading, + steps_offset 1
    QCOMPARE(ddim->timesteps()[0].item<int64_t>(), int64_t{901});

    auto euler = makeScheduler(pndm, "euler", nullptr);
    euler->setTimesteps(10);  // Euler's default spacing is linspace
    QCOMPARE(euler->timesteps()[0].item<float>(), 999.0f);
    QVERIFY(std::abs(euler->initNoiseSigma() - 14.6146) < 1e-3);
    QVERIFY(torch::equal(euler->betas(), ddim->betas()));

    auto karras = makeScheduler(pndm, "dpmpp2m-karras", nullptr);
    auto* k = dynamic_cast<DPMSolverMultistepScheduler*>(karras.get());
    QVERIFY(k != nullptr);
    QVERIFY(k->dpmConfig().useKarrasSigmas);
    QCOMPARE(k->dpmConfig().algorithmType, std::string("dpmsolver++"));
    QCOMPARE(k->dpmConfig().solverOrder, int64_t{2});
    QCOMPARE(k->dpmConfig().stepsOffset, int64_t{1});
    QVERIFY(torch::equal(karras->betas(), ddim->betas()));

    // A choice from a config of another class keeps its keys (diffusers' from_config), e.g. the
    // DDIM golden config's timestep_spacing "leading" for DPM++ 2M; the plain choice clears Karras.
    const auto ddimCfg = loadDiffusersJson(lstest::goldenPath("ddim_scheduler.config.json"));
    auto dpm = makeScheduler(karras->config(), "dpmpp2m", nullptr);
    QVERIFY(!dynamic_cast<DPMSolverMultistepScheduler*>(dpm.get())->dpmConfig().useKarrasSigmas);
    auto fromDdim = makeScheduler(ddimCfg, "dpmpp2m", nullptr);
    QCOMPARE(fromDdim->config()["timestep_spacing"].get<std::string>(), std::string("leading"));

    auto v = makeScheduler(pndm, "euler-karras", nlohmann::json{{"prediction_type", "v_prediction"}});
    QCOMPARE(v->config()["prediction_type"].get<std::string>(), std::string("v_prediction"));
    QVERIFY(v->config()["use_karras_sigmas"].get<bool>());

    const auto unknown = errorOf([&] { makeScheduler(pndm, "lms", nullptr); });
    QVERIFY2(contains(unknown, "'lms'") && contains(unknown, "dpmpp2m-karras"), unknown.c_str());
    QCOMPARE(schedulerChoices().size(), std::size_t{7});
  }

  void lenientJsonAndFaults() {
    const auto j = parseDiffusersJson(R"({"a": "NaN and Infinity stay text", "b": -Infinity, "c": [Infinity, NaN]})", "x.json");
    QCOMPARE(j["a"].get<std::string>(), std::string("NaN and Infinity stay text"));
    ConfigReader r(j, "x.json");
    QVERIFY(std::isinf(r.number("b", 0)) && r.number("b", 0) < 0);
    QCOMPARE(r.number("absent", 2.5), 2.5);

    const auto notJson = errorOf([] { parseDiffusersJson("{\"a\": ", "broken.json"); });
    QVERIFY2(contains(notJson, "broken.json") && contains(notJson, "not valid JSON"), notJson.c_str());
    // A number beyond double escaped as nlohmann's out_of_range; a whole float beyond int64 was cast (UB).
    const auto bigNumber = errorOf([] { parseDiffusersJson("{\"a\": 1e400}", "big.json"); });
    QVERIFY2(contains(bigNumber, "big.json") && contains(bigNumber, "not valid JSON"), bigNumber.c_str());
    const auto bigInteger = errorOf([] { ConfigReader(parseDiffusersJson("{\"n\": 1e300}", "n.json"), "n.json").integer("n", 0); });
    QVERIFY2(contains(bigInteger, "n.json: n: expected an integer"), bigInteger.c_str());
    const auto missing = errorOf([] { loadDiffusersJson("/nonexistent/scheduler_config.json"); });
    QVERIFY2(contains(missing, "/nonexistent/scheduler_config.json"), missing.c_str());

    auto cfg = parseDiffusersJson(kPndmConfig, "s.json");
    cfg["steps_offset"] = "one";
    auto msg = errorOf([&] { makeScheduler(cfg, "ddim", nullptr, "s.json"); });
    QVERIFY2(contains(msg, "s.json") && contains(msg, "steps_offset"), msg.c_str());
    cfg = parseDiffusersJson(kPndmConfig, "s.json");
    cfg["prediction_type"] = "flow";
    msg = errorOf([&] { makeScheduler(cfg, "euler", nullptr, "s.json"); });
    QVERIFY2(contains(msg, "prediction_type 'flow'"), msg.c_str());
    cfg = parseDiffusersJson(kPndmConfig, "s.json");
    cfg["beta_schedule"] = "sigmoid";
    msg = errorOf([&] { makeScheduler(cfg, "ddim", nullptr, "s.json"); });
    QVERIFY2(contains(msg, "beta_schedule 'sigmoid'"), msg.c_str());
    cfg = parseDiffusersJson(kPndmConfig, "s.json");
    cfg["trained_betas"] = std::vector<double>{0.1, 0.2};
    msg = errorOf([&] { makeScheduler(cfg, "ddim", nullptr, "s.json"); });
    QVERIFY2(contains(msg, "trained_betas"), msg.c_str());
  }

  void betaSchedulesByHand() {
    DDIMSchedulerConfig lin;  // diffusers defaults: linear 0.0001 .. 0.02
    DDIMScheduler l(lin);
    QVERIFY(std::abs(l.betas()[0].item<double>() - 0.0001) < 1e-9);
    QVERIFY(std::abs(l.betas()[999].item<double>() - 0.02) < 1e-9);
    QVERIFY(std::abs(l.betas()[500].item<double>() - (0.0001 + 500 * (0.02 - 0.0001) / 999)) < 1e-8);

    DDIMSchedulerConfig sq;
    sq.betaStart = 0.00085;
    sq.betaEnd = 0.012;
    sq.betaSchedule = "scaled_linear";
    DDIMScheduler s(sq);
    const double root = std::sqrt(0.00085) + 300 * (std::sqrt(0.012) - std::sqrt(0.00085)) / 999;
    QVERIFY(std::abs(s.betas()[300].item<double>() - root * root) < 1e-8);

    DDIMSchedulerConfig cosine;
    cosine.betaSchedule = "squaredcos_cap_v2";
    DDIMScheduler c(cosine);
    auto alphaBar = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * M_PI / 2), 2); };
    for (int i : {0, 500, 998, 999}) {
      const double e = std::min(1 - alphaBar((i + 1) / 1000.0) / alphaBar(i / 1000.0), 0.999);
      QVERIFY2(std::abs(c.betas()[i].item<double>() - e) < 1e-6 * std::max(e, 1e-3), std::to_string(i).c_str());
    }

    nlohmann::json trained = parseDiffusersJson(kPndmConfig, "t.json");
    std::vector<double> betas(1000);
    for (int i = 0; i < 1000; ++i) betas[i] = 0.001 + i * 1e-5;
    trained["trained_betas"] = betas;
    auto t = makeScheduler(trained, "ddim", nullptr);
    QVERIFY(std::abs(t->betas()[999].item<double>() - (0.001 + 999e-5)) < 1e-8);

    // Zero terminal SNR: alphas_cumprod ends at 0 (DDIM) / 2^-24 (Euler keeps sigmas finite).
    auto z = parseDiffusersJson(kPndmConfig, "z.json");
    z["rescale_betas_zero_snr"] = true;
    auto zd = makeScheduler(z, "ddim", nullptr);
    QVERIFY(std::abs(zd->alphasCumprod()[999].item<double>()) < 1e-9);
    QVERIFY(std::abs(zd->alphasCumprod()[0].item<double>() - s.alphasCumprod()[0].item<double>()) < 1e-6);
    auto ze = makeScheduler(z, "euler", nullptr);
    QCOMPARE(ze->alphasCumprod()[999].item<float>(), std::ldexp(1.0f, -24));
  }
};

QTEST_GUILESS_MAIN(TestSchedulerFactory)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_scheduler_factory.moc"
#endif
