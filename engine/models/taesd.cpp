#include "engine/models/taesd.h"

#include <cctype>

#include "engine/core/error.h"

namespace latentshop {

namespace {

std::vector<int64_t> intList(const nlohmann::json& j, const std::string& key, const std::vector<int64_t>& fallback,
                             const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_array()) throw fileError(source, key + ": expected a list of integers");
  std::vector<int64_t> out;
  for (const auto& v : *it) {
    if (!v.is_number_integer()) throw fileError(source, key + ": expected a list of integers, found " + v.dump());
    out.push_back(v.get<int64_t>());
  }
  return out;
}

template <typename T>
T value(const nlohmann::json& j, const std::string& key, T fallback, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw fileError(source, key + ": unexpected value " + it->dump());
  }
}

torch::nn::AnyModule activation(const std::string& name) {
  if (name == "relu") return torch::nn::AnyModule(torch::nn::ReLU());
  if (name == "silu" || name == "swish") return torch::nn::AnyModule(torch::nn::SiLU());
  if (name == "gelu") return torch::nn::AnyModule(torch::nn::GELU());
  if (name == "mish") return torch::nn::AnyModule(torch::nn::Mish());
  throw Error("AutoencoderTiny: act_fn '" + name + "' is not supported (expected relu, silu, swish, gelu or mish)");
}

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, bool bias) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(bias));
}

}  // namespace

AutoencoderTinyConfig AutoencoderTinyConfig::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw fileError(source, "expected a JSON object");
  AutoencoderTinyConfig c;
  c.inChannels = value<int64_t>(j, "in_channels", c.inChannels, source);
  c.outChannels = value<int64_t>(j, "out_channels", c.outChannels, source);
  c.encoderBlockOutChannels = intList(j, "encoder_block_out_channels", c.encoderBlockOutChannels, source);
  c.decoderBlockOutChannels = intList(j, "decoder_block_out_channels", c.decoderBlockOutChannels, source);
  c.actFn = value<std::string>(j, "act_fn", c.actFn, source);
  c.latentChannels = value<int64_t>(j, "latent_channels", c.latentChannels, source);
  c.upsamplingScalingFactor = value<int64_t>(j, "upsampling_scaling_factor", c.upsamplingScalingFactor, source);
  c.numEncoderBlocks = intList(j, "num_encoder_blocks", c.numEncoderBlocks, source);
  c.numDecoderBlocks = intList(j, "num_decoder_blocks", c.numDecoderBlocks, source);
  c.latentMagnitude = value<double>(j, "latent_magnitude", c.latentMagnitude, source);
  c.latentShift = value<double>(j, "latent_shift", c.latentShift, source);
  c.scalingFactor = value<double>(j, "scaling_factor", c.scalingFactor, source);
  if (c.encoderBlockOutChannels.size() != c.numEncoderBlocks.size() || c.encoderBlockOutChannels.empty()) {
    throw fileError(source, "encoder_block_out_channels and num_encoder_blocks must have the same, non-zero length");
  }
  if (c.decoderBlockOutChannels.size() != c.numDecoderBlocks.size() || c.decoderBlockOutChannels.empty()) {
    throw fileError(source, "decoder_block_out_channels and num_decoder_blocks must have the same, non-zero length");
  }
  c.actFn = [&] {
    std::string s = c.actFn;
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }();
  activation(c.actFn);  // validates the name
  return c;
}

nlohmann::json AutoencoderTinyConfig::toJson() const {
  return {{"_class_name", "AutoencoderTiny"},
          {"in_channels", inChannels},
          {"out_channels", outChannels},
          {"encoder_block_out_channels", encoderBlockOutChannels},
          {"decoder_block_out_channels", decoderBlockOutChannels},
          {"act_fn", actFn},
          {"latent_channels", latentChannels},
          {"upsampling_scaling_factor", upsamplingScalingFactor},
          {"num_encoder_blocks", numEncoderBlocks},
          {"num_decoder_blocks", numDecoderBlocks},
          {"latent_magnitude", latentMagnitude},
          {"latent_shift", latentShift},
          {"scaling_factor", scalingFactor}};
}

