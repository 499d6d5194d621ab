// Classical inpainting job (see classical_inpaint.h). The fill is OpenCV's cv::inpaint
// (opencv/modules/photo/src/inpaint.cpp), run on a crop around the mask that keeps every pixel the
// algorithm can read (its radius plus a margin), so large photos cost only the masked area.
#include "engine/pipelines/classical_inpaint.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "engine/core/error.h"
#include "engine/pipelines/exemplar/patchmatch_inpaint.h"
#include "engine/pipelines/exemplar/xphoto_inpaint.h"
#include "engine/pipelines/mask_ops.h"

namespace latentshop {

const char* toString(ClassicalInpaintMethod method) {
  switch (method) {
    case ClassicalInpaintMethod::Telea: return "telea";
    case ClassicalInpaintMethod::NavierStokes: return "ns";
    case ClassicalInpaintMethod::PatchMatch: return "patchmatch";
    case ClassicalInpaintMethod::ShiftMap: return "shiftmap";
    case ClassicalInpaintMethod::Fsr: return "fsr";
  }
  return "telea";
}

const char* displayName(ClassicalInpaintMethod method) {
  switch (method) {
    case ClassicalInpaintMethod::Telea: return "Telea";
    case ClassicalInpaintMethod::NavierStokes: return "Navier\u2013Stokes";
    case ClassicalInpaintMethod::PatchMatch: return "Content-aware";
    case ClassicalInpaintMethod::ShiftMap: return "Shift-map";
    case ClassicalInpaintMethod::Fsr: return "FSR";
  }
  return "Telea";
}

std::optional<ClassicalInpaintMethod> parseClassicalInpaintMethod(const std::string& name) {
  if (name == "telea") return ClassicalInpaintMethod::Telea;
  if (name == "ns" || name == "navier-stokes") return ClassicalInpaintMethod::NavierStokes;
  if (name == "patchmatch" || name == "remove") return ClassicalInpaintMethod::PatchMatch;
  if (name == "shiftmap" || name == "shift-map") return ClassicalInpaintMethod::ShiftMap;
  if (name == "fsr") return ClassicalInpaintMethod::Fsr;
  return std::nullopt;
}

namespace {

std::string sizeText(const cv::Size& s) { return std::to_string(s.width) + "x" + std::to_string(s.height); }

cv::Mat holeOf(const ClassicalInpaintRequest& r) { return growShrinkMask(r.mask, r.growPx); }

// cv::inpaint takes 1- or 3-channel 8-bit images; 4 channels are filled as RGB + alpha.
cv::Mat inpaintAnyChannels(const cv::Mat& image, const cv::Mat& hole, double radius, int flags) {
  cv::Mat out;
  if (image.channels() == 4) {
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    cv::Mat rgb, a, rgbOut, aOut;
    cv::merge(std::vector<cv::Mat>{planes[0], planes[1], planes[2]}, rgb);
    cv::inpaint(rgb, hole, rgbOut, radius, flags);
    cv::inpaint(planes[3], hole, aOut, radius, flags);
    std::vector<cv::Mat> outPlanes;
    cv::split(rgbOut, outPlanes);
    outPlanes.push_back(aOut);
    cv::merge(outPlanes, out);
  } else {
    cv::inpaint(image, hole, out, radius, flags);
  }
  return out;
}

// The exemplar fill of `support`, its sources the whole image or the hole's box grown by
// sourceMarginPx (then PatchMatch runs on that crop only); a preview of each pyramid level goes to
// the job (over the support's box), and cancel is checked in every EM iteration. Returns the full
// image with the hole filled.
cv::Mat patchMatchFill(const ClassicalInpaintRequest& r, const cv::Mat& support, const cv::Rect& box, JobContext* ctx) {
  const cv::Rect full(0, 0, r.image.cols, r.image.rows);
  const cv::Rect src = r.sourceMarginPx > 0 ? padRect(box, r.sourceMarginPx, r.image.size()) : full;
  const cv::Mat image = r.image(src);
  PatchMatchInpaintRequest pm;
  if (image.channels() == 1) {
    cv::cvtColor(image, pm.image, cv::COLOR_GRAY2RGB);
  } else {
    pm.image = image;
  }
  pm.mask = support(src);
  if (!r.keepOut.empty()) pm.keepOut = r.keepOut(src);
  pm.seed = r.seed;
  pm.patchSize = r.patchSize;
  const cv::Rect local = box - src.tl();
  const auto onLevel = [&](const PatchMatchProgress& p) {
    if (!ctx) return;
    // The box at the level's scale, resized to the box (not the whole image: 8000 x 6000 photos).
    const double sx = double(p.preview.cols) / image.cols, sy = double(p.preview.rows) / image.rows;
    cv::Rect levelBox(int(std::floor(local.x * sx)), int(std::floor(local.y * sy)), int(std::ceil(local.width * sx)),
                      int(std::ceil(local.height * sy)));
    levelBox &= cv::Rect(0, 0, p.preview.cols, p.preview.rows);
    if (levelBox.empty()) return;
    PreviewImage preview;
    cv::resize(p.preview(levelBox), preview.rgb, box.size(), 0, 0, cv::INTER_LINEAR);
    preview.placement = box;
    preview.step = p.level + 1;
    preview.total = p.levels;
    ctx->preview(preview);
  };
  const auto checkCancel = [&] {
    if (ctx) ctx->throwIfCancelled();
  };
  cv::Mat filled = patchMatchInpaint(pm, onLevel, checkCancel);
  if (image.channels() == 1) cv::cvtColor(filled, filled, cv::COLOR_RGB2GRAY);
  if (src == full) return filled;
  cv::Mat out = r.image.clone();
  filled.copyTo(out(src));
  return out;
}

}  // namespace

void validate(const ClassicalInpaintRequest& r) {
  if (r.image.empty()) throw Error("image: the image is empty");
  if (r.image.depth() != CV_8U || (r.image.channels() != 1 && r.image.channels() != 3 && r.image.channels() != 4))
    throw Error("image: expected an 8-bit image with 1, 3 or 4 channels");
  if (r.mask.empty()) throw Error("mask: the mask is empty");
  if (r.mask.type() != CV_8UC1) throw Error("mask: expected an 8-bit single-channel mask");
  if (r.mask.size() != r.image.size())
    throw Error("mask: size " + sizeText(r.mask.size()) + " differs from the image's " + sizeText(r.image.size()));
  if (r.growPx < -256 || r.growPx > 256) throw Error("grow: " + std::to_string(r.growPx) + " px is outside [-256, 256]");
  if (r.featherPx < 0 || r.featherPx > 256)
    throw Error("feather: " + std::to_string(r.featherPx) + " px is outside [0, 256]");
  if (!(r.radius > 0.0) || r.radius > 64.0)
    throw Error("radius: " + std::to_string(r.radius) + " px is outside (0, 64]");
  if (r.patchSize < 3 || r.patchSize > 15 || r.patchSize % 2 == 0)
    throw Error("patch size: " + std::to_string(r.patchSize) + " must be odd, 3 to 15");
  if (r.sourceMarginPx < 0 || r.sourceMarginPx > 100000)
    throw Error("source margin: " + std::to_string(r.sourceMarginPx) + " px is outside [0, 100000] (0 = the whole image)");
  if (!r.keepOut.empty() && (r.keepOut.type() != CV_8UC1 || r.keepOut.size() != r.image.size()))
    throw Error("keep-out mask: must be 8-bit grey of the image's size " + sizeText(r.image.size()) + ", got " +
                sizeText(r.keepOut.size()));
  if (cv::countNonZero(binarizeMask(r.mask)) == 0) throw Error("mask: nothing is masked (paint the region to fill)");
}

nlohmann::json classicalInpaintParams(const ClassicalInpaintRequest& r) {
  nlohmann::json j{{"tool", "inpaint"},
                   {"method", std::string("classical.") + toString(r.method)},
                   {"grow_px", r.growPx},
                   {"feather_px", r.featherPx},
                   {"image_size", {r.image.cols, r.image.rows}}};
  if (r.method == ClassicalInpaintMethod::PatchMatch) {
    j["seed"] = r.seed;
    j["patch_size"] = r.patchSize;
    j["keep_out"] = !r.keepOut.empty();
    j["source_margin_px"] = r.sourceMarginPx;
  } else {
    j["radius"] = r.radius;
  }
  return j;
}

ClassicalInpaintOutput runClassicalInpaint(const ClassicalInpaintRequest& r, JobContext* ctx) {
  validate(r);
  if (ctx) ctx->beginStage(std::string("Inpainting (") + displayName(r.method) + ")", 3);

  // 1. The hole, the feathered support and the alpha.
  const cv::Mat hole = holeOf(r);
  const int holeArea = cv::countNonZero(hole);
  if (holeArea == 0)
    throw Error("grow: shrinking the mask by " + std::to_string(-r.growPx) + " px leaves nothing to fill");
  const cv::Mat support = featherSupport(hole, r.featherPx);
  const cv::Rect box = maskBoundingBox(support);
  // cv::inpaint reads known pixels within `radius` of each hole pixel (and NS diffuses from the
  // hole's border); a crop padded by more than that gives the same fill as the whole image.
  const bool xphoto = r.method == ClassicalInpaintMethod::ShiftMap || r.method == ClassicalInpaintMethod::Fsr;
  const int margin = static_cast<int>(std::ceil(r.radius)) + 8;
  const cv::Rect work = xphoto ? xphotoWorkRect(box, r.image.size()) : padRect(box, margin, r.image.size());
  const cv::Mat alphaF = featherOutward(hole(work), r.featherPx);
  if (ctx) ctx->progress(1);

  // 2. The fill: Telea / NS on the crop; PatchMatch over the whole image (its sources).
  const cv::Mat filledWork = r.method == ClassicalInpaintMethod::PatchMatch ? patchMatchFill(r, support, box, ctx)(work).clone()
                             : xphoto ? xphotoInpaint(r.image(work), support(work),
                                                      r.method == ClassicalInpaintMethod::ShiftMap ? XphotoAlgorithm::ShiftMap
                                                                                                   : XphotoAlgorithm::Fsr)
                                 : inpaintAnyChannels(r.image(work), support(work), r.radius,
                                                      r.method == ClassicalInpaintMethod::Telea ? cv::INPAINT_TELEA
                                                                                                : cv::INPAINT_NS);
  if (ctx) ctx->progress(2);

  // 3. The feathered composite. The alpha is quantised to 8 bits first so the CLI's output and the
  // GUI's result layer (an RGBA patch) composite to the same pixels.
  ClassicalInpaintOutput out;
  out.placement = box;
  out.holeArea = holeArea;
  const cv::Rect inWork(box.x - work.x, box.y - work.y, box.width, box.height);
  out.filled = filledWork(inWork).clone();
  out.alpha = alphaToMask(alphaF(inWork));
  out.composite = compositeOver(r.image, out.filled, out.alpha, box);
  if (ctx) ctx->progress(3);
  return out;
}

JobSpec makeClassicalInpaintJob(ClassicalInpaintRequest request, JobCallbacks callbacks) {
  JobSpec spec;
  spec.kind = "inpaint.classical";
  spec.title = std::string("Inpaint (") + displayName(request.method) + ")";
  spec.supersedeQueued = true;
  spec.callbacks = std::move(callbacks);
  spec.run = [request = std::move(request)](JobContext& ctx) {
    if (request.image.type() != CV_8UC3) throw Error("image: the inpaint job expects an 8-bit RGB image");
    const auto start = std::chrono::steady_clock::now();
    ClassicalInpaintOutput out = runClassicalInpaint(request, &ctx);
    JobResult result;
    std::vector<cv::Mat> planes;
    cv::split(out.filled, planes);
    planes.push_back(out.alpha);
    cv::merge(planes, result.image);
    result.placement = out.placement;
    result.params = classicalInpaintParams(request);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char text[160];
    std::snprintf(text, sizeof text, "%s inpainting filled %d px in %.2f s", displayName(request.method),
                  out.holeArea, seconds);
    result.message = text;
    return result;
  };
  return spec;
}

}  // namespace latentshop
