// LATENTSHOP_TEST_LABELS: models
// Tiled VAE decode and encode (engine/models/autoencoder_kl_tiling.h): GroupNorm moments gathered
// over bands equal the whole map's; maps on disk read back what was written; the budget decides
// tiling; banded results equal the untiled ones (≤ 1e-3 raw, within 2/255 in pixels everywhere, so
// at every band border) on the demo VAE with a real photo and on SD 1.5's VAE with random weights,
// down to the smallest budget.
#include <algorithm>
#include <string>

#include <opencv2/imgproc.hpp>

#include "support/testing.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/image_io.h"
#include "engine/io/safetensors.h"
#include "engine/io/state_dict.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/models/vae_band_map.h"
#include "engine/nn/group_norm_moments.h"
#include "engine/pipelines/sd_pipeline_common.h"
#include "engine/runtime/model_benchmark.h"

using namespace latentshop;

namespace {

constexpr double kPixelBound = 2.0 / 255.0;

AutoencoderKL demoVae() {
  const std::string dir = std::string(LATENTSHOP_SOURCE_DIR) + "/models/demo/inpaint/vae";
  AutoencoderKL vae(AutoencoderKLConfig::fromFile(dir + "/config.json"));
  SafetensorsFile file(dir + "/diffusion_pytorch_model.safetensors");
  bindStateDict(*vae, file.viewAll(), file.path(), "VAE");
  vae->eval();
  return vae;
}

torch::Tensor photo(int size) {
  cv::Mat rgb = readImageRgb(lstest::photoPath("fruits.jpg"));
  cv::resize(rgb, rgb, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  return normalizeImage(rgbToTensor01(rgb));
}

// A budget of `mib` MiB for this model alone.
void setBudget(AutoencoderKL& vae, int64_t bytes) {
  VaeTilingPolicy p;
  p.memoryBudgetBytes = bytes;
  vae->setTilingPolicy(p);
}

// Largest difference in [0, 1] pixel units (images clamped to [-1, 1] as the pipelines do).
double pixelDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a.clamp(-1, 1) - b.clamp(-1, 1)).abs() / 2).max().item<double>();
}

// Decode and encode with a budget of `budget` bytes against the untiled run; returns the report of
// the banded decode.
VaeBandReport compareTiled(AutoencoderKL& vae, const torch::Tensor& image, int64_t budget, const char* what) {
  torch::InferenceMode inference;
  const int64_t f = vae->config().downscaleFactor();
  const int64_t h = image.size(2) / f, w = image.size(3) / f;
  setBudget(vae, int64_t{1} << 40);
  const auto mean = vae->encode(image).mean;
  const auto decoded = vae->decode(mean);

  setBudget(vae, budget);
  if (!vae->tiles(1, h, w)) return {};
  VaeBandReport report;
  const auto z = vae->post_quant_conv ? vae->post_quant_conv(mean) : mean;
  const auto banded = decodeInBands(*vae->decoder, vae->config(), z, budget, &report);
  const auto viaDecode = vae->decode(mean);
  const auto tiledMean = vae->encode(image).mean;
  setBudget(vae, int64_t{1} << 40);
  const auto decodedOfTiledMean = vae->decode(tiledMean);

  const double dec = pixelDiff(banded, decoded), enc = pixelDiff(decodedOfTiledMean, decoded);
  const double raw = (banded - decoded).abs().max().item<double>();
  const double latentDiff = (tiledMean - mean).abs().max().item<double>();
  std::printf("  %s, %lldx%lld latent, budget %.1f MiB: %lld bands, %lld maps on disk; decode max %.2e "
              "(%.4f/255 in pixels), encode latent max %.2e, encode→decode %.4f/255\n",
              what, (long long)h, (long long)w, budget / 1048576.0, (long long)report.bands,
              (long long)report.mapsOnDisk, raw, dec * 255, latentDiff, enc * 255);
  [&] {
    QVERIFY2(dec <= kPixelBound, qPrintable(QString::number(dec * 255)));
    QVERIFY2(enc <= kPixelBound, qPrintable(QString::number(enc * 255)));
    QVERIFY2(raw <= 1e-3, qPrintable(QString::number(raw)));  // the same computation, reordered
    QVERIFY2(latentDiff <= 1e-3, qPrintable(QString::number(latentDiff)));
    QVERIFY((viaDecode - banded).abs().max().item<double>() == 0.0);  // decode() took the banded path
    QCOMPARE(banded.sizes(), decoded.sizes());
  }();
  return report;
}

}  // namespace

