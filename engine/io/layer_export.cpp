#include "engine/io/layer_export.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/io/flatten.h"
#include "engine/io/ora_writer.h"
#include "engine/io/png_parameters.h"
#include "engine/io/png_text_codec.h"
#include "engine/io/project_atomic_file.h"
#include "engine/io/psd_writer.h"

namespace fs = std::filesystem;

namespace latentshop {

const char* toString(ExportFormat format) {
  switch (format) {
    case ExportFormat::Png: return "png";
    case ExportFormat::Jpeg: return "jpeg";
    case ExportFormat::Webp: return "webp";
    case ExportFormat::Psd: return "psd";
    case ExportFormat::Ora: return "ora";
    case ExportFormat::LayerFolder: return "layer folder";
  }
  return "png";
}

ExportFormat exportFormatFor(const std::string& path) {
  if (path.empty()) throw Error("export: empty output path");
  std::error_code ec;
  if (path.back() == '/' || fs::is_directory(path, ec)) return ExportFormat::LayerFolder;
  std::string ext = fs::path(path).extension().string();
  if (ext.empty()) return ExportFormat::LayerFolder;
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".png") return ExportFormat::Png;
  if (ext == ".jpg" || ext == ".jpeg") return ExportFormat::Jpeg;
  if (ext == ".webp") return ExportFormat::Webp;
  if (ext == ".psd") return ExportFormat::Psd;
  if (ext == ".ora") return ExportFormat::Ora;
  throw Error(path + ": unsupported export format '" + ext +
              "' (use .png, .jpg, .jpeg, .webp, .psd, .ora, or a folder ending in /)");
}

nlohmann::json flattenedExportParameters(const Project& project) {
  for (auto it = project.layers.rbegin(); it != project.layers.rend(); ++it)
    if (it->visible && it->opacity > 0.0 && !it->params.empty()) return it->params;
  return nlohmann::json::object();
}

namespace {

nlohmann::json layerList(const Project& project) {
  nlohmann::json out = nlohmann::json::array();
  for (const ProjectLayer& l : project.layers)
    out.push_back({{"id", l.id}, {"name", l.name}, {"kind", toString(l.kind)}, {"visible", l.visible},
                   {"opacity", l.opacity}, {"params", l.params}});
  return out;
}

void checkParentFolder(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec))
    throw Error(path + ": folder '" + parent.string() + "' does not exist");
}

void exportFlattenedPng(const Project& project, const std::string& path, const ExportOptions& options) {
  PngEncodeOptions png;
  png.compressionLevel = options.pngCompression;
  png.text = parameterTextChunks(flattenedExportParameters(project), layerList(project));
  BandFlattener flattener(project);
  AtomicFile file(path);
  encodePngRows(
      project.width, project.height, 4,
      [&](int y0) { return flattener.rows(y0, std::min(flattener.bandRows(), project.height - y0)); },
      [&](const std::uint8_t* p, size_t n) { file.write(p, n); }, png, path);
  file.commit();
}

void exportFlattenedOpenCv(const Project& project, const std::string& path, ExportFormat format,
                           const ExportOptions& options) {
  const char* ext = format == ExportFormat::Jpeg ? ".jpg" : ".webp";
  if (!cv::haveImageWriter(ext))
    throw Error(path + ": this OpenCV build cannot write " + std::string(ext + 1) + " files");
  FlattenOptions flat;
  std::vector<int> params;
  cv::Mat bgr;
  if (format == ExportFormat::Jpeg) {
    flat.background = cv::Vec4b(255, 255, 255, 255);  // JPEG has no alpha
    cv::cvtColor(flatten(project, flat), bgr, cv::COLOR_RGBA2BGR);
    params = {cv::IMWRITE_JPEG_QUALITY, std::clamp(options.jpegQuality, 1, 100)};
  } else {
    cv::cvtColor(flatten(project, flat), bgr, cv::COLOR_RGBA2BGRA);
    params = {cv::IMWRITE_WEBP_QUALITY, std::clamp(options.webpQuality, 1, 101)};
  }
  std::vector<std::uint8_t> bytes;
  bool ok = false;
  try {
    ok = cv::imencode(ext, bgr, bytes, params);
  } catch (const cv::Exception& e) {
    throw Error(path + ": encoding failed: " + e.what());
  }
  if (!ok) throw Error(path + ": encoding failed");
  writeFileAtomically(path, bytes.data(), bytes.size());
}

