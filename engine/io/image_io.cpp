// Image files for the engine and CLI (see image_io.h).
#include "engine/io/image_io.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/io/decode_policy.h"
#include "engine/io/project_atomic_file.h"

namespace fs = std::filesystem;

namespace latentshop {

namespace {

std::string sizeText(const cv::Size& s) { return std::to_string(s.width) + "x" + std::to_string(s.height); }

std::string lowerExtension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// Decodes with `flags` and reports what went wrong in words. Non-8-bit data is scaled to 8 bits.
// The decode policy (decode_policy.h) comes first: the pixel budget from the header, before any
// pixel memory exists, and a truncated file is refused rather than decoded with a grey half.
cv::Mat readRaw(const std::string& path, int flags) {
  if (path.empty()) throw Error("image path is empty");
  InspectedImage file = inspectImageFile(path);
  if (!file.probe.incomplete.empty())
    throw fileError(path, file.probe.incomplete + "; refusing to use a damaged image");
  cv::Mat img;
  try {
    img = cv::imdecode(file.bytes, flags);  // applies the EXIF orientation, as imread does
  } catch (const cv::Exception& e) {
    throw fileError(path, std::string("cannot be decoded: ") + e.what());
  }
  std::vector<std::uint8_t>().swap(file.bytes);
  if (img.empty())
    throw fileError(path, "not an image Latentshop can read (unknown format or corrupt data)");
  checkPixelBudget(path, img.cols, img.rows);  // formats whose header the probe does not read
  if (img.depth() == CV_16U) {
    img.convertTo(img, CV_8U, 1.0 / 257.0);
  } else if (img.depth() != CV_8U) {
    cv::Mat scaled;
    double lo = 0, hi = 1;
    cv::minMaxLoc(img.reshape(1), &lo, &hi);
    img.convertTo(scaled, CV_8U, hi > 1.0 ? 255.0 / hi : 255.0);
    img = scaled;
  }
  return img;
}

}  // namespace

cv::Mat readImageRgb(const std::string& path) {
  // IMREAD_COLOR: 8-bit BGR with the EXIF orientation applied (as Qt's autoTransform does).
  cv::Mat bgr = readRaw(path, cv::IMREAD_COLOR);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

cv::Mat readMask(const std::string& path) {
  cv::Mat img = readRaw(path, cv::IMREAD_UNCHANGED);
  if (img.channels() == 2 || img.channels() == 4) {
    std::vector<cv::Mat> planes;
    cv::split(img, planes);
    double lo = 0, hi = 0;
    cv::minMaxLoc(planes.back(), &lo, &hi);
    if (lo < 255.0) return planes.back();  // the alpha carries the selection
    img = img.channels() == 4 ? [&] {
      cv::Mat bgr;
      cv::cvtColor(img, bgr, cv::COLOR_BGRA2BGR);
      return bgr;
    }() : planes[0];
  }
  if (img.channels() == 1) return img;
  if (img.channels() != 3) throw fileError(path, "has " + std::to_string(img.channels()) + " channels; expected 1 to 4");
  cv::Mat grey;
  cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

cv::Mat readMaskFor(const std::string& maskPath, const cv::Size& imageSize, const std::string& imagePath) {
  cv::Mat mask = readMask(maskPath);
  if (mask.size() != imageSize)
    throw fileError(maskPath, "size " + sizeText(mask.size()) + " differs from the image " + imagePath + " (" +
                                  sizeText(imageSize) + "); the mask must have the image's size");
  return mask;
}

void writeBgrImage(const std::string& path, const cv::Mat& bgr) {
  cv::Mat rgb;
  if (bgr.channels() == 3) cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  else if (bgr.channels() == 4) cv::cvtColor(bgr, rgb, cv::COLOR_BGRA2RGBA);
  else rgb = bgr;
  writeImage(path, rgb);
}

bool isWritableImagePath(const std::string& path) {
  static const char* const kExtensions[] = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"};
  const std::string ext = lowerExtension(path);
  return std::any_of(std::begin(kExtensions), std::end(kExtensions), [&](const char* e) { return ext == e; });
}

void writeImage(const std::string& path, const cv::Mat& image) {
  if (!isWritableImagePath(path))
    throw fileError(path, "unknown image extension \"" + lowerExtension(path) +
                              "\" (use .png, .jpg, .jpeg, .webp, .bmp, .tif or .tiff)");
  if (image.empty() || image.depth() != CV_8U) throw fileError(path, "nothing to write (empty or not 8-bit image)");
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec))
    throw fileError(path, "the folder " + parent.string() + " does not exist");
  cv::Mat bgr;
  switch (image.channels()) {
    case 1: bgr = image; break;
    case 3: cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR); break;
    case 4: cv::cvtColor(image, bgr, cv::COLOR_RGBA2BGRA); break;
    default: throw fileError(path, "cannot write an image with " + std::to_string(image.channels()) + " channels");
  }
  std::vector<int> params;
  const std::string ext = lowerExtension(path);
  if (ext == ".jpg" || ext == ".jpeg") {
    params = {cv::IMWRITE_JPEG_QUALITY, 95};
    if (bgr.channels() == 4) cv::cvtColor(bgr, bgr, cv::COLOR_BGRA2BGR);
  }
  // Encoded in memory, then written through the atomic writer: a full disk, a file-size limit or a
  // kill during the write leaves the previous file (which may be the input photo) untouched.
  std::vector<std::uint8_t> bytes;
  bool ok = false;
  try {
    ok = cv::imencode(ext == ".jpeg" ? ".jpg" : ext == ".tiff" ? ".tif" : ext, bgr, bytes, params);
  } catch (const cv::Exception& e) {
    throw fileError(path, std::string("cannot be encoded: ") + e.what());
  }
  if (!ok || bytes.empty()) throw fileError(path, "cannot be encoded as " + ext);
  writeFileAtomically(path, bytes.data(), bytes.size());
}

}  // namespace latentshop
