// Exemplar-based image completion ("content-aware fill"): the hole is filled with texture copied
// from the image's own known pixels by the multi-scale method of Y. Wexler, E. Shechtman, M. Irani,
// "Space-Time Completion of Video" (IEEE TPAMI 29(3), 2007), its nearest-neighbour field found by
// C. Barnes, E. Shechtman, A. Finkelstein, D. B. Goldman, "PatchMatch: A Randomized Correspondence
// Algorithm for Structural Image Editing" (SIGGRAPH 2009). Coarse to fine over an image pyramid,
// each level alternates (a) a PatchMatch search for the source patch most like every patch that
// overlaps the hole and (b) a vote: each hole pixel becomes the weighted mean of what those patches
// put there. Known pixels never change; for a seed the result is the same on any thread count.
#pragma once
#include <cstdint>
#include <functional>

#include <opencv2/core.hpp>

namespace latentshop {

struct PatchMatchInpaintRequest {
  cv::Mat image;          // CV_8UC3 (RGB) or CV_8UC4 (RGBA: alpha is filled like colour)
  cv::Mat mask;           // CV_8UC1, > 127 = hole to fill; same size as image
  cv::Mat keepOut;        // optional CV_8UC1, > 127 = never copy from here (e.g. another object)
  cv::Rect sourceRegion;  // empty = the whole image; else only patches inside it are sources
  int patchSize = 7;      // odd, 3..15
  int emIterations = 0;   // per level, 1..100; 0 = automatic (10 on the coarsest level, 2 + 2 per
                          // level above the finest on the others, at most 8; at most 2 on levels
                          // with over a million target patches)
  int minLevelSize = 0;   // > 0: the coarsest level is the smallest whose longer side is still at
                          // least this many pixels; 0 = automatic: the same with 256 px but at least
                          // one level below the image, coarser while the hole's inradius there
                          // exceeds 16 patches
  std::uint64_t seed = 0;
};

struct PatchMatchProgress {
  int level = 0;    // 0 = coarsest
  int levels = 0;
  cv::Mat preview;  // the current estimate at this level, CV_8UC3 (RGB) at that level's size
};

// Knobs the benchmarks compare (see patchmatch_level.h for the features); patchMatchInpaint(request)
// uses these defaults, which measured best on the test photos.
struct PatchMatchTuning {
  enum class Features { Lab, Rgb };
  enum class Weights { Uniform, Wexler, Best };
  Features features = Features::Lab;  // colour part of the patch distance: 8-bit CIE Lab, or RGB
  Weights weights = Weights::Wexler;  // EM votes: mean; Wexler's exp(-d / (2 sigma^2)) weights with
                                      // sigma^2 the 75th percentile of d; or the best patch's pixel
  int searchPasses = 2;               // PatchMatch passes per EM iteration (1 on levels with over
                                      // a million target patches; 4 more on the coarsest's first)
  bool bestPatchFinal = true;         // last vote of the finest level: each pixel from the
                                      // best-matching patch covering it (sharp), not the mean
  bool texture = true;                // texture channels in the distance on coarse levels
  bool textureAtFinest = false;       // ... and on the full-resolution level too
  int textureGain = 3;                // texture channels' scale (their weight is its square)
  double coarsestInradiusPatches = 16.0;  // automatic pyramid: coarsen while the hole's inradius
                                          // exceeds this many patch widths
};

// Fills the hole and returns the full-size image (same type as request.image), bit-identical to the
// input outside the hole. Throws latentshop::Error naming the parameter for unusable input (empty
// image, wrong types, mask or keep-out size mismatch, nothing masked, patch size out of range, no
// source patch left). `onLevel` runs after each pyramid level, `checkCancel` at least once per EM
// iteration; either may throw (e.g. JobCancelled) to abandon the fill, which leaks nothing.
cv::Mat patchMatchInpaint(const PatchMatchInpaintRequest& request,
                          const std::function<void(const PatchMatchProgress&)>& onLevel = {},
                          const std::function<void()>& checkCancel = {});

// The same with explicit tuning (benchmarks and experiments).
cv::Mat patchMatchInpaintTuned(const PatchMatchInpaintRequest& request, const PatchMatchTuning& tuning,
                               const std::function<void(const PatchMatchProgress&)>& onLevel = {},
                               const std::function<void()>& checkCancel = {});

}  // namespace latentshop
