// Multi-scale PatchMatch image completion (see patchmatch_inpaint.h).
//
// Pyramid: each level halves the previous one with a 2x2 box filter (patchmatch_level.h); a coarse
// pixel is hole (or keep-out / outside the source region) when any of its children is, so nothing
// from inside the hole or the keep-out region reaches a coarser level. The coarsest level is the
// smallest whose longer side is still 256 px (or minLevelSize), at least one below the image,
// coarser while the hole's inradius there exceeds 16 patches. Deeper pyramids (coarsest hole one or two patches wide, as the issue
// suggested) measured worse: 7x7 patches on a 50-px image match nothing well, the votes blur, and
// the blur then matches flat regions (sky) best, a choice the finer levels cannot undo.
//
// Per level: the coarsest starts from Telea's smooth fill (cv::inpaint) and a random field (an
// onion-peel start as in Newson et al. 2014 measured worse); finer levels start from the coarser
// field, upsampled, and a plain vote with it over the finer level's own pixels (sharper than
// upsampling the coarse fill). Then EM iterations: distances of the current matches against the
// current estimate, PatchMatch passes, and a vote with Wexler et al.'s weights, until the estimate
// stops changing (mean change < 0.15 levels) or the iteration count is reached. The finest level
// ends with a best-patch vote: each hole pixel from the best-matching patch that covers it.
#include "engine/pipelines/exemplar/patchmatch_inpaint.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "engine/core/error.h"
#include "engine/pipelines/exemplar/patchmatch_level.h"
#include "engine/pipelines/exemplar/patchmatch_nnf.h"

