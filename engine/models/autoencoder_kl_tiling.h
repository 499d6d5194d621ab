// Tiled VAE decode and encode, switched on by a memory budget: when an untiled decode (or encode)
// would take more working memory than the budget, the network runs layer by layer over row bands
// (full-width tiles) of each activation. Each band reads its input rows plus the one-row halo its 3×3
// convolution needs (an up- or down-sampling conv maps rows 2:1 or 1:2), and every GroupNorm
// normalises with the statistics of the whole map, gathered while the map was written
// (engine/nn/group_norm_moments.h). The activations themselves live in memory when small and in
// unlinked temporary files when not (engine/models/vae_band_map.h), so a 2048² decode runs in the
// working memory of a 512² one. The result equals the untiled one up to float rounding — the overlap
// is exact, there is nothing to blend. The mid block's attention stays global: keys and values of all
// tokens are held, queries go a band at a time.
// Reference: diffusers' AutoencoderKL.tiled_decode / tiled_encode (v0.26.3 autoencoder_kl.py) tile
// with per-tile GroupNorm statistics and blend 25 % overlaps, which leaves tone differences between
// tiles; the layer-by-layer order with shared statistics follows pkuliyi2015's "Tiled VAE"
// (multidiffusion-upscaler-for-automatic1111), which synchronises GroupNorm across tiles.
#pragma once
#include <cstdint>

#include <torch/torch.h>

#include "engine/models/autoencoder_kl_blocks.h"
#include "engine/models/autoencoder_kl_config.h"

namespace latentshop {

struct VaeTilingPolicy {
  // Working memory one decode or encode may take untiled (weights not included); also what a
  // tiled run's bands and in-memory maps are sized to.
  std::int64_t memoryBudgetBytes = std::int64_t{3} << 30;
};
inline constexpr std::int64_t kMinVaeMemoryMiB = 64;
inline constexpr std::int64_t kMaxVaeMemoryMiB = std::int64_t{1} << 20;

// The process-wide policy (the editor's Edit → "Memory for Decoding", the CLI's --vae-memory).
VaeTilingPolicy vaeTilingPolicy();
// Throws Error outside kMinVaeMemoryMiB .. kMaxVaeMemoryMiB.
void setVaeTilingPolicy(const VaeTilingPolicy& policy);

// Estimated working memory of an untiled decode or encode of `batch` latents of h × w: the largest
// stage (block_out_channels[0] channels at image size) holds about six maps at once (bench_vae prints
// the measured peak beside it).
std::int64_t vaeWorkingBytes(const AutoencoderKLConfig& config, c10::ScalarType dtype, std::int64_t batch,
                             std::int64_t h, std::int64_t w);

// What a banded run did (tests and benchmarks).
struct VaeBandReport {
  std::int64_t bands = 0;       // band computations, all layers together
  std::int64_t mapsOnDisk = 0;  // activations kept in temporary files
};

// decoder(z) band by band: z [B, latent_channels, h, w] after post_quant_conv → [B, out_channels, h·f, w·f].
torch::Tensor decodeInBands(VaeDecoderImpl& decoder, const AutoencoderKLConfig& config, const torch::Tensor& z,
                            std::int64_t budgetBytes, VaeBandReport* report = nullptr);
// encoder(image) band by band (image sides multiples of the downscale factor).
torch::Tensor encodeInBands(VaeEncoderImpl& encoder, const AutoencoderKLConfig& config, const torch::Tensor& image,
                            std::int64_t budgetBytes, VaeBandReport* report = nullptr);

}  // namespace latentshop
