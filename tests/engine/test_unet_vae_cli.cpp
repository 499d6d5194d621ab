// LATENTSHOP_TEST_LABELS: golden;cli
// `latentshop-cli tensors run unet|vae` on golden cases: every out.* tensor of the reference within
// 1e-4 (fp32), bf16 runs close (a bound from bf16's epsilon and each output's magnitude), and bad
// invocations exit 1 with a message naming the problem; `bench vae` prints the CPU and its table.
#include <array>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "support/testing.h"
#include "support/precision_bounds.h"
#include "support/tensor_compare.h"
#include "support/cli_run.h"
#include "support/test_paths.h"
#include "engine/core/cpu_info.h"
#include "engine/io/safetensors.h"
#include "engine/models/unet_2d_condition_config.h"
#include "model_golden.h"

using namespace latentshop;

namespace {

std::string goldenArgs(const std::string& what, const std::string& name, const std::string& out) {
  return "tensors run " + what + " --config \"" + lstest::goldenPath(name + ".config.json") + "\" --weights \"" +
         lstest::goldenPath(name + ".weights.safetensors") + "\" --inputs \"" +
         lstest::goldenPath(name + ".io.safetensors") + "\" --out \"" + out + "\"";
}

// Compares every out.* of `outPath` with the golden file, each within atol(golden tensor); returns "" or
// the first failure.
std::string compareOutputsWithin(const std::string& outPath, const std::string& name,
                                 const std::function<double(const torch::Tensor&)>& atol, int& compared) {
  SafetensorsFile out(outPath);
  SafetensorsFile golden(lstest::goldenPath(name + ".io.safetensors"));
  compared = 0;
  for (const auto& key : golden.names()) {
    if (key.rfind("out.", 0) != 0) continue;
    if (!out.contains(key)) return "missing " + key;
    const auto expected = golden.view(key);
    auto c = lstest::allClose(out.view(key), expected, atol(expected), 0.0, key);
    if (!c.ok) return c.message;
    ++compared;
  }
  return "";
}

std::string compareOutputs(const std::string& outPath, const std::string& name, double atol, int& compared) {
  return compareOutputsWithin(outPath, name, [atol](const torch::Tensor&) { return atol; }, compared);
}

}  // namespace

