#include "app/cli/sd_cli_support.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "engine/core/error.h"
#include "engine/io/image_io.h"
#include "engine/io/png_parameters.h"
#include "engine/io/png_text_codec.h"
#include "engine/runtime/model_cache.h"
#include "engine/io/project_atomic_file.h"

namespace latentshop::cli {

void runWithContext(const std::function<void(JobContext&)>& fn) {
  CancelToken token;
  ModelCache cache;
  const bool tty = isatty(fileno(stderr)) != 0;
  JobCallbacks callbacks;
  callbacks.onProgress = [tty](JobId, const JobProgress& p) {
    std::string line = p.stage;
    if (p.total > 0) line += " " + std::to_string(p.step) + "/" + std::to_string(p.total);
    if (p.etaSeconds >= 0) line += ", " + std::to_string(static_cast<int>(p.etaSeconds + 0.5)) + " s left";
    if (tty) {
      std::fprintf(stderr, "\r%-60s", line.c_str());
      if (p.total > 0 && p.step == p.total) std::fputc('\n', stderr);
      std::fflush(stderr);
    } else {
      spdlog::debug("{}", line);
    }
  };
  JobContext context(1, token, cache, callbacks);
  fn(context);
}

void requireWritableImage(const std::string& path) {
  if (!isWritableImagePath(path))
    throw fileError(path, "unknown image extension (use .png, .jpg, .jpeg, .webp, .bmp, .tif or .tiff)");
}

void writeSdOutputs(const SdOutputs& o, const cv::Mat& composite, const nlohmann::json& params, const EditRecord& edit) {
  std::string ext = std::filesystem::path(o.out).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (o.out.empty()) {
    // --project only (inpaint): no image file.
  } else if (ext == ".png") {
    PngEncodeOptions options;
    options.text = parameterTextChunks(params);
    writePngFile(o.out, composite, options);
  } else {
    writeImage(o.out, composite);
  }
  if (!o.json.empty()) {
    writeTextFileAtomically(o.json, params.dump(2) + "\n");
  }
  if (!o.project.empty()) saveEditProject(o.project, edit);
}

std::string variationPath(const std::string& path, int index, int count) {
  if (count <= 1 || path.empty()) return path;
  const std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + "-" + std::to_string(index + 1) + p.extension().string())).string();
}

SdOutputs variationOutputs(const SdOutputs& o, int index, int count) {
  return {variationPath(o.out, index, count), variationPath(o.json, index, count), variationPath(o.project, index, count)};
}

}  // namespace latentshop::cli