namespace latentshop {

namespace {

using patchmatch::Level;
using patchmatch::LevelView;
using patchmatch::Nnf;
using patchmatch::VoteMode;

// EM stops early when the mean absolute change of the hole's colour values drops below this.
constexpr double kConvergedChange = 0.15;
// Automatic pyramid: the coarsest level is the smallest whose longer side is still this long.
constexpr int kAutoCoarsestLongSide = 256;
// A level with fewer valid source patches than this is too coarse to search.
constexpr int kMinSourcePatchesFactor = 4;  // x patchSize^2

std::string sizeText(const cv::Size& s) { return std::to_string(s.width) + "x" + std::to_string(s.height); }

void validate(const PatchMatchInpaintRequest& r) {
  if (r.image.empty()) throw Error("image: the image is empty");
  if (r.image.type() != CV_8UC3 && r.image.type() != CV_8UC4)
    throw Error("image: expected an 8-bit RGB (CV_8UC3) or RGBA (CV_8UC4) image");
  if (r.mask.empty()) throw Error("mask: the mask is empty");
  if (r.mask.type() != CV_8UC1) throw Error("mask: expected an 8-bit single-channel mask");
  if (r.mask.size() != r.image.size())
    throw Error("mask: size " + sizeText(r.mask.size()) + " differs from the image's " + sizeText(r.image.size()));
  if (!r.keepOut.empty()) {
    if (r.keepOut.type() != CV_8UC1) throw Error("keep-out mask: expected an 8-bit single-channel mask");
    if (r.keepOut.size() != r.image.size())
      throw Error("keep-out mask: size " + sizeText(r.keepOut.size()) + " differs from the image's " +
                  sizeText(r.image.size()));
  }
  if (r.patchSize < 3 || r.patchSize > 15 || r.patchSize % 2 == 0)
    throw Error("patch size " + std::to_string(r.patchSize) + ": must be odd, 3 to 15");
  if (r.emIterations < 0 || r.emIterations > 100)
    throw Error("EM iterations " + std::to_string(r.emIterations) + ": must be 0 (automatic) to 100");
  if (r.minLevelSize < 0) throw Error("minimum level size " + std::to_string(r.minLevelSize) + ": must be >= 0");
  if (r.image.cols < r.patchSize || r.image.rows < r.patchSize)
    throw Error("image: " + sizeText(r.image.size()) + " is smaller than the " + std::to_string(r.patchSize) +
                "-px patch");
  const cv::Rect all(0, 0, r.image.cols, r.image.rows);
  if (!r.sourceRegion.empty() && (r.sourceRegion & all).empty())
    throw Error("source region: " + sizeText(r.sourceRegion.size()) + " at (" + std::to_string(r.sourceRegion.x) +
                ", " + std::to_string(r.sourceRegion.y) + ") lies outside the " + sizeText(r.image.size()) + " image");
}

// EM iterations per level when the request leaves it to us: many on the coarsest level (it starts
// from a smooth guess), fewer on finer ones (they start from the upsampled field), and at most two
// on levels with over a million target patches (there a pass costs seconds and mostly adds detail).
int automaticEmIterations(int fromFinest, bool coarsest, int targets) {
  const int n = coarsest ? 10 : std::min(8, 2 + 2 * fromFinest);
  return targets > 1000000 ? std::min(n, 2) : n;
}

}  // namespace

cv::Mat patchMatchInpaint(const PatchMatchInpaintRequest& request,
                          const std::function<void(const PatchMatchProgress&)>& onLevel,
                          const std::function<void()>& checkCancel) {
  return patchMatchInpaintTuned(request, PatchMatchTuning{}, onLevel, checkCancel);
}

cv::Mat patchMatchInpaintTuned(const PatchMatchInpaintRequest& request, const PatchMatchTuning& tuning,
                               const std::function<void(const PatchMatchProgress&)>& onLevel,
                               const std::function<void()>& checkCancel) {
  validate(request);
  const int patch = request.patchSize;
  auto cancelPoint = [&] {
    if (checkCancel) checkCancel();
  };

  // Level 0: the image itself (its hole pixels are overwritten; everything else stays as it was).
  std::vector<Level> levels(1);
  levels[0].hole = request.mask > 127;
  if (cv::countNonZero(levels[0].hole) == 0) throw Error("mask: nothing is masked (paint the region to fill)");
  const cv::Rect all(0, 0, request.image.cols, request.image.rows);
  if (!request.keepOut.empty()) levels[0].forbidden = request.keepOut > 127;
  if (!request.sourceRegion.empty() && (request.sourceRegion & all) != all) {
    const cv::Rect inside = request.sourceRegion & all;
    cv::Mat forbidden(request.image.size(), CV_8UC1, cv::Scalar(255));
    if (request.keepOut.empty()) forbidden(inside).setTo(cv::Scalar(0));
    else levels[0].forbidden(inside).copyTo(forbidden(inside));
    levels[0].forbidden = forbidden;
  }
  {
    int sources = 0;
    cv::Rect box;
    patchmatch::computeSourceOk(levels[0].hole, levels[0].forbidden, patch, &sources, &box);
    if (sources == 0)
      throw Error("source region: no " + std::to_string(patch) + "x" + std::to_string(patch) +
                  " patch lies wholly in the known pixels outside the mask and keep-out region");
  }
  levels[0].color = request.image.clone();
  if (tuning.texture) levels[0].texture = patchmatch::computeTexture(levels[0].color, levels[0].hole);

  // The pyramid: halve while the next level's longer side is at least coarsestLongSide, and further
  // while the hole's inradius exceeds coarsestInradiusPatches patches (automatic mode only); never
  // below a shorter side of two patches.
  const int coarsestLongSide = request.minLevelSize > 0 ? request.minLevelSize : kAutoCoarsestLongSide;
  double holeInradius = -1.0;  // in level-0 pixels, measured on the first level of <= 2048 px
  for (;;) {
    const Level& cur = levels.back();
    const int k = static_cast<int>(levels.size()) - 1;
    if (holeInradius < 0 && std::max(cur.color.cols, cur.color.rows) <= 2048)
      holeInradius = patchmatch::inradius(cur.hole) * std::ldexp(1.0, k);
    const int nextW = (cur.color.cols + 1) / 2, nextH = (cur.color.rows + 1) / 2;
    // Automatic mode always goes one level down when it can: a single level starts the finest
    // estimate from Telea's smooth fill, whose structure then stays.
    const bool sizeWants = std::max(nextW, nextH) >= coarsestLongSide || (request.minLevelSize == 0 && k == 0);
    const bool holeWants = request.minLevelSize == 0 && holeInradius >= 0 &&
                           holeInradius * std::ldexp(1.0, -k) > tuning.coarsestInradiusPatches * patch;
    if (std::min(nextW, nextH) < 2 * patch + 1 || !(sizeWants || holeWants)) break;
    levels.push_back(patchmatch::downsample(cur));
  }
  // Drop coarse levels where the hole leaves too few source patches to copy from.
  while (levels.size() > 1) {
    int sources = 0;
    cv::Rect box;
    patchmatch::computeSourceOk(levels.back().hole, levels.back().forbidden, patch, &sources, &box);
    if (sources >= kMinSourcePatchesFactor * patch * patch) break;
    levels.pop_back();
  }
  if (!tuning.textureAtFinest && levels.size() > 1) levels[0].texture.release();  // single level: keep

  const int levelCount = static_cast<int>(levels.size());
  const patchmatch::FeatureSpec spec{tuning.features == PatchMatchTuning::Features::Lab, tuning.texture,
                                     tuning.textureGain};
  const VoteMode mode = tuning.weights == PatchMatchTuning::Weights::Wexler ? VoteMode::Wexler
                        : tuning.weights == PatchMatchTuning::Weights::Best ? VoteMode::Best
                                                                            : VoteMode::Uniform;
  Nnf coarser;
  int pass = 0;
  for (int k = levelCount - 1; k >= 0; --k) {
    cancelPoint();
    Level& lv = levels[static_cast<size_t>(k)];
    const bool coarsest = k == levelCount - 1;
    LevelView view;
    view.patchSize = patch;
    int sources = 0;
    view.sourceOk = patchmatch::computeSourceOk(lv.hole, lv.forbidden, patch, &sources, &view.sourceBox);
    lv.forbidden.release();
    if (coarsest) patchmatch::teleaFill(lv);
    view.features = patchmatch::makeFeatures(lv, spec);
    Nnf nnf = patchmatch::makeTargets(lv.hole, patch);
    const std::uint64_t levelSeed = patchmatch::mixSeed(request.seed, static_cast<std::uint64_t>(k));
    if (coarsest) {
      patchmatch::initRandom(nnf, view, levelSeed);
    } else {
      patchmatch::upsampleNnf(coarser, nnf, view, levelSeed);
      coarser = Nnf();
      levels[static_cast<size_t>(k) + 1] = Level();
      patchmatch::vote(lv, view.features, spec, nnf, patch, VoteMode::Uniform);
    }
    const int iterations = request.emIterations > 0 ? request.emIterations : automaticEmIterations(k, coarsest, nnf.targets);
    for (int it = 0; it < iterations; ++it) {
      cancelPoint();
      patchmatch::updateDistances(nnf, view);
      // Extra passes where the field starts random; one where a pass over the targets costs seconds.
      const int passes = coarsest && it == 0 ? std::max(1, tuning.searchPasses) + 4
                         : nnf.targets > 1000000 ? 1
                                                 : std::max(1, tuning.searchPasses);
      for (int p = 0; p < passes; ++p, ++pass) {
        patchmatch::improveNnf(nnf, view, pass,
                               patchmatch::mixSeed(levelSeed, 0xE4, static_cast<std::uint64_t>(it),
                                                   static_cast<std::uint64_t>(p)));
        if (p + 1 < passes) cancelPoint();
      }
      const double change = patchmatch::vote(lv, view.features, spec, nnf, patch, mode);
      if (change < kConvergedChange) break;
    }
    if (k == 0 && tuning.bestPatchFinal) {
      patchmatch::updateDistances(nnf, view);
      patchmatch::vote(lv, view.features, spec, nnf, patch, VoteMode::Best);
    }
    coarser = std::move(nnf);
    if (onLevel) {
      PatchMatchProgress progress;
      progress.level = levelCount - 1 - k;
      progress.levels = levelCount;
      if (lv.color.channels() == 3) progress.preview = lv.color.clone();
      else cv::cvtColor(lv.color, progress.preview, cv::COLOR_RGBA2RGB);
      onLevel(progress);
    }
  }
  return levels[0].color;
}

}  // namespace latentshop
