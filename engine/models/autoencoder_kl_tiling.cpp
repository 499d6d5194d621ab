#include "engine/models/autoencoder_kl_tiling.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "engine/core/error.h"
#include "engine/models/vae_band_map.h"
#include "engine/nn/attention_kernel.h"
#include "engine/nn/group_norm_moments.h"

namespace latentshop {

namespace {

std::mutex policyMutex;
VaeTilingPolicy currentPolicy;

using Map = std::unique_ptr<VaeBandMap>;
using Transform = std::function<torch::Tensor(const torch::Tensor&)>;
// (first output row, rows) → the band's output, e.g. with the residual added.
using Finish = std::function<torch::Tensor(int64_t, int64_t, torch::Tensor)>;

enum class Geometry { Same, Up2x, Down2x };  // output rows per input row: 1, 2, 1/2

class BandRunner {
public:
  BandRunner(int64_t budget, int64_t groups, VaeBandReport* report) : budget_(budget), groups_(groups), report_(report) {}

  // A map that feeds a GroupNorm (gathers moments) or not; in memory when it takes at most an eighth
  // of the budget (at most three maps live at once: a resnet's input, middle and output).
  Map map(int64_t batch, int64_t channels, int64_t h, int64_t w, c10::ScalarType dtype, bool normalised) {
    const int64_t bytes = batch * channels * h * w * static_cast<int64_t>(c10::elementSize(dtype));
    const bool onDisk = bytes > budget_ / 8;
    if (onDisk && report_) ++report_->mapsOnDisk;
    return std::make_unique<VaeBandMap>(batch, channels, h, w, dtype, normalised ? groups_ : 0, onDisk);
  }

  // out = finish(conv(pre(in))) band by band, for a 3×3 conv (padding 1, or the encoder's
  // stride-2 conv after its right/bottom padding).
  void run(const VaeBandMap& in, VaeBandMap& out, Geometry geometry, const Transform& pre, const nn::Conv2dImpl& conv,
           const Finish& finish = {}) {
    const int64_t h = in.height(), outH = out.height();
    int64_t rows = bandRows(in, out);
    if (geometry == Geometry::Up2x) rows += rows % 2;  // whole input rows
    for (int64_t r0 = 0; r0 < outH; r0 += rows) {
      const int64_t r1 = std::min(outH, r0 + rows), n = r1 - r0;
      torch::Tensor y;
      if (geometry == Geometry::Down2x) {
        // Output row r reads input rows 2r .. 2r + 2 of the input padded by one row and column of zeros.
        const int64_t a = 2 * r0, b = std::min(h, 2 * r1 + 1);
        const auto x = pre(in.read(a, b));
        y = conv.forward(at::constant_pad_nd(x, {0, 1, 0, 2 * n + 1 - (b - a)}, 0.0));
      } else {
        const int64_t i0 = geometry == Geometry::Up2x ? r0 / 2 : r0, i1 = geometry == Geometry::Up2x ? r1 / 2 : r1;
        const int64_t a = std::max<int64_t>(0, i0 - 1), b = std::min(h, i1 + 1);
        // One halo row each side; zeros beyond the map, as the conv's own padding would give.
        const auto x = at::constant_pad_nd(pre(in.read(a, b)), {0, 0, a == i0 ? 1 : 0, b == i1 ? 1 : 0}, 0.0);
        if (geometry == Geometry::Up2x) {
          y = conv.forwardUpsampled2x(x).slice(2, 2, 2 + n);
        } else {
          y = conv.forward(x).slice(2, 1, 1 + n);
        }
      }
      if (finish) y = finish(r0, n, y);
      out.write(r0, y);
      if (report_) ++report_->bands;
    }
  }

  // diffusers' ResnetBlock2D without time embedding, band by band.
  Map resnet(const VaeBandMap& x, nn::ResnetBlock2DImpl& r, c10::ScalarType dtype) {
    const auto& o = r.options();
    const int64_t channels = r.conv1->weight.size(0);
    auto h = map(x.batch(), channels, x.height(), x.width(), dtype, true);
    run(x, *h, Geometry::Same, normAct(*r.norm1, x, o.act), *r.conv1);
    auto out = map(x.batch(), channels, x.height(), x.width(), dtype, true);
    run(*h, *out, Geometry::Same, normAct(*r.norm2, *h, o.act), *r.conv2, [&](int64_t r0, int64_t n, torch::Tensor y) {
      auto shortcut = x.read(r0, r0 + n);
      if (r.conv_shortcut) shortcut = r.conv_shortcut(shortcut);
      y.add_(shortcut);
      if (o.outputScaleFactor != 1.0) y.div_(o.outputScaleFactor);
      return y;
    });
    return out;
  }