// Writes `layer` (or its mask) canvas-sized, band by band.
void writeCanvasSizedPng(const Project& project, const ProjectLayer& layer, bool mask, const std::string& path,
                         const PngEncodeOptions& png) {
  const int channels = mask ? 1 : 4;
  const int bandRows = 64;
  cv::Mat band(bandRows, project.width, CV_MAKETYPE(CV_8U, channels));
  AtomicFile file(path);
  encodePngRows(
      project.width, project.height, channels,
      [&](int y0) {
        const int rows = std::min(bandRows, project.height - y0);
        cv::Mat out = band.rowRange(0, rows);
        if (mask) {
          layer.mask.rowRange(y0, y0 + rows).copyTo(out);
        } else {
          out.setTo(cv::Scalar::all(0));
          const cv::Rect area = layer.bounds() & cv::Rect(0, y0, project.width, rows);
          if (!area.empty())
            layer.rgba(area - layer.bounds().tl()).copyTo(out(area - cv::Point(0, y0)));
        }
        return out;
      },
      [&](const std::uint8_t* p, size_t n) { file.write(p, n); }, png, path);
  file.commit();
}

}  // namespace

void exportFlattened(const Project& project, const std::string& path, const ExportOptions& options) {
  validateProject(project, path);
  checkParentFolder(path);
  const ExportFormat format = exportFormatFor(path);
  switch (format) {
    case ExportFormat::Png: exportFlattenedPng(project, path, options); return;
    case ExportFormat::Jpeg:
    case ExportFormat::Webp: exportFlattenedOpenCv(project, path, format, options); return;
    default: throw Error(path + ": not a flattened image format (use .png, .jpg, .jpeg or .webp)");
  }
}

std::string sanitizeFileName(const std::string& name) {
  // Unsafe characters become '_'; a run of spaces and '_' that holds a '_' collapses to one '_',
  // a run of spaces to one space.
  std::string out;
  std::string run;
  auto flush = [&] {
    if (!run.empty()) out += run.find('_') != std::string::npos ? "_" : " ";
    run.clear();
  };
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    const bool safe = c < 0x80 && (std::isalnum(c) || c == '.' || c == '-');
    if (safe) {
      flush();
      out.push_back(ch);
    } else {
      run.push_back(c == ' ' ? ' ' : '_');
    }
  }
  flush();
  auto trim = [](std::string& s) {
    const char* junk = " ._-";
    const size_t b = s.find_first_not_of(junk);
    s = b == std::string::npos ? std::string() : s.substr(b, s.find_last_not_of(junk) - b + 1);
  };
  trim(out);
  if (out.size() > 64) {
    out.resize(64);
    trim(out);
  }
  return out.empty() ? "layer" : out;
}

std::vector<std::string> exportLayerFolder(const Project& project, const std::string& folder,
                                           const ExportOptions& options) {
  validateProject(project, folder);
  std::error_code ec;
  std::string bare = folder;
  while (bare.size() > 1 && bare.back() == '/') bare.pop_back();
  if (fs::exists(bare, ec) && !fs::is_directory(bare, ec)) throw Error(folder + ": exists and is not a folder");
  fs::create_directories(folder, ec);
  if (ec) throw Error(folder + ": cannot create the folder: " + ec.message());
  const size_t digits = std::max<size_t>(2, std::to_string(project.layers.size()).size());
  std::vector<std::string> written;
  for (size_t i = 0; i < project.layers.size(); ++i) {
    const ProjectLayer& layer = project.layers[i];
    std::string number = std::to_string(i + 1);
    number.insert(0, digits - number.size(), '0');
    const std::string stem = number + "-" + sanitizeFileName(layer.name);
    PngEncodeOptions png;
    png.compressionLevel = options.pngCompression;
    if (!layer.params.empty()) png.text = parameterTextChunks(layer.params);
    const std::string path = (fs::path(folder) / (stem + ".png")).string();
    writeCanvasSizedPng(project, layer, false, path, png);
    written.push_back(path);
    if (options.layerMasks && !layer.mask.empty()) {
      const std::string maskPath = (fs::path(folder) / (stem + "-mask.png")).string();
      writeCanvasSizedPng(project, layer, true, maskPath, png);
      written.push_back(maskPath);
    }
  }
  return written;
}

std::vector<std::string> exportProject(const Project& project, const std::string& out, const ExportOptions& options) {
  switch (exportFormatFor(out)) {
    case ExportFormat::LayerFolder: return exportLayerFolder(project, out, options);
    case ExportFormat::Psd: checkParentFolder(out); savePsd(project, out); return {out};
    case ExportFormat::Ora: {
      checkParentFolder(out);
      OraWriteOptions ora;
      ora.pngCompression = options.pngCompression;
      saveOra(project, out, ora);
      return {out};
    }
    default: exportFlattened(project, out, options); return {out};
  }
}

}  // namespace latentshop