class TestVaeTiling : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void momentsOverBandsEqualTheWholeMap() {
    torch::InferenceMode inference;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    const auto x = torch::randn({2, 8, 12, 10}, gen) * 3 + 1;
    nn::GroupNorm norm(4, 8, 1e-6, torch::TensorOptions());
    norm->weight.copy_(torch::rand({8}, gen) + 0.5);
    norm->bias.copy_(torch::randn({8}, gen));
    nn::GroupMoments moments;
    moments.groups = 4;
    for (auto [r0, r1] : {std::pair<int64_t, int64_t>{0, 5}, {5, 6}, {6, 12}}) moments.add(x.slice(2, r0, r1));
    const auto part = nn::groupNormWithMoments(*norm, x.slice(2, 3, 9), moments);
    const auto whole = at::group_norm(x, 4, norm->weight, norm->bias, 1e-6).slice(2, 3, 9);
    const double diff = (part - whole).abs().max().item<double>();
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    // A map on disk gives back what was written, band by band, and the same moments.
    VaeBandMap map(2, 8, 12, 10, torch::kFloat, 4, true);
    QVERIFY(map.onDisk());
    map.write(0, x.slice(2, 0, 7));
    map.write(7, x.slice(2, 7, 12));
    QVERIFY(torch::equal(map.read(0, 12), x));
    QVERIFY(torch::equal(map.read(4, 9), x.slice(2, 4, 9)));
    QVERIFY(torch::allclose(map.moments().mean, moments.mean));
  }

  void budgetDecidesTiling() {
    const auto config = AutoencoderKLConfig::stableDiffusion();
    AutoencoderKL vae(config);
    setBudget(vae, vaeWorkingBytes(config, torch::kFloat, 1, 64, 64));  // a 512² decode
    QVERIFY(!vae->tiles(1, 64, 64));
    QVERIFY(vae->tiles(1, 256, 256));  // 2048²
    QVERIFY(vae->tiles(2, 64, 64));    // batch 2 takes twice the memory
    VaeTilingPolicy p;
    p.memoryBudgetBytes = 1;
    QVERIFY_THROWS_EXCEPTION(latentshop::Error, setVaeTilingPolicy(p));
    QVERIFY(vaeTilingPolicy().memoryBudgetBytes >= (kMinVaeMemoryMiB << 20));
  }

  void demoVaeBandsEqualUntiled() {
    auto vae = demoVae();
    const auto image = photo(512);
    // A budget for a 128² decode: bands of a few rows, the large maps on disk.
    const auto report = compareTiled(vae, image, vaeWorkingBytes(vae->config(), torch::kFloat, 1, 32, 32), "demo VAE, fruits.jpg 512²");
    QVERIFY(report.bands > 100);
    QVERIFY(report.mapsOnDisk > 0);
    // The smallest budget still works (bands of two rows).
    compareTiled(vae, image, kMinVaeMemoryMiB << 10, "demo VAE, smallest budget");
  }

  void sdVaeRandomWeightsBandsEqualUntiled() {
    AutoencoderKL vae(AutoencoderKLConfig::stableDiffusion());
    fillRandomWeights(*vae, 7);
    vae->eval();
    const auto report = compareTiled(vae, photo(256), vaeWorkingBytes(vae->config(), torch::kFloat, 1, 12, 12), "SD 1.5 VAE, random weights, 256²");
    QVERIFY(report.bands > 50);
  }
};

QTEST_GUILESS_MAIN(TestVaeTiling)
#include "test_vae_tiling.moc"