class TestUnetVaeCli : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void unetCases() {
    for (const std::string name : {"unet_tiny", "unet_inpaint_tiny"}) {
      const std::string out = lstest::scratchDir() + "/" + name + ".out.safetensors";
      auto r = lstest::runCli(goldenArgs("unet", name, out));
      QVERIFY2(r.status == 0, r.err.c_str());
      int compared = 0;
      const auto failure = compareOutputs(out, name, 1e-4, compared);
      QVERIFY2(failure.empty(), failure.c_str());
      QCOMPARE(compared, 3);  // t500, tvec, tfloat
    }
  }

  // The case: 10x6 latents on a 3-level UNet (and a 4-level one at 75x55, batch 2) keep
  // their size and match diffusers (tests/golden/odd_sizes).
  void unetOddSizes() {
    const std::string dir = lstest::projectGoldenPath("odd_sizes/");
    const std::string shared = lstest::goldenPath("unet_sd15_shaped_tiny");
    const std::vector<std::array<std::string, 3>> cases = {
        {dir + "unet_3level_tiny", dir + "unet_3level_tiny_10x6_b1", "10x6"},
        {shared, dir + "unet_sd15_shaped_tiny_75x55_b2", "75x55"}};
    for (const auto& [model, io, size] : cases) {
      const std::string out = lstest::scratchDir() + "/odd_" + size + ".out.safetensors";
      auto r = lstest::runCli("tensors run unet --config \"" + model + ".config.json\" --weights \"" + model +
                              ".weights.safetensors\" --inputs \"" + io + ".io.safetensors\" --out \"" + out + "\"");
      QVERIFY2(r.status == 0, r.err.c_str());
      SafetensorsFile produced(out), golden(io + ".io.safetensors");
      for (const std::string key : {"out.sample.t500", "out.sample.tvec"}) {
        QCOMPARE(produced.entry(key).shape, golden.entry(key).shape);
        auto c = lstest::allClose(produced.view(key), golden.view(key), 1e-4, 0.0, size + " " + key);
        QVERIFY2(c.ok, c.message.c_str());
      }
    }
  }

  void vaeCase() {
    const std::string out = lstest::scratchDir() + "/vae.out.safetensors";
    auto r = lstest::runCli(goldenArgs("vae", "vae_tiny", out));
    QVERIFY2(r.status == 0, r.err.c_str());
    int compared = 0;
    const auto failure = compareOutputs(out, "vae_tiny", 1e-4, compared);
    QVERIFY2(failure.empty(), failure.c_str());
    QCOMPARE(compared, 7);
  }

  void bf16Run() {
    const std::string out = lstest::scratchDir() + "/unet_bf16.out.safetensors";
    auto r = lstest::runCli(goldenArgs("unet", "unet_tiny", out) + " --dtype bf16");
    QVERIFY2(r.status == 0, r.err.c_str());
    SafetensorsFile f(out);
    QVERIFY(f.entry("out.sample.t500").dtype == torch::kFloat);
    // Each residual block of the UNet (ResNet / Transformer2D: 12 in unet_tiny) adds bf16 rounding of
    // about eps (2^-7) × the output's magnitude: atol = eps · max|golden| · sqrt(blocks) · 2 per output
    // (≈ 0.054 · max|golden| ≈ 0.065; a simulation of this model's bf16 roundings lands near 0.016).
    const double blocks =
        lstest::unetResidualBlocks(UNet2DConditionConfig::fromFile(lstest::goldenPath("unet_tiny.config.json")));
    int compared = 0;
    const auto failure = compareOutputsWithin(
        out, "unet_tiny",
        [blocks](const torch::Tensor& golden) {
          return lstest::lowPrecisionBound(torch::kBFloat16, lstest::maxAbs(golden), blocks, 2.0);
        },
        compared);
    QVERIFY2(failure.empty(), failure.c_str());
    QCOMPARE(compared, 3);  // t500, tvec, tfloat
  }

  // `latentshop-cli bench vae`: the machine line names this CPU and its flags, one table row per
  // operation with a positive median; bad sizes and a missing model are refused with a message.
  void benchCommand() {
    auto r = lstest::runCli("bench vae --size 64 --reps 1");
    QVERIFY2(r.status == 0, (r.out + r.err).c_str());
    QVERIFY2(r.out.find("machine: " + cpuInfo().model) != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find(cpuInfo().avx2 ? "avx2" : "no avx2") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("weights: random") != std::string::npos, r.out.c_str());
    for (const std::string op : {"decode", "encode"}) {
      const std::string row = "| VAE " + op + " 64², fp32 | ";
      const auto at = r.out.rfind(row);
      QVERIFY2(at != std::string::npos, r.out.c_str());
      const double median = std::atof(r.out.c_str() + at + row.size());
      QVERIFY2(median > 0.0 && median < 60.0, r.out.c_str());
    }
    // --vae-memory: a 256² decode and encode (about 200 MB untiled) over a 64 MiB budget run in bands.
    r = lstest::runCli("--vae-memory 64 bench vae --size 256 --reps 1");
    QVERIFY2(r.status == 0, (r.out + r.err).c_str());
    QVERIFY2(r.out.find("| VAE decode 256², fp32, in bands | ") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("| VAE encode 256², fp32, in bands | ") != std::string::npos, r.out.c_str());
    r = lstest::runCli("--vae-memory 10 bench vae --size 64");
    QVERIFY(r.status != 0);
    QVERIFY2(r.err.find("--vae-memory") != std::string::npos, r.err.c_str());
    // The whole inpaint edit on the built-in demo inpainting model (load excluded by the warm-up).
    const std::string demo = std::string(LATENTSHOP_SOURCE_DIR) + "/models/demo/inpaint";
    r = lstest::runCli("bench inpaint --model \"" + demo + "\" --size 128 --steps 2 --reps 2");
    QVERIFY2(r.status == 0, (r.out + r.err).c_str());
    QVERIFY2(r.out.find("| SD inpaint 128², 2 steps, CFG, fp32 | ") != std::string::npos, r.out.c_str());
    r = lstest::runCli("bench inpaint");
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.find("--model PATH is required") != std::string::npos, r.err.c_str());
    r = lstest::runCli("bench vae --size 60");
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.find("--size must be a positive multiple of 8, got 60") != std::string::npos, r.err.c_str());
    const std::string missing = lstest::scratchDir() + "/no-such-model";
    r = lstest::runCli("bench unet --model \"" + missing + "\"");
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.find(missing) != std::string::npos, r.err.c_str());
  }

  void badInvocations() {
    const std::string out = lstest::scratchDir() + "/bad.out.safetensors";
    auto r = lstest::runCli("tensors run unet --inputs \"" + lstest::goldenPath("unet_tiny.io.safetensors") + "\" --out \"" +
                    out + "\"");
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.find("--config is required") != std::string::npos, r.err.c_str());
    // VAE weights given to the UNet: strict binding names the file and the missing keys.
    r = lstest::runCli("tensors run unet --config \"" + lstest::goldenPath("unet_tiny.config.json") + "\" --weights \"" +
               lstest::goldenPath("vae_tiny.weights.safetensors") + "\" --inputs \"" +
               lstest::goldenPath("unet_tiny.io.safetensors") + "\" --out \"" + out + "\"");
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.find("vae_tiny.weights.safetensors: cannot load UNet2DConditionModel") != std::string::npos,
             r.err.c_str());
  }
};

QTEST_GUILESS_MAIN(TestUnetVaeCli)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_unet_vae_cli.moc"
#endif
