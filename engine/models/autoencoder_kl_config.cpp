#include "engine/models/autoencoder_kl_config.h"

#include "engine/core/error.h"
#include "engine/models/model_config_reader.h"
#include "engine/nn/activation.h"

namespace latentshop {

AutoencoderKLConfig AutoencoderKLConfig::stableDiffusion() {
  return fromJson(nlohmann::json{{"block_out_channels", {128, 256, 512, 512}},
                                 {"down_block_types", {"DownEncoderBlock2D", "DownEncoderBlock2D",
                                                       "DownEncoderBlock2D", "DownEncoderBlock2D"}},
                                 {"up_block_types", {"UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D",
                                                     "UpDecoderBlock2D"}},
                                 {"layers_per_block", 2},
                                 {"sample_size", 512}},
                  "SD VAE config");
}

AutoencoderKLConfig AutoencoderKLConfig::fromFile(const std::string& path) {
  return fromJson(modelcfg::readJsonFile(path), path);
}

AutoencoderKLConfig AutoencoderKLConfig::fromJson(const nlohmann::json& json, const std::string& source) {
  modelcfg::ConfigReader r(json, source);
  AutoencoderKLConfig c;
  c.inChannels = r.integer("in_channels", c.inChannels);
  c.outChannels = r.integer("out_channels", c.outChannels);
  c.downBlockTypes = r.strings("down_block_types", c.downBlockTypes);
  c.upBlockTypes = r.strings("up_block_types", c.upBlockTypes);
  c.blockOutChannels = r.integers("block_out_channels", c.blockOutChannels);
  c.layersPerBlock = r.integer("layers_per_block", c.layersPerBlock);
  c.actFn = r.string("act_fn", c.actFn);
  c.latentChannels = r.integer("latent_channels", c.latentChannels);
  c.normNumGroups = r.integer("norm_num_groups", c.normNumGroups);
  if (!r.isNullOrAbsent("sample_size")) {
    const auto& s = r.raw("sample_size");
    c.sampleSize = s.is_array() && !s.empty() && s[0].is_number_integer() ? s[0].get<int64_t>()
                                                                          : r.integer("sample_size", c.sampleSize);
  }
  c.scalingFactor = r.number("scaling_factor", c.scalingFactor);
  c.shiftFactor = r.optionalNumber("shift_factor");
  c.forceUpcast = r.boolean("force_upcast", c.forceUpcast);
  c.useQuantConv = r.boolean("use_quant_conv", c.useQuantConv);
  c.usePostQuantConv = r.boolean("use_post_quant_conv", c.usePostQuantConv);
  c.midBlockAddAttention = r.boolean("mid_block_add_attention", c.midBlockAddAttention);

  const std::size_t n = c.blockOutChannels.size();
  if (n == 0) r.fail("block_out_channels", "must list at least one level");
  if (n > 16) r.fail("block_out_channels", std::to_string(n) + " levels (at most 16: each halves the image)");
  if (c.normNumGroups <= 0) r.fail("norm_num_groups", "must be positive, got " + std::to_string(c.normNumGroups));
  if (c.downBlockTypes.size() != n)
    r.fail("down_block_types", "has " + std::to_string(c.downBlockTypes.size()) + " entries but block_out_channels has " +
                                   std::to_string(n));
  if (c.upBlockTypes.size() != n)
    r.fail("up_block_types", "has " + std::to_string(c.upBlockTypes.size()) + " entries but block_out_channels has " +
                                 std::to_string(n));
  for (const auto& t : c.downBlockTypes)
    if (t != "DownEncoderBlock2D") r.fail("down_block_types", "'" + t + "' is not supported (DownEncoderBlock2D)");
  for (const auto& t : c.upBlockTypes)
    if (t != "UpDecoderBlock2D") r.fail("up_block_types", "'" + t + "' is not supported (UpDecoderBlock2D)");
  for (std::size_t i = 0; i < n; ++i)
    if (c.blockOutChannels[i] <= 0 || c.blockOutChannels[i] % c.normNumGroups != 0)
      r.fail("norm_num_groups", std::to_string(c.normNumGroups) + " does not divide block_out_channels[" +
                                    std::to_string(i) + "] = " + std::to_string(c.blockOutChannels[i]));
  if (c.layersPerBlock <= 0) r.fail("layers_per_block", "must be positive");
  if (c.latentChannels <= 0 || c.inChannels <= 0 || c.outChannels <= 0)
    r.fail("latent_channels", "channel counts must be positive");
  nn::parseActivation(c.actFn, source + ": act_fn");
  return c;
}

}  // namespace latentshop
