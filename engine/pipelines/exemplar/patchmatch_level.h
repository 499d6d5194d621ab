// One pyramid level of the PatchMatch image completion (patchmatch_inpaint.h): building the level
// from the finer one, the patch-distance features, the vote (the M step of Wexler, Shechtman &
// Irani, "Space-Time Completion of Video", TPAMI 2007) and the coarsest level's first fill.
//
// Features: 8-bit CIE Lab (or the RGB itself) of every pixel, alpha for RGBA images, and optionally
// two texture channels, the mean absolute horizontal and vertical grey derivatives over a 5x5
// window measured on the full-resolution image and carried down the pyramid (the texture features
// of Newson, Almansa, Fradet, Gousseau, Pérez, "Video Inpainting of Complex Scenes", SIAM J.
// Imaging Sciences 2014). At coarse levels fine texture averages out to flat colour; these channels
// keep a textured wall from matching flat sky there. Hole pixels get every channel by voting.
#pragma once
#include <opencv2/core.hpp>

#include "engine/pipelines/exemplar/patchmatch_nnf.h"

namespace latentshop::patchmatch {

struct Level {
  cv::Mat color;      // CV_8UC3 / CV_8UC4; hole pixels hold the current estimate
  cv::Mat texture;    // CV_8UC2 texture channels (see above), or empty when not used
  cv::Mat hole;       // CV_8UC1, 255 = to fill
  cv::Mat forbidden;  // CV_8UC1, 255 = keep-out or outside the source region; empty = none
};

struct FeatureSpec {
  bool lab = true;      // Lab, else the colour values themselves
  bool texture = true;  // append the level's texture channels (when it has them)
  int textureGain = 1;  // ... multiplied by this (saturating), i.e. weighted by its square
};

// The texture channels of a full-resolution image: derivatives that involve a hole pixel and
// windows' hole pixels are left out (hole pixels themselves get 0). Computed in row bands, so the
// temporary memory stays small for large images.
cv::Mat computeTexture(const cv::Mat& color, const cv::Mat& hole);

// The next coarser level: 2x2 box average (sizes rounded up); a coarse pixel is hole (forbidden)
// when any of its children is, so known coarse pixels average only known fine pixels.
Level downsample(const Level& fine);

// The features of a level, CV_8UC(n). With RGB and no texture channels it shares the colour's
// pixels (a vote then updates both).
cv::Mat makeFeatures(const Level& level, const FeatureSpec& spec);

enum class VoteMode {
  Uniform,  // plain mean of the overlapping patches' pixels
  Wexler,   // weights exp(-d / (2 sigma^2)), d = mean squared feature distance of the patch,
            // sigma^2 = its 75th percentile over the target patches
  Best      // the pixel of the overlapping patch with the smallest distance
};

// The M step: every hole pixel (colour and texture) becomes the vote of the target patches that
// cover it, and its features are refreshed. Returns the mean absolute change per colour value.
double vote(Level& level, cv::Mat& features, const FeatureSpec& spec, const Nnf& nnf, int patchSize,
            VoteMode mode);

// Telea's smooth fill of the hole (cv::inpaint), on a padded crop around it.
void teleaFill(Level& level);

// The hole's inradius: the largest distance from a hole pixel to the nearest known pixel.
double inradius(const cv::Mat& hole);

}  // namespace latentshop::patchmatch
