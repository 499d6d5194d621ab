// The nearest-neighbour field (NNF) of PatchMatch (C. Barnes, E. Shechtman, A. Finkelstein,
// D. B. Goldman, "PatchMatch: A Randomized Correspondence Algorithm for Structural Image Editing",
// SIGGRAPH 2009) as patchmatch_inpaint.cpp uses it for image completion: for every target patch
// (one that overlaps the hole) the centre of the most similar source patch (one that lies wholly in
// the known pixels the caller allows). Random initialisation, propagation in alternating scan order
// and random search with a halving radius; upsampling from the next coarser pyramid level.
//
// Patches are square, patchSize wide, named by their centre, and always lie wholly inside the level
// image. Distances are sums of squared differences of the 8-bit feature values (no early-out is ever
// visible: a distance that is not below the best so far is simply rejected).
//
// Determinism: the search runs in fixed stripes of rows (even stripes in parallel, then odd ones),
// each with its own random stream seeded from the caller's seed and the stripe index, and no
// stripe reads rows another stripe of the same parity writes, so the field depends only on the
// seed, never on the thread count or the scheduling.
#pragma once
#include <cstdint>

#include <opencv2/core.hpp>

namespace latentshop::patchmatch {

// One pyramid level as the search sees it.
struct LevelView {
  cv::Mat features;    // CV_8UC3 or CV_8UC4: what distances compare (hole pixels: the current estimate)
  cv::Mat sourceOk;    // CV_8UC1, features' size: non-zero = a patch centred here is a valid source
  cv::Rect sourceBox;  // bounding box of sourceOk's non-zero pixels (never empty)
  int patchSize = 7;
};

struct Nnf {
  cv::Rect box;   // bounding box of the target centres, in level pixels
  cv::Mat target; // CV_8UC1 over box: non-zero = the patch centred here overlaps the hole
  cv::Mat match;  // CV_32SC2 over box: the matched source patch's centre (x, y), level pixels
  cv::Mat dist;   // CV_32SC1 over box: SSD between the target patch and its match
  int targets = 0;
};

// A 64-bit value mixed from the seed and up to four indices (splitmix64 finaliser); used to seed
// every random stream so that streams for different (level, iteration, stripe) are unrelated.
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0,
                      std::uint64_t d = 0);

// sourceOk for a level: 1 where the patch centred on the pixel lies inside the image and touches
// neither `hole` nor `forbidden` (both CV_8UC1, non-zero = set; forbidden may be empty), else 0.
// Returns the number of valid centres and their bounding box in *box.
cv::Mat computeSourceOk(const cv::Mat& hole, const cv::Mat& forbidden, int patchSize, int* count,
                        cv::Rect* box);

// The target centres of a level (patch inside the image and overlapping the hole), with match and
// dist allocated but not filled.
Nnf makeTargets(const cv::Mat& hole, int patchSize);

// Every target gets a uniformly random valid source and its distance.
void initRandom(Nnf& nnf, const LevelView& level, std::uint64_t seed);

// Fills `fine` (from makeTargets at the finer level) from the coarser field: the match of the
// target's parent, doubled, plus the target's offset inside its 2x2 block; a random source where
// that is not a valid source at this level. Distances are left for updateDistances.
void upsampleNnf(const Nnf& coarse, Nnf& fine, const LevelView& fineLevel, std::uint64_t seed);

// Recomputes every target's distance to its current match (after the features changed).
void updateDistances(Nnf& nnf, const LevelView& level);

// One PatchMatch pass: propagation (scan order forward on even `pass`, backward on odd) and random
// search around each target's best match. Distances must be current.
void improveNnf(Nnf& nnf, const LevelView& level, int pass, std::uint64_t seed);

}  // namespace latentshop::patchmatch
