// The decode policy (see decode_policy.h).
#include "engine/io/decode_policy.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "engine/core/error.h"

namespace latentshop {

namespace {

std::mutex& policyMutex() {
  static std::mutex m;
  return m;
}

DecodePolicy& policyStorage() {
  static DecodePolicy p;
  return p;
}

std::string megapixels(double pixels) {
  char buf[32];
  std::snprintf(buf, sizeof buf, pixels >= 10e6 ? "%.0f" : "%.1f", pixels / 1e6);
  return buf;
}

}  // namespace

const DecodePolicy& decodePolicy() {
  std::lock_guard<std::mutex> lock(policyMutex());
  return policyStorage();
}

void setDecodePolicy(const DecodePolicy& policy) {
  if (policy.maxPixels < kMinBudgetMegapixels * 1'000'000 || policy.maxPixels > kMaxBudgetMegapixels * 1'000'000)
    throw Error("pixel budget " + megapixels(static_cast<double>(policy.maxPixels)) + " MP is outside " +
                std::to_string(kMinBudgetMegapixels) + ".." + std::to_string(kMaxBudgetMegapixels) + " MP");
  {
    std::lock_guard<std::mutex> lock(policyMutex());
    policyStorage() = policy;
  }
  // OpenCV reads this once, at its first decode; formats whose header we cannot read still get a
  // limit (OpenCV's default is 2^30 pixels).
  ::setenv("OPENCV_IO_MAX_IMAGE_PIXELS", std::to_string(policy.maxPixels).c_str(), 1);
}

std::string pixelBudgetProblem(const std::string& what, std::int64_t width, std::int64_t height) {
  const std::int64_t budget = decodePolicy().maxPixels;
  const double pixels = static_cast<double>(width) * static_cast<double>(height);
  if (width <= 0 || height <= 0 || pixels <= static_cast<double>(budget)) return "";
  return what + ": " + std::to_string(width) + " x " + std::to_string(height) + " pixels (" + megapixels(pixels) +
         " MP) is larger than the " + megapixels(static_cast<double>(budget)) +
         " MP an image may have (raise it with --max-megapixels or in Settings)";
}

void checkPixelBudget(const std::string& what, std::int64_t width, std::int64_t height) {
  if (std::string problem = pixelBudgetProblem(what, width, height); !problem.empty()) throw Error(problem);
}

InspectedImage inspectImageFile(const std::string& path) {
  InspectedImage out;
  out.bytes = readFileBytes(path, decodePolicy().maxFileBytes());
  out.probe = probeImage(out.bytes.data(), out.bytes.size(), path);
  if (out.probe.sizeKnown()) checkPixelBudget(path, out.probe.width, out.probe.height);
  return out;
}

}  // namespace latentshop
