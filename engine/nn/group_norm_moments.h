// GroupNorm with statistics gathered elsewhere: the moments (count, mean, sum of squared deviations
// per batch item and group, float64) of a map seen in parts — row bands of an activation too large
// to hold at once — combined with Chan et al.'s pairwise update, so they equal the whole map's; and
// the normalisation of any part of the map with them, which then equals torch.nn.GroupNorm on the
// whole map restricted to that part.
// Reference: torch.nn.GroupNorm (biased variance, eps inside the square root).
#pragma once
#include <cstdint>

#include <torch/torch.h>

namespace latentshop::nn {

class GroupNormImpl;

struct GroupMoments {
  int64_t groups = 0;
  double count = 0;        // elements per (batch item, group) seen so far
  torch::Tensor mean, m2;  // [B, groups], float64
  // Adds part of the map, x [B, C, h, w] (C divisible by groups).
  void add(const torch::Tensor& x);
};

// layer(x) as if x were normalised with the statistics of the whole map (moments.groups must equal
// the layer's groups).
torch::Tensor groupNormWithMoments(const GroupNormImpl& layer, const torch::Tensor& x, const GroupMoments& moments);

}  // namespace latentshop::nn
