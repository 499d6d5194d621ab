// Hole fills measured on photos no test was tuned on (issue 18 §2), every method side by side, and
// the default removal method checked against the targets; then one large fill with its peak
// memory. The scores are engine/pipelines/exemplar/inpaint_evaluation.h's (PSNR and SSIM in the
// hole, detail ratio, seam score, seconds), the same as `latentshop-cli inpaint-eval` prints.
//
// Usage: bench_inpaint_methods [--all] [--large-only] [PHOTO_OR_DIR ...]
//   default photos: ../shared/testdata/photos and the sample photo bootstrap.sh opens (if present)
//   --all: also OpenCV contrib's shift-map and FSR (7-10 s a fill at 800 px)
//   --large-only: only the 8000x6000 fill
// Photos are resized to 800 px on the long side; holes of 5, 10 and 20 % of the area, one square,
// blob and stroke each, seeded. Large fill: a photo scaled to 8000x6000 with a 10 % blob hole,
// filled by the classical-inpaint job path (grow 0, feather 4) as the editor runs it; peak RSS is
// VmHWM after a reset, reported with the image's own size for scale.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "bench_common.h"
#include "support/test_paths.h"
#include "engine/core/threads.h"
#include "engine/io/image_io.h"
#include "engine/pipelines/classical_inpaint.h"
#include "engine/pipelines/exemplar/inpaint_evaluation.h"
#include "engine/pipelines/exemplar/xphoto_inpaint.h"

using namespace latentshop;
namespace fs = std::filesystem;