  // diffusers' Attention over all tokens of the map (the VAE mid block's: group_norm, one head of
  // all channels, residual): keys and values of every token at once, queries a band at a time.
  Map attention(const VaeBandMap& x, nn::AttentionImpl& a, c10::ScalarType dtype) {
    const auto& o = a.options();
    const int64_t b = x.batch(), c = x.channels(), h = x.height(), w = x.width(), heads = o.heads;
    const int64_t rows = bandRows(x, x);
    auto tokens = [&](int64_t r0, int64_t r1) {
      auto t = x.read(r0, r1);
      if (a.group_norm) t = nn::groupNormWithMoments(*a.group_norm, t, x.moments());
      return t.permute({0, 2, 3, 1}).reshape({b, (r1 - r0) * w, c});
    };
    auto splitHeads = [heads](const torch::Tensor& t) {
      return t.reshape({t.size(0), t.size(1), heads, t.size(2) / heads}).permute({0, 2, 1, 3});
    };
    torch::Tensor k, v;
    for (int64_t r0 = 0; r0 < h; r0 += rows) {
      const int64_t r1 = std::min(h, r0 + rows);
      const auto t = tokens(r0, r1);
      const auto kb = a.to_k(t), vb = a.to_v(t);
      if (!k.defined()) {
        k = at::empty({b, h * w, kb.size(2)}, kb.options());
        v = at::empty({b, h * w, vb.size(2)}, vb.options());
      }
      k.slice(1, r0 * w, r1 * w).copy_(kb);
      v.slice(1, r0 * w, r1 * w).copy_(vb);
    }
    nn::AttentionKernelOptions ko;
    ko.scale = a.scale();
    ko.upcastAttention = o.upcastAttention;
    ko.upcastSoftmax = o.upcastSoftmax;
    // Score rows per chunk: scores, probabilities and their conversions within an eighth of the budget.
    const int64_t scoreRowBytes = 3 * b * heads * h * w * static_cast<int64_t>(sizeof(float));
    ko.queryChunk = std::clamp<int64_t>(budget_ / 8 / scoreRowBytes, 16, rows * w);
    auto out = map(b, c, h, w, dtype, true);
    for (int64_t r0 = 0; r0 < h; r0 += rows) {
      const int64_t r1 = std::min(h, r0 + rows);
      // [B, tokens, heads · dim] back from the kernel.
      auto y = a.toOut0(nn::scaledDotProductAttention(splitHeads(a.to_q(tokens(r0, r1))), splitHeads(k), splitHeads(v), ko));
      y = y.view({b, r1 - r0, w, c}).permute({0, 3, 1, 2}).contiguous();
      if (o.residualConnection) y.add_(x.read(r0, r1));
      if (o.rescaleOutputFactor != 1.0) y.div_(o.rescaleOutputFactor);
      out->write(r0, y);
      if (report_) ++report_->bands;
    }
    return out;
  }

  // UNetMidBlock2D as the VAE builds it: resnet, attention, resnet.
  Map mid(const VaeBandMap& x, VaeMidBlockImpl& block, c10::ScalarType dtype) {
    auto h = resnet(x, *block.resnetList[0], dtype);
    if (block.attention) h = attention(*h, *block.attention, dtype);
    return resnet(*h, *block.resnetList[1], dtype);
  }

  static Transform normAct(const nn::GroupNormImpl& norm, const VaeBandMap& x, nn::Activation act) {
    return [&norm, &x, act](const torch::Tensor& t) {
      return nn::applyActivation(act, nn::groupNormWithMoments(norm, t, x.moments()), true);
    };
  }
  static torch::Tensor identity(const torch::Tensor& t) { return t; }

private:
  // Output rows per band: the input rows it reads and its output, about four copies of each
  // (read, normalised, padded, conv), within half the budget (the other half: maps in memory).
  int64_t bandRows(const VaeBandMap& in, const VaeBandMap& out) const {
    const double inRowsPerOutRow = static_cast<double>(in.height()) / static_cast<double>(out.height());
    const double perOutRow = 4.0 * (static_cast<double>(in.bytes()) / static_cast<double>(in.height()) * inRowsPerOutRow +
                                    static_cast<double>(out.bytes()) / static_cast<double>(out.height()));
    const auto rows = static_cast<int64_t>(static_cast<double>(budget_) / 2.0 / perOutRow);
    return std::clamp<int64_t>(rows, 2, out.height());
  }

