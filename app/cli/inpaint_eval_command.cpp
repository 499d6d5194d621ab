// `latentshop-cli inpaint-eval --images DIR [--holes N] [--seed S] [--long-side 800]
//                             [--areas 0.05,0.1,0.2] [--methods patchmatch,telea,ns,shiftmap,fsr] [--crops DIR]`:
// cuts holes (squares, blobs, strokes; each area fraction; N of each) into every photo of DIR
// (resized to the long side), fills them with every method and prints, per method, the mean PSNR
// and SSIM in the hole, detail ratio, seam score and seconds, overall and per area
// (engine/pipelines/exemplar/inpaint_evaluation.h says what each score means). --crops writes, per
// case, a strip: damaged | each method | original, around the hole.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "app/cli/cli_checks.h"
#include "app/cli/command_registry.h"
#include "engine/core/error.h"
#include "engine/io/image_io.h"
#include "engine/pipelines/exemplar/inpaint_evaluation.h"

namespace fs = std::filesystem;

namespace latentshop::cli {
namespace {

struct EvalOptions {
  std::string images;
  int holes = 1;
  std::uint64_t seed = 0;
  int longSide = 800;
  std::string areas = "0.05,0.1,0.2";
  std::string methods = "patchmatch,telea,ns";
  std::string crops;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) if (!item.empty()) out.push_back(item);
  return out;
}

struct Sum {
  FillScores total;
  int n = 0;
  void add(const FillScores& s) {
    total.psnr += s.psnr, total.ssim += s.ssim, total.detail += s.detail, total.seam += s.seam;
    total.seconds += s.seconds, ++n;
  }
  void print(const std::string& label) const {
    if (!n) return;
    std::printf("%-28s %4d %8.2f %7.3f %8.2f %7.2f %8.2f\n", label.c_str(), n, total.psnr / n, total.ssim / n,
                total.detail / n, total.seam / n, total.seconds / n);
  }
};

void run(const EvalOptions& o) {
  std::vector<std::string> photos;
  std::error_code ec;
  if (fs::is_directory(o.images, ec)) {
    for (const auto& e : fs::directory_iterator(o.images)) {
      std::string ext = e.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
      if (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp") photos.push_back(e.path().string());
    }
    std::sort(photos.begin(), photos.end());
  } else {
    photos.push_back(o.images);
  }
  if (photos.empty()) throw fileError(o.images, "no photos (.jpg, .png, .webp) in this folder");
  std::vector<ClassicalInpaintMethod> methods;
  for (const auto& m : split(o.methods)) {
    const auto parsed = parseClassicalInpaintMethod(m);
    if (!parsed) throw Error("--methods: unknown method '" + m + "' (patchmatch, telea, ns, shiftmap, fsr)");
    methods.push_back(*parsed);
  }
  std::vector<double> areas;
  for (const auto& a : split(o.areas)) {
    char* end = nullptr;
    const double v = std::strtod(a.c_str(), &end);
    if (end == a.c_str() || *end || !(v > 0.0 && v < 0.6)) throw Error("--areas: '" + a + "' is not a fraction in (0, 0.6)");
    areas.push_back(v);
  }
  if (!o.crops.empty()) fs::create_directories(o.crops);

  std::map<std::string, Sum> sums;  // "method", "method @ area", "method / shape"
  std::uint64_t caseSeed = o.seed;
  for (const auto& path : photos) {
    cv::Mat rgb = readImageRgb(path);
    const double scale = double(o.longSide) / std::max(rgb.cols, rgb.rows);
    if (scale < 1.0) cv::resize(rgb, rgb, cv::Size(), scale, scale, cv::INTER_AREA);
    const std::string name = fs::path(path).stem().string();
    for (const double area : areas)
      for (const HoleShape shape : {HoleShape::Square, HoleShape::Blob, HoleShape::Stroke})
        for (int h = 0; h < o.holes; ++h) {
          const cv::Mat hole = makeHole(rgb.size(), shape, area, ++caseSeed);
          std::vector<cv::Mat> strip;
          const cv::Rect box = cv::boundingRect(hole) & cv::Rect(0, 0, rgb.cols, rgb.rows);
          const cv::Rect view = cv::Rect(box.x - 32, box.y - 32, box.width + 64, box.height + 64) & cv::Rect(0, 0, rgb.cols, rgb.rows);
          if (!o.crops.empty()) {
            cv::Mat damaged = rgb.clone();
            damaged.setTo(cv::Scalar(255, 0, 255), hole);
            strip.push_back(damaged(view).clone());
          }
          for (const auto method : methods) {
            cv::Mat filled;
            const FillScores s = evaluateFill(rgb, hole, method, caseSeed, o.crops.empty() ? nullptr : &filled);
            const std::string m = toString(method);
            sums[m].add(s);
            char key[64];
            std::snprintf(key, sizeof key, "%s @ %.0f %%", m.c_str(), area * 100);
            sums[key].add(s);
            sums[m + " / " + toString(shape)].add(s);
            std::fprintf(stderr, "%s %s %.0f%% #%d %s: PSNR %.2f SSIM %.3f detail %.2f seam %.2f %.2f s\n", name.c_str(),
                         toString(shape), area * 100, h, m.c_str(), s.psnr, s.ssim, s.detail, s.seam, s.seconds);
            if (!filled.empty()) strip.push_back(filled(view).clone());
          }
          if (!o.crops.empty()) {
            strip.push_back(rgb(view).clone());
            cv::Mat row;
            cv::hconcat(strip, row);
            char file[256];
            std::snprintf(file, sizeof file, "%s/%s_%s_%02.0f_%d.png", o.crops.c_str(), name.c_str(), toString(shape),
                          area * 100, h);
            writeImage(file, row);
          }
        }
  }
  std::printf("%zu photos at %d px, holes: %s of the area, %d of each shape (square, blob, stroke), seed %llu\n",
              photos.size(), o.longSide, o.areas.c_str(), o.holes, static_cast<unsigned long long>(o.seed));
  std::printf("%-28s %4s %8s %7s %8s %7s %8s\n", "method", "n", "PSNR", "SSIM", "detail", "seam", "seconds");
  for (const auto& [key, sum] : sums)
    if (key.find(' ') == std::string::npos) sum.print(key);
  for (const auto& [key, sum] : sums)
    if (key.find(" @ ") != std::string::npos) sum.print(key);
  for (const auto& [key, sum] : sums)
    if (key.find(" / ") != std::string::npos) sum.print(key);
}

void setup(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("inpaint-eval", "Measure the inpaint methods on holes cut into photos");
  cmd->add_option("--images", o->images, "A folder of photos (or one photo)")->required();
  cmd->add_option("--holes", o->holes, "Holes of each shape and size per photo")->check(CLI::Range(1, 100))->capture_default_str();
  addSeedOption(cmd, "--seed", o->seed, "Seed of the hole placement and the fills");
  cmd->add_option("--long-side", o->longSide, "Photos are resized to this long side")->check(CLI::Range(64, 8192))->capture_default_str();
  cmd->add_option("--areas", o->areas, "Hole sizes as fractions of the image area")->capture_default_str();
  cmd->add_option("--methods", o->methods, "Methods to compare")->capture_default_str();
  cmd->add_option("--crops", o->crops, "Write a comparison strip per case into this folder");
  cmd->callback([o] { run(*o); });
}

}  // namespace
}  // namespace latentshop::cli

LATENTSHOP_CLI_COMMAND(inpaint_eval, latentshop::cli::setup)
