// Classical (model-free) inpainting as an engine job: content-aware removal by exemplar patches
// (PatchMatch completion, engine/pipelines/exemplar/patchmatch_inpaint.h: texture copied from the
// photo itself, the default for removing objects), or OpenCV's cv::inpaint with Telea's fast
// marching method (A. Telea, "An Image Inpainting Technique Based on the Fast Marching Method",
// 2004) or the Navier–Stokes method (Bertalmio, Bertozzi, Sapiro, 2001) for thin scratches and
// wires; run at full image resolution, with mask grow/shrink and a feathered composite so the seam
// does not show. Mirrors opencv/modules/photo/src/inpaint.cpp (which this calls) for Telea / NS.
//
// Torch-free: the UI includes this header to build requests. How a request is carried out:
//   hole    = mask binarised (> 127) and grown (growPx > 0) or shrunk (growPx < 0) by |growPx|
//   support = hole grown by featherPx            (the pixels cv::inpaint re-synthesises)
//   alpha   = 1 on the hole, smoothstep ramp to 0 across the featherPx band, 0 outside support
//   result  = original * (1 - alpha) + filled * alpha       (exact copy of the original where 0)
// so every pixel outside `support` is bit-identical to the input.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "engine/runtime/job.h"

namespace latentshop {

// ShiftMap and Fsr are OpenCV contrib's cv::xphoto::inpaint (exemplar/xphoto_inpaint.h), kept to
// measure against PatchMatch (the CLI and inpaint-eval offer them; the editor's menu does not).
enum class ClassicalInpaintMethod { Telea, NavierStokes, PatchMatch, ShiftMap, Fsr };

// "telea" / "ns" / "patchmatch" / "shiftmap" / "fsr" (the CLI's --method values; "remove" names
// PatchMatch, the method for removing objects); parse returns nullopt for anything else.
const char* toString(ClassicalInpaintMethod method);
std::optional<ClassicalInpaintMethod> parseClassicalInpaintMethod(const std::string& name);
// "Telea" / "Navier–Stokes" / "Content-aware" for titles and messages.
const char* displayName(ClassicalInpaintMethod method);

struct ClassicalInpaintRequest {
  cv::Mat image;  // CV_8UC3 (RGB or BGR: channels are filled independently), CV_8UC4 or CV_8UC1
  cv::Mat mask;   // CV_8UC1, same size as image; > 127 marks the pixels to fill
  ClassicalInpaintMethod method = ClassicalInpaintMethod::Telea;
  int growPx = 4;       // grow (> 0) or shrink (< 0) the mask first, in pixels; [-256, 256]
  int featherPx = 6;    // width of the soft edge outside the (grown) mask, in pixels; [0, 256]
  double radius = 5.0;  // cv::inpaint's neighbourhood radius, in pixels; (0, 64] (Telea / NS)
  // PatchMatch only.
  cv::Mat keepOut;         // optional CV_8UC1 of the image's size: > 127 is never copied from
  std::uint64_t seed = 0;  // the same seed gives the same fill
  int patchSize = 7;       // odd, [3, 15]
  int sourceMarginPx = 0;  // > 0: copy only from within this many px of the hole's box (a crop: faster,
                           // and nothing from far away); 0 = the whole image; [0, 100000]
};

struct ClassicalInpaintOutput {
  cv::Rect placement;  // the support's bounding box in the image (never empty)
  cv::Mat filled;      // the cv::inpaint result over `placement`, same type as the request image
  cv::Mat alpha;       // CV_8UC1 over `placement`: the composite weight (0 keeps the original)
  cv::Mat composite;   // full-size result, same type as the request image
  int holeArea = 0;    // pixels in the grown/shrunk mask
};

// Throws Error naming the parameter when the request is unusable (empty image, size mismatch,
// wrong types, out-of-range numbers, or nothing left to fill after shrinking).
void validate(const ClassicalInpaintRequest& request);

// The parameters that reproduce the edit, stored with the result layer and printed by the CLI:
// {"tool":"inpaint","method":"classical.telea","grow_px":4,"feather_px":6,"radius":5,
//  "image_size":[w,h]}.
nlohmann::json classicalInpaintParams(const ClassicalInpaintRequest& request);

// Runs synchronously (the CLI and tests). With a context it reports three steps of one stage
// ("mask", "fill", "blend") and honours cancel between them; PatchMatch also shows a preview per
// pyramid level and honours cancel within every EM iteration.
ClassicalInpaintOutput runClassicalInpaint(const ClassicalInpaintRequest& request,
                                           JobContext* context = nullptr);

// A job for the engine queue (kind "inpaint.classical", supersedes queued jobs of its kind). Its
// JobResult.image is CV_8UC4 over JobResult.placement: RGB = the filled pixels, A = the composite
// weight, i.e. a layer that, drawn over the document, gives `composite`. The request image must be
// CV_8UC3 RGB. Validation runs in the job, so a bad request ends Failed with the message.
JobSpec makeClassicalInpaintJob(ClassicalInpaintRequest request, JobCallbacks callbacks = {});

}  // namespace latentshop