  int64_t budget_, groups_;
  VaeBandReport* report_;
};

}  // namespace

VaeTilingPolicy vaeTilingPolicy() {
  std::lock_guard<std::mutex> lock(policyMutex);
  return currentPolicy;
}

void setVaeTilingPolicy(const VaeTilingPolicy& policy) {
  if (policy.memoryBudgetBytes < (kMinVaeMemoryMiB << 20) || policy.memoryBudgetBytes > (kMaxVaeMemoryMiB << 20))
    throw Error("VAE memory budget " + std::to_string(policy.memoryBudgetBytes >> 20) + " MiB is outside " +
                std::to_string(kMinVaeMemoryMiB) + " .. " + std::to_string(kMaxVaeMemoryMiB) + " MiB");
  std::lock_guard<std::mutex> lock(policyMutex);
  currentPolicy = policy;
}

std::int64_t vaeWorkingBytes(const AutoencoderKLConfig& config, c10::ScalarType dtype, std::int64_t batch,
                             std::int64_t h, std::int64_t w) {
  const std::int64_t f = config.downscaleFactor();
  const std::int64_t channels = config.blockOutChannels.front();
  return 6 * batch * h * w * f * f * channels * static_cast<std::int64_t>(c10::elementSize(dtype));
}

torch::Tensor decodeInBands(VaeDecoderImpl& decoder, const AutoencoderKLConfig& config, const torch::Tensor& z,
                            std::int64_t budget, VaeBandReport* report) {
  BandRunner runner(budget, config.normNumGroups, report);
  const auto dtype = z.scalar_type();
  Map x;
  {
    auto latent = runner.map(z.size(0), z.size(1), z.size(2), z.size(3), dtype, false);
    latent->write(0, z);
    x = runner.map(z.size(0), decoder.conv_in->weight.size(0), z.size(2), z.size(3), dtype, true);
    runner.run(*latent, *x, Geometry::Same, BandRunner::identity, *decoder.conv_in);
  }
  x = runner.mid(*x, *decoder.mid_block, dtype);
  for (auto& block : decoder.upBlocks) {
    for (auto& r : block->resnetList) x = runner.resnet(*x, *r, dtype);
    if (block->upsampler) {
      auto up = runner.map(x->batch(), block->upsampler->conv->weight.size(0), 2 * x->height(), 2 * x->width(), dtype, true);
      runner.run(*x, *up, Geometry::Up2x, BandRunner::identity, *block->upsampler->conv);
      x = std::move(up);
    }
  }
  auto image = runner.map(x->batch(), decoder.conv_out->weight.size(0), x->height(), x->width(), dtype, false);
  runner.run(*x, *image, Geometry::Same, BandRunner::normAct(*decoder.conv_norm_out, *x, nn::Activation::SiLU),
             *decoder.conv_out);
  return image->read(0, image->height());
}

torch::Tensor encodeInBands(VaeEncoderImpl& encoder, const AutoencoderKLConfig& config, const torch::Tensor& image,
                            std::int64_t budget, VaeBandReport* report) {
  const int64_t f = config.downscaleFactor();
  if (image.size(2) % f != 0 || image.size(3) % f != 0)
    throw Error("tiled encode: image sides must be multiples of " + std::to_string(f));
  BandRunner runner(budget, config.normNumGroups, report);
  const auto dtype = image.scalar_type();
  Map x;
  {
    auto input = runner.map(image.size(0), image.size(1), image.size(2), image.size(3), dtype, false);
    input->write(0, image);
    x = runner.map(image.size(0), encoder.conv_in->weight.size(0), image.size(2), image.size(3), dtype, true);
    runner.run(*input, *x, Geometry::Same, BandRunner::identity, *encoder.conv_in);
  }
  for (auto& block : encoder.downBlocks) {
    for (auto& r : block->resnetList) x = runner.resnet(*x, *r, dtype);
    if (block->downsampler) {
      auto down = runner.map(x->batch(), block->downsampler->conv->weight.size(0), x->height() / 2, x->width() / 2, dtype, true);
      runner.run(*x, *down, Geometry::Down2x, BandRunner::identity, *block->downsampler->conv);
      x = std::move(down);
    }
  }
  x = runner.mid(*x, *encoder.mid_block, dtype);
  auto out = runner.map(x->batch(), encoder.conv_out->weight.size(0), x->height(), x->width(), dtype, false);
  runner.run(*x, *out, Geometry::Same, BandRunner::normAct(*encoder.conv_norm_out, *x, nn::Activation::SiLU),
             *encoder.conv_out);
  return out->read(0, out->height());
}

}  // namespace latentshop
