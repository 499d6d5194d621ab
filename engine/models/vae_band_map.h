// One activation of a banded (tiled) VAE run: a [B, C, H, W] map written and read in row bands,
// kept row-major ([H][B][C][W], so a band is one contiguous range) in memory when small, else in an
// unlinked temporary file (TMPDIR) so a 2048² decode's 2 GiB maps cost page cache, not the process's
// memory. Optionally gathers the GroupNorm moments of everything written, for the layer that
// normalises it next.
#pragma once
#include <cstdint>
#include <optional>

#include <torch/torch.h>

#include "engine/nn/group_norm_moments.h"

namespace latentshop {

class VaeBandMap {
public:
  // groups 0: no moments. onDisk false: an in-memory tensor.
  VaeBandMap(int64_t batch, int64_t channels, int64_t height, int64_t width, c10::ScalarType dtype, int64_t groups,
             bool onDisk);
  ~VaeBandMap();
  VaeBandMap(const VaeBandMap&) = delete;
  VaeBandMap& operator=(const VaeBandMap&) = delete;

  int64_t batch() const { return batch_; }
  int64_t channels() const { return channels_; }
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  int64_t bytes() const;
  bool onDisk() const { return fd_ >= 0; }

  // Rows [r0, r1) (within the map) as a contiguous NCHW tensor [B, C, r1 − r0, W].
  torch::Tensor read(int64_t r0, int64_t r1) const;
  // Stores rows [r0, r0 + n) from x [B, C, n, W] and adds them to the moments.
  void write(int64_t r0, const torch::Tensor& x);
  const nn::GroupMoments& moments() const { return moments_; }

private:
  int64_t rowBytes() const;
  int64_t batch_, channels_, height_, width_;
  c10::ScalarType dtype_;
  nn::GroupMoments moments_;
  int fd_ = -1;
  torch::Tensor memory_;  // [H, B, C, W] when not on disk
};

}  // namespace latentshop
