#include "engine/models/autoencoder_kl.h"

#include <regex>

#include "engine/nn/module_base.h"

namespace latentshop {

torch::Tensor DiagonalGaussianDistribution::sample(const torch::Tensor& noise) const {
  return mean + std * noise.to(mean.device(), mean.scalar_type());
}

torch::Tensor DiagonalGaussianDistribution::sample(at::Generator generator) const {
  // randn_tensor: drawn on the generator's device (CPU) in the parameters' dtype, then moved.
  auto noise = torch::randn(mean.sizes(), generator, torch::TensorOptions().dtype(mean.scalar_type()));
  return sample(noise);
}

AutoencoderKLImpl::AutoencoderKLImpl(AutoencoderKLConfig config, const torch::TensorOptions& options)
    : config_(std::move(config)) {
  const auto t = options.requires_grad(false);
  encoder = register_module("encoder", VaeEncoder(config_, t));
  decoder = register_module("decoder", VaeDecoder(config_, t));
  const int64_t l = config_.latentChannels;
  if (config_.useQuantConv) quant_conv = register_module("quant_conv", nn::Conv2d(2 * l, 2 * l, 1, 1, 0, true, t));
  if (config_.usePostQuantConv)
    post_quant_conv = register_module("post_quant_conv", nn::Conv2d(l, l, 1, 1, 0, true, t));
  nn::assignModulePaths(*this);
  // On CPU in float32 the VAE runs NCHW: oneDNN's direct convolution is 1.3–2× faster there than
  // channels-last at the decoder's 256²–512² maps (bench_conv3x3), and the wide layers take the Winograd
  // path. Half-precision models keep channels-last, which their kernels prefer.
  const bool cpu = !decoder->conv_in->weight.is_cuda();
  setChannelsLast(cpu && dtype() != torch::kFloat);
  nn::setConvAlgorithm(*this, cpu ? nn::ConvAlgorithm::Auto : nn::ConvAlgorithm::Direct);
}

void AutoencoderKLImpl::setChannelsLast(bool on) {
  channelsLast_ = on;
  nn::setConvWeightsMemoryFormat(*this, on ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
}

DiagonalGaussianDistribution AutoencoderKLImpl::encode(const torch::Tensor& image, const nn::ForwardHooks* hooks) {
  auto x = image.to(device(), dtype());
  if (channelsLast_) x = x.contiguous(at::MemoryFormat::ChannelsLast);
  const int64_t f = config_.downscaleFactor();
  const bool banded = !hooks && x.size(2) % f == 0 && x.size(3) % f == 0 && tiles(x.size(0), x.size(2) / f, x.size(3) / f);
  auto h = banded ? encodeInBands(*encoder, config_, x, tilingPolicy().memoryBudgetBytes) : encoder(x, hooks);
  if (quant_conv) {
    h = quant_conv(h);
    nn::recordOutput(hooks, "quant_conv", h);
  }
  h = h.contiguous();
  auto parts = h.chunk(2, 1);
  DiagonalGaussianDistribution d;
  d.mean = parts[0].contiguous();
  d.logvar = torch::clamp(parts[1], -30.0, 20.0);
  d.std = torch::exp(d.logvar * 0.5);
  return d;
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& latent, const nn::ForwardHooks* hooks) {
  auto z = latent.to(device(), dtype());
  if (channelsLast_) z = z.contiguous(at::MemoryFormat::ChannelsLast);
  if (post_quant_conv) {
    z = post_quant_conv(z);
    nn::recordOutput(hooks, "post_quant_conv", z);
  }
  if (!hooks && tiles(z.size(0), z.size(2), z.size(3)))
    return decodeInBands(*decoder, config_, z, tilingPolicy().memoryBudgetBytes).contiguous();
  return decoder(z, hooks).contiguous();
}

bool AutoencoderKLImpl::tiles(int64_t batch, int64_t h, int64_t w) const {
  return vaeWorkingBytes(config_, dtype(), batch, h, w) > tilingPolicy().memoryBudgetBytes;
}

torch::Tensor AutoencoderKLImpl::forward(const torch::Tensor& image) { return decode(encode(image).mode()); }

torch::Tensor AutoencoderKLImpl::scaleLatents(const torch::Tensor& z) const {
  return config_.shiftFactor ? (z - *config_.shiftFactor) * config_.scalingFactor : z * config_.scalingFactor;
}

torch::Tensor AutoencoderKLImpl::unscaleLatents(const torch::Tensor& latents) const {
  return config_.shiftFactor ? latents / config_.scalingFactor + *config_.shiftFactor : latents / config_.scalingFactor;
}

int64_t convertDeprecatedAttentionKeys(StateDict& dict) {
  static const std::regex pattern(R"(^(.*\.attentions\.\d+)\.(query|key|value|proj_attn)\.(weight|bias)$)");
  std::vector<std::pair<std::string, std::string>> renames;
  for (const auto& [key, t] : dict) {
    std::smatch m;
    if (!std::regex_match(key, m, pattern)) continue;
    const std::string old = m[2].str();
    const std::string now = old == "query" ? "to_q" : old == "key" ? "to_k" : old == "value" ? "to_v" : "to_out.0";
    renames.emplace_back(key, m[1].str() + "." + now + "." + m[3].str());
  }
  for (const auto& [from, to] : renames) {
    auto t = dict.at(from);
    if (t.dim() == 4 && t.size(2) == 1 && t.size(3) == 1) t = t.view({t.size(0), t.size(1)});
    dict.erase(from);
    dict[to] = t;
  }
  return static_cast<int64_t>(renames.size());
}

}  // namespace latentshop
