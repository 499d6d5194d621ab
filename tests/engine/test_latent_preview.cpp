// LATENTSHOP_TEST_LABELS: pipelines
// Live-preview decoders: the SD 1.5 linear latent->RGB projection (ComfyUI's factors, pixel values
// derived by hand), image mapping, resizing, input checks, and the PreviewDecoder choice (TAESD
// from a folder written with random weights, else linear).
#include <functional>
#include <string>

#include "support/error_text.h"
#include "support/testing.h"
#include "support/precision_bounds.h"
#include "support/test_paths.h"
#include "test_taesd_support.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/models/taesd_loader.h"
#include "engine/pipelines/latent_preview.h"

using namespace latentshop;
using lstest::errorOf;

namespace {

std::vector<int> pixel(const cv::Mat& m, int row, int col) {
  const auto& p = m.at<cv::Vec3b>(row, col);
  return {p[0], p[1], p[2]};
}

// CV_8UC3 -> [rows, cols, 3] float64 tensor (a copy).
torch::Tensor pixelTensor(const cv::Mat& m) {
  const cv::Mat c = m.isContinuous() ? m : m.clone();
  return torch::from_blob(c.data, {static_cast<int64_t>(c.rows), static_cast<int64_t>(c.cols), 3}, torch::kUInt8)
      .to(torch::kDouble);
}

}  // namespace

class TestLatentPreview : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { configureTorchThreads(); }

  void linearProjectionByHand() {
    auto z = torch::zeros({1, 4, 2, 2});
    z[0][0][0][0] = 1;                 // -> factors row 0: (0.3512, 0.2297, 0.3227)
    z[0][3][0][1] = -1;                // -> -row 3: (0.2120, 0.2616, 0.7177)
    z.select(3, 0).select(2, 1).fill_(2);  // pixel (1, 0) = 2 in every channel
    z[0][0][1][1] = -5;                // far below -1: clamps to black
    const auto rgb = latentToRgbPreview(z);
    QCOMPARE(rgb.type(), CV_8UC3);
    QCOMPARE(rgb.rows, 2);
    QCOMPARE(rgb.cols, 2);
    // round((v + 1) * 127.5), RGB order
    QCOMPARE(pixel(rgb, 0, 0), (std::vector<int>{172, 157, 169}));  // 172.28, 156.79, 168.64
    QCOMPARE(pixel(rgb, 0, 1), (std::vector<int>{155, 161, 219}));  // 154.53, 160.85, 219.01
    // 2 * column sums: R 0.3626 -> 173.73, G 1.2834 -> clamp 1 -> 255, B 0.2242 -> 156.09
    QCOMPARE(pixel(rgb, 1, 0), (std::vector<int>{174, 255, 156}));
    QCOMPARE(pixel(rgb, 1, 1), (std::vector<int>{0, 0, 0}));
  }

  void shapesDtypesAndResize() {
    torch::manual_seed(1);
    const auto z = torch::randn({2, 4, 64, 64});
    const auto big = latentToRgbPreview(z, cv::Size(512, 384));
    QCOMPARE(big.cols, 512);
    QCOMPARE(big.rows, 384);
    const auto first = latentToRgbPreview(z[0]);
    const auto batched = latentToRgbPreview(z);
    QCOMPARE(cv::norm(first, batched, cv::NORM_INF), 0.0);
    const auto bf16 = latentToRgbPreview(z.to(torch::kBFloat16));
    // bf16 input rounding only (the projection runs in fp32): each latent moves by at most half a bf16
    // ulp, eps/2 · |z_k|, so a pixel by at most 127.5 · Σ_k |f_kc| · eps/2 · |z_k| before its rounding
    // to an integer, which adds < 1 level.
    const auto factors =
        torch::from_blob(const_cast<float*>(kSd15LatentRgbFactors[0].data()), {4, 3}, torch::kFloat32).to(torch::kDouble);
    const auto magnitude = torch::matmul(z[0].to(torch::kDouble).abs().permute({1, 2, 0}), factors.abs());  // [h, w, 3]
    const auto levelBound = magnitude * (127.5 * lstest::lowPrecisionBound(torch::kBFloat16, 1.0, 1.0, 0.5)) + 1.0;
    const auto c = lstest::withinBound(pixelTensor(bf16), pixelTensor(first), levelBound, "bf16 preview (levels)");
    QVERIFY2(c.ok, c.message.c_str());
    const auto msg = errorOf([] { latentToRgbPreview(torch::zeros({1, 3, 8, 8})); });
    QVERIFY2(msg.find("[1, 3, 8, 8]") != std::string::npos, msg.c_str());

    auto img = torch::zeros({1, 3, 1, 3});
    img[0].select(2, 0).fill_(-1);
    img[0].select(2, 2).fill_(1);
    const auto m = imageTensorToRgb(img);
    QCOMPARE(pixel(m, 0, 0), (std::vector<int>{0, 0, 0}));
    QCOMPARE(pixel(m, 0, 1), (std::vector<int>{128, 128, 128}));  // 127.5 rounds half to even
    QCOMPARE(pixel(m, 0, 2), (std::vector<int>{255, 255, 255}));
  }

  void decoderChoice() {
    auto linear = makePreviewDecoder("");
    QCOMPARE(linear->name(), std::string("linear"));
    torch::manual_seed(2);
    const auto z = torch::randn({1, 4, 8, 8});
    QCOMPARE(cv::norm(linear->decode(z), latentToRgbPreview(z), cv::NORM_INF), 0.0);

    const auto dir = lstest::writeTaesdFolder(lstest::scratchDir() + "/taesd",
                                              lstest::randomWeights(lstest::taesdKeyLayout(true), 3));
    auto taesd = makePreviewDecoder(dir);
    QCOMPARE(taesd->name(), std::string("taesd"));
    const auto native = taesd->decode(z);
    QCOMPARE(native.type(), CV_8UC3);
    QCOMPARE(native.rows, 64);
    QCOMPARE(native.cols, 64);
    QCOMPARE(cv::norm(native, taesd->decode(z), cv::NORM_INF), 0.0);  // deterministic
    // The preview is the decoder's image mapped to pixels (channels-last kernels: 1 level at most).
    torch::NoGradGuard ng;
    const auto reference = imageTensorToRgb(loadTaesd(dir)->decode(z));
    QVERIFY(cv::norm(native, reference, cv::NORM_INF) <= 1.0);
    const auto small = taesd->decode(z, cv::Size(32, 48));
    QCOMPARE(small.cols, 32);
    QCOMPARE(small.rows, 48);
    const auto msg = errorOf([] { makePreviewDecoder("/nonexistent/taesd"); });
    QVERIFY2(msg.find("/nonexistent/taesd") != std::string::npos, msg.c_str());
  }
};

QTEST_GUILESS_MAIN(TestLatentPreview)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_latent_preview.moc"
#endif
