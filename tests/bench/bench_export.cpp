// Export/save/load of a large layered project: wall time and peak resident memory per phase.
// The question it answers: does an 8000×6000 project with a few layers save, reopen and export
// (PNG, JPEG, WebP, PSD, layer folder) without running out of memory on a 24 GiB machine?
//
// Usage: bench_export [width height]   (default 8000 6000; writes into a scratch folder)
// Peak RSS per phase: /proc/self/status VmHWM after resetting it through /proc/self/clear_refs
// ("5"), reported as the peak and as the increase over the RSS when the phase began.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/core/cpu_info.h"
#include "support/test_paths.h"
#include "engine/core/threads.h"
#include "engine/io/flatten.h"
#include "engine/io/layer_export.h"
#include "engine/io/ora_reader.h"
#include "engine/io/ora_writer.h"
#include "engine/io/psd_writer.h"

using namespace latentshop;
namespace fs = std::filesystem;

namespace {

long statusKb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + key.size());
  return -1;
}

bool resetPeak() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

double mib(long kb) { return kb / 1024.0; }

void phase(const char* name, const std::function<std::string()>& run) {
  const bool reset = resetPeak();
  const long before = statusKb("VmRSS");
  const auto t0 = std::chrono::steady_clock::now();
  const std::string detail = run();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const long peak = statusKb("VmHWM");
  std::printf("%-22s %7.2f s   peak RSS %7.0f MiB (+%6.0f MiB over the %6.0f MiB at start)%s  %s\n", name, s,
              mib(peak), mib(peak - before), mib(before), reset ? "" : " [peak not resettable]", detail.c_str());
  std::fflush(stdout);
}

std::string fileSize(const std::string& path) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(fs::file_size(path)) / (1 << 20));
  return buf;
}

Project bigProject(int w, int h) {
  cv::Mat photo = cv::imread(lstest::photoPath("building.jpg"), cv::IMREAD_COLOR);
  if (photo.empty()) throw std::runtime_error("building.jpg not found under " + lstest::photoPath(""));
  cv::cvtColor(photo, photo, cv::COLOR_BGR2RGB);
  cv::resize(photo, photo, cv::Size(w, h), 0, 0, cv::INTER_CUBIC);
  cv::Mat noise(h, w, CV_8UC3);
  cv::randn(noise, cv::Scalar::all(128), cv::Scalar::all(4));  // sensor-like grain: realistic PNG sizes
  cv::add(photo, noise, photo, cv::noArray(), CV_8UC3);
  cv::subtract(photo, cv::Scalar::all(128), photo);
  Project p = projectFromImage(photo, "Original");
  photo.release();

  cv::Mat mask(h, w, CV_8UC1, cv::Scalar(0));
  cv::ellipse(mask, cv::Point(w / 2, h / 2), cv::Size(w / 5, h / 6), 0, 0, 360, cv::Scalar(255), cv::FILLED);

  ProjectLayer full;  // a full-canvas edit result
  full.name = "Inpaint: a glass facade";
  full.kind = LayerKind::Result;
  cv::cvtColor(p.layers[0].rgba, full.rgba, cv::COLOR_RGBA2BGRA);  // a visibly different full layer
  full.params = {{"method", "inpaint"}, {"prompt", "a glass facade"}, {"seed", 7}, {"steps", 30}};
  full.mask = mask.clone();
  full.opacity = 0.9;
  p.addLayer(std::move(full));

  ProjectLayer crop;  // a crop-to-mask result with a feathered alpha edge
  crop.name = "Instruct: make it snowy";
  crop.kind = LayerKind::Result;
  crop.rgba = p.layers[0].rgba(cv::Rect(w / 4, h / 3, w * 3 / 8, h / 3)).clone();
  cv::Mat alpha(crop.rgba.rows, crop.rgba.cols, CV_8UC1, cv::Scalar(0));
  cv::rectangle(alpha, cv::Rect(40, 40, alpha.cols - 80, alpha.rows - 80), cv::Scalar(255), cv::FILLED);
  cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 12);
  cv::insertChannel(alpha, crop.rgba, 3);
  crop.x = w / 4;
  crop.y = h / 3;
  crop.params = {{"method", "instruct"}, {"instruction", "make it snowy"}, {"seed", 9}};
  p.addLayer(std::move(crop));

  ProjectLayer maskLayer;
  maskLayer.name = "Mask";
  maskLayer.kind = LayerKind::Mask;
  maskLayer.visible = false;
  cv::cvtColor(mask, maskLayer.rgba, cv::COLOR_GRAY2RGBA);
  maskLayer.mask = mask.clone();
  p.addLayer(std::move(maskLayer));
  p.meta.workingMask = mask;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("machine: %s\n", latentshop::cpuInfo().describe().c_str());  // figures name their CPU
  configureTorchThreads();
  const int w = argc > 2 ? std::atoi(argv[1]) : 8000;
  const int h = argc > 2 ? std::atoi(argv[2]) : 6000;
  const std::string dir = lstest::scratchDir();
  std::printf("bench_export: %dx%d canvas; layers: opaque photo, full-canvas result (opacity 0.9, mask),\n"
              "  %dx%d feathered crop result, hidden mask layer; working mask. Output in %s\n",
              w, h, w * 3 / 8, h / 3, dir.c_str());
  std::printf("OpenCV threads %d; PNG compression level (png_text_codec.h): ORA %d, exports %d\n", cv::getNumThreads(),
              OraWriteOptions{}.pngCompression, ExportOptions{}.pngCompression);

  Project p;
  phase("build project", [&] {
    p = bigProject(w, h);
    return std::to_string(p.layers.size()) + " layers";
  });
  phase("flatten (whole)", [&] { return std::to_string(flatten(p).total()) + " px"; });
  phase("export PNG", [&] {
    exportFlattened(p, dir + "/flat.png");
    return fileSize(dir + "/flat.png");
  });
  phase("export JPEG q95", [&] {
    exportFlattened(p, dir + "/flat.jpg");
    return fileSize(dir + "/flat.jpg");
  });
  phase("export WebP q95", [&] {
    exportFlattened(p, dir + "/flat.webp");
    return fileSize(dir + "/flat.webp");
  });
  phase("export PSD", [&] {
    savePsd(p, dir + "/layers.psd");
    return fileSize(dir + "/layers.psd");
  });
  phase("export layer folder", [&] {
    const auto files = exportLayerFolder(p, dir + "/layers");
    return std::to_string(files.size()) + " files";
  });
  phase("save ORA (level 3)", [&] {
    saveOra(p, dir + "/project.ora");
    return fileSize(dir + "/project.ora");
  });
  phase("save ORA (level 1)", [&] {
    saveOra(p, dir + "/autosave.ora", OraWriteOptions{1});
    return fileSize(dir + "/autosave.ora");
  });
  const long projectRss = statusKb("VmRSS");
  p = Project();
  std::printf("(project released: RSS %0.f -> %0.f MiB)\n", mib(projectRss), mib(statusKb("VmRSS")));
  phase("load ORA", [&] {
    p = loadOra(dir + "/project.ora");
    return std::to_string(p.layers.size()) + " layers";
  });
  std::printf("peak RSS of the whole run: %.0f MiB (VmHWM since the last reset; see per-phase peaks)\n",
              mib(statusKb("VmHWM")));
  return 0;
}