AutoencoderTinyBlockImpl::AutoencoderTinyBlockImpl(int64_t inChannels, int64_t outChannels, const std::string& actFn) {
  torch::nn::Sequential seq;
  seq->push_back(conv(inChannels, outChannels, 3, 1, true));
  seq->push_back(activation(actFn));
  seq->push_back(conv(outChannels, outChannels, 3, 1, true));
  seq->push_back(activation(actFn));
  seq->push_back(conv(outChannels, outChannels, 3, 1, true));
  conv_ = register_module("conv", seq);
  if (inChannels != outChannels) skip_ = register_module("skip", conv(inChannels, outChannels, 1, 1, false));
}

torch::Tensor AutoencoderTinyBlockImpl::forward(const torch::Tensor& x) {
  return torch::relu(conv_->forward(x) + (skip_.is_empty() ? x : skip_->forward(x)));
}

TaesdEncoderImpl::TaesdEncoderImpl(const AutoencoderTinyConfig& c) {
  torch::nn::Sequential seq;
  for (std::size_t i = 0; i < c.numEncoderBlocks.size(); ++i) {
    const int64_t ch = c.encoderBlockOutChannels[i];
    if (i == 0) {
      seq->push_back(conv(c.inChannels, ch, 3, 1, true));
    } else {
      seq->push_back(conv(ch, ch, 3, 2, false));
    }
    for (int64_t b = 0; b < c.numEncoderBlocks[i]; ++b) seq->push_back(AutoencoderTinyBlock(ch, ch, c.actFn));
  }
  seq->push_back(conv(c.encoderBlockOutChannels.back(), c.latentChannels, 3, 1, true));
  layers_ = register_module("layers", seq);
}

torch::Tensor TaesdEncoderImpl::forward(const torch::Tensor& image) { return layers_->forward(image.add(1).div(2)); }

TaesdDecoderImpl::TaesdDecoderImpl(const AutoencoderTinyConfig& c) {
  torch::nn::Sequential seq;
  seq->push_back(conv(c.latentChannels, c.decoderBlockOutChannels[0], 3, 1, true));
  seq->push_back(activation(c.actFn));
  const std::size_t stages = c.numDecoderBlocks.size();
  const auto factor = static_cast<double>(c.upsamplingScalingFactor);
  for (std::size_t i = 0; i < stages; ++i) {
    const bool last = i + 1 == stages;
    const int64_t ch = c.decoderBlockOutChannels[i];
    for (int64_t b = 0; b < c.numDecoderBlocks[i]; ++b) seq->push_back(AutoencoderTinyBlock(ch, ch, c.actFn));
    if (!last) {
      seq->push_back(torch::nn::Upsample(
          torch::nn::UpsampleOptions().scale_factor(std::vector<double>{factor, factor}).mode(torch::kNearest)));
    }
    seq->push_back(conv(ch, last ? c.outChannels : ch, 3, 1, /*bias=*/last));
  }
  layers_ = register_module("layers", seq);
}

torch::Tensor TaesdDecoderImpl::forward(const torch::Tensor& latents) {
  const auto x = torch::tanh(latents / 3) * 3;
  return layers_->forward(x).mul(2).sub(1);
}

AutoencoderTinyImpl::AutoencoderTinyImpl(const AutoencoderTinyConfig& config, bool withEncoder) : config_(config) {
  if (withEncoder) encoder_ = register_module("encoder", TaesdEncoder(config_));
  decoder_ = register_module("decoder", TaesdDecoder(config_));
}

torch::Tensor AutoencoderTinyImpl::encode(const torch::Tensor& image) {
  if (encoder_.is_empty()) throw Error("AutoencoderTiny: this instance was loaded without its encoder");
  return encoder_->forward(image);
}

torch::Tensor AutoencoderTinyImpl::decode(const torch::Tensor& latents) { return decoder_->forward(latents); }

}  // namespace latentshop