namespace {

const char* kSamplePhoto = "/usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg";

struct Sum {
  int n = 0;
  FillScores s;
  void add(const FillScores& x) {
    ++n;
    s.psnr += x.psnr;
    s.ssim += x.ssim;
    s.detail += x.detail;
    s.seam += x.seam;
    s.seconds += x.seconds;
  }
  FillScores mean() const {
    FillScores m = s;
    const double k = n ? 1.0 / n : 0.0;
    m.psnr *= k, m.ssim *= k, m.detail *= k, m.seam *= k, m.seconds *= k;
    return m;
  }
};

std::vector<std::string> photosIn(const std::string& path) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (fs::exists(path, ec)) out.push_back(path);
    return out;
  }
  for (const auto& e : fs::directory_iterator(path)) {
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void printRow(const std::string& key, const Sum& sum) {
  const FillScores m = sum.mean();
  std::printf("%-24s %4d %8.2f %7.3f %8.2f %7.2f %8.2f\n", key.c_str(), sum.n, m.psnr, m.ssim, m.detail, m.seam,
              m.seconds);
}

void compareMethods(const std::vector<std::string>& photos, const std::vector<ClassicalInpaintMethod>& methods) {
  const std::vector<double> areas{0.05, 0.1, 0.2};
  std::map<std::string, Sum> byMethod;                    // "patchmatch"
  std::map<double, std::map<std::string, Sum>> byArea;   // area -> method
  std::uint64_t seed = 0;
  for (const auto& path : photos) {
    cv::Mat rgb = readImageRgb(path);
    const double scale = 800.0 / std::max(rgb.cols, rgb.rows);
    if (scale < 1.0) cv::resize(rgb, rgb, cv::Size(), scale, scale, cv::INTER_AREA);
    for (const double area : areas)
      for (const HoleShape shape : {HoleShape::Square, HoleShape::Blob, HoleShape::Stroke}) {
        const cv::Mat hole = makeHole(rgb.size(), shape, area, ++seed);
        for (const auto method : methods) {
          const FillScores s = evaluateFill(rgb, hole, method, seed);
          byMethod[toString(method)].add(s);
          byArea[area][toString(method)].add(s);
        }
      }
    std::fprintf(stderr, "  %s done\n", fs::path(path).filename().string().c_str());
  }
  std::printf("\n%zu photos at 800 px; holes of 5, 10, 20 %% (square, blob, stroke each)\n", photos.size());
  std::printf("%-24s %4s %8s %7s %8s %7s %8s\n", "method", "n", "PSNR", "SSIM", "detail", "seam", "seconds");
  for (const auto& [m, sum] : byMethod) printRow(m, sum);
  for (const auto& [area, methodsAt] : byArea)
    for (const auto& [m, sum] : methodsAt) printRow(m + " @ " + std::to_string(int(area * 100 + 0.5)) + " %", sum);

  // The targets for the default removal method on 20 % holes, against Telea's figures.
  const auto& at20 = byArea[0.2];
  if (!at20.count("patchmatch") || !at20.count("telea")) return;
  const FillScores pm = at20.at("patchmatch").mean(), te = at20.at("telea").mean();
  auto verdict = [](bool ok) { return ok ? "met" : "MISSED"; };
  std::printf("\ntargets for Remove (PatchMatch) on 20 %% holes:\n");
  std::printf("  detail ratio %.2f >= 0.7 (Telea %.2f): %s\n", pm.detail, te.detail, verdict(pm.detail >= 0.7));
  std::printf("  seam score %.2f <= 1.5 (Telea %.2f): %s\n", pm.seam, te.seam, verdict(pm.seam <= 1.5));
  std::printf("  PSNR %.2f dB within 2 dB of Telea's %.2f: %s\n", pm.psnr, te.psnr, verdict(pm.psnr >= te.psnr - 2.0));
  std::printf("  %.2f s per fill <= 3 s: %s\n", pm.seconds, verdict(pm.seconds <= 3.0));
}

// The editor's path for one large photo: the classical job with PatchMatch, its peak memory.
void largeFill(const std::string& photo) {
  cv::Mat rgb = readImageRgb(photo);
  cv::resize(rgb, rgb, cv::Size(8000, 6000), 0, 0, cv::INTER_CUBIC);
  const cv::Mat hole = makeHole(rgb.size(), HoleShape::Blob, 0.10, 7);
  const double imageMiB = double(rgb.total() * rgb.elemSize()) / (1024.0 * 1024.0);
  ClassicalInpaintRequest r;
  r.image = rgb;
  r.mask = hole;
  r.method = ClassicalInpaintMethod::PatchMatch;
  r.growPx = 0;
  r.featherPx = 4;
  const double before = lsbench::rssMiB();
  const bool reset = lsbench::resetPeakRss();
  ClassicalInpaintOutput out;
  const double s = lsbench::seconds([&] { out = runClassicalInpaint(r); });
  const double peak = lsbench::peakRssMiB();
  std::printf("\nlarge fill: %dx%d (%s), 10 %% blob hole (%d px), PatchMatch via the inpaint job\n", rgb.cols, rgb.rows,
              fs::path(photo).filename().string().c_str(), cv::countNonZero(hole));
  std::printf("  %.1f s; RSS before %.0f MiB, peak %.0f MiB%s (+%.0f MiB = %.1f x the RGB image's %.0f MiB)\n", s,
              before, peak, reset ? "" : " (peak not reset: includes earlier phases)", peak - before,
              (peak - before) / imageMiB, imageMiB);
}

}  // namespace

int main(int argc, char** argv) {
  configureTorchThreads();
  lsbench::printMachine();
  bool all = false, largeOnly = false;
  std::vector<std::string> photos;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--all")) all = true;
    else if (!std::strcmp(argv[i], "--large-only")) largeOnly = true;
    else for (const auto& p : photosIn(argv[i])) photos.push_back(p);
  }
  if (photos.empty()) {
    photos = photosIn(lstest::sharedDir() + "/testdata/photos");
    if (fs::exists(kSamplePhoto)) photos.push_back(kSamplePhoto);
  }
  if (photos.empty()) {
    std::fprintf(stderr, "no photos found\n");
    return 1;
  }
  std::vector<ClassicalInpaintMethod> methods{ClassicalInpaintMethod::PatchMatch, ClassicalInpaintMethod::Telea,
                                              ClassicalInpaintMethod::NavierStokes};
  if (all && haveXphoto()) {
    methods.push_back(ClassicalInpaintMethod::ShiftMap);
    methods.push_back(ClassicalInpaintMethod::Fsr);
  }
  if (!largeOnly) compareMethods(photos, methods);
  largeFill(photos.front());
  return 0;
}
