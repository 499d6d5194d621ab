#include "engine/models/unet_2d_condition_config.h"

#include "engine/core/error.h"
#include "engine/models/model_config_reader.h"
#include "engine/nn/activation.h"

namespace latentshop {

namespace {

std::string stripResPrefix(const std::string& type) {
  return type.rfind("UNetRes", 0) == 0 ? type.substr(7) : type;
}

void refuseIfSet(const modelcfg::ConfigReader& r, const std::string& key) {
  if (!r.isNullOrAbsent(key))
    r.fail(key, "'" + r.raw(key).dump() + "' is not supported (only null); this UNet variant cannot be built");
}

}  // namespace

UNet2DConditionConfig UNet2DConditionConfig::stableDiffusion15() {
  return fromJson(nlohmann::json{{"sample_size", 64}, {"cross_attention_dim", 768}}, "SD 1.5 UNet config");
}

UNet2DConditionConfig UNet2DConditionConfig::fromFile(const std::string& path) {
  return fromJson(modelcfg::readJsonFile(path), path);
}

UNet2DConditionConfig UNet2DConditionConfig::fromJson(const nlohmann::json& json, const std::string& source) {
  modelcfg::ConfigReader r(json, source);
  UNet2DConditionConfig c;

  if (!r.isNullOrAbsent("sample_size")) {
    const auto& s = r.raw("sample_size");
    if (s.is_number_integer()) {
      c.sampleSize = std::vector<int64_t>{s.get<int64_t>(), s.get<int64_t>()};
    } else {
      c.sampleSize = r.integers("sample_size", {});
    }
  }
  c.inChannels = r.integer("in_channels", c.inChannels);
  c.outChannels = r.integer("out_channels", c.outChannels);
  c.centerInputSample = r.boolean("center_input_sample", c.centerInputSample);
  c.flipSinToCos = r.boolean("flip_sin_to_cos", c.flipSinToCos);
  c.freqShift = r.number("freq_shift", c.freqShift);
  c.downBlockTypes = r.strings("down_block_types", c.downBlockTypes);
  c.midBlockType = r.optionalString("mid_block_type", c.midBlockType);
  c.upBlockTypes = r.strings("up_block_types", c.upBlockTypes);
  c.blockOutChannels = r.integers("block_out_channels", c.blockOutChannels);
  c.downsamplePadding = r.integer("downsample_padding", c.downsamplePadding);
  c.midBlockScaleFactor = r.number("mid_block_scale_factor", c.midBlockScaleFactor);
  c.actFn = r.string("act_fn", c.actFn);
  if (r.has("norm_num_groups") && r.raw("norm_num_groups").is_null())
    r.fail("norm_num_groups", "null is not supported (the resnet blocks need group normalisation)");
  c.normNumGroups = r.integer("norm_num_groups", c.normNumGroups);
  c.normEps = r.number("norm_eps", c.normEps);
  c.useLinearProjection = r.boolean("use_linear_projection", c.useLinearProjection);
  c.upcastAttention = r.boolean("upcast_attention", c.upcastAttention);
  c.resnetTimeScaleShift = r.string("resnet_time_scale_shift", c.resnetTimeScaleShift);
  c.timeEmbeddingDim = r.optionalInteger("time_embedding_dim");
  c.timeEmbeddingActFn = r.optionalString("time_embedding_act_fn", std::nullopt);
  c.timestepPostAct = r.optionalString("timestep_post_act", std::nullopt);
  c.convInKernel = r.integer("conv_in_kernel", c.convInKernel);
  c.convOutKernel = r.integer("conv_out_kernel", c.convOutKernel);

  // Options this port does not implement: refuse rather than compute something else.
  if (r.boolean("dual_cross_attention", false))
    r.fail("dual_cross_attention", "true is not supported (only false)");
  refuseIfSet(r, "class_embed_type");
  refuseIfSet(r, "num_class_embeds");
  if (r.boolean("class_embeddings_concat", false))
    r.fail("class_embeddings_concat", "true is not supported (only false)");
  refuseIfSet(r, "addition_embed_type");
  refuseIfSet(r, "encoder_hid_dim");
  refuseIfSet(r, "encoder_hid_dim_type");
  refuseIfSet(r, "time_cond_proj_dim");
  refuseIfSet(r, "cross_attention_norm");
  if (const auto t = r.string("time_embedding_type", "positional"); t != "positional")
    r.fail("time_embedding_type", "'" + t + "' is not supported (only positional)");
  if (const auto t = r.string("attention_type", "default"); t != "default")
    r.fail("attention_type", "'" + t + "' is not supported (only default)");
  if (c.resnetTimeScaleShift != "default" && c.resnetTimeScaleShift != "scale_shift")
    r.fail("resnet_time_scale_shift", "'" + c.resnetTimeScaleShift + "' is not supported (default or scale_shift)");
  nn::parseActivation(c.actFn, source + ": act_fn");
  if (c.timeEmbeddingActFn) nn::parseActivation(*c.timeEmbeddingActFn, source + ": time_embedding_act_fn");
  if (c.timestepPostAct) nn::parseActivation(*c.timestepPostAct, source + ": timestep_post_act");

  // Structure checks (diffusers' own, same wording).
  const std::size_t n = c.downBlockTypes.size();
  if (n == 0) r.fail("down_block_types", "must list at least one block");
  if (c.upBlockTypes.size() != n)
    r.fail("up_block_types", "Must provide the same number of `down_block_types` as `up_block_types` (" +
                                 std::to_string(n) + " vs " + std::to_string(c.upBlockTypes.size()) + ")");
  if (c.blockOutChannels.size() != n)
    r.fail("block_out_channels", "Must provide the same number of `block_out_channels` as `down_block_types` (" +
                                     std::to_string(c.blockOutChannels.size()) + " vs " + std::to_string(n) + ")");
  for (auto& t : c.downBlockTypes) {
    t = stripResPrefix(t);
    if (t != "CrossAttnDownBlock2D" && t != "DownBlock2D")
      r.fail("down_block_types", "'" + t + "' is not supported (CrossAttnDownBlock2D or DownBlock2D)");
  }
  for (auto& t : c.upBlockTypes) {
    t = stripResPrefix(t);
    if (t != "CrossAttnUpBlock2D" && t != "UpBlock2D")
      r.fail("up_block_types", "'" + t + "' is not supported (CrossAttnUpBlock2D or UpBlock2D)");
  }
  if (c.midBlockType && *c.midBlockType != "UNetMidBlock2DCrossAttn")
    r.fail("mid_block_type", "'" + *c.midBlockType + "' is not supported (UNetMidBlock2DCrossAttn or null)");

  c.layersPerBlock = r.integerOrList("layers_per_block", 2, n, "down_block_types");
  c.crossAttentionDim = r.integerOrList("cross_attention_dim", 1280, n, "down_block_types");
  c.attentionHeadDim = r.integerOrList("attention_head_dim", 8, n, "down_block_types");
  c.numAttentionHeads = r.isNullOrAbsent("num_attention_heads")
                            ? c.attentionHeadDim
                            : r.integerOrList("num_attention_heads", 0, n, "down_block_types");
  c.onlyCrossAttention = r.booleanOrList("only_cross_attention", false, n, "down_block_types");
  if (!r.isNullOrAbsent("transformer_layers_per_block") && r.raw("transformer_layers_per_block").is_array()) {
    for (const auto& e : r.raw("transformer_layers_per_block"))
      if (e.is_array())
        r.fail("transformer_layers_per_block", "nested lists (asymmetric UNets) are not supported");
  }
  c.transformerLayersPerBlock = r.integerOrList("transformer_layers_per_block", 1, n, "down_block_types");
  if (r.isNullOrAbsent("reverse_transformer_layers_per_block")) {
    c.reverseTransformerLayersPerBlock.assign(c.transformerLayersPerBlock.rbegin(), c.transformerLayersPerBlock.rend());
  } else {
    for (const auto& e : r.raw("reverse_transformer_layers_per_block"))
      if (e.is_array())
        r.fail("reverse_transformer_layers_per_block", "nested lists (asymmetric UNets) are not supported");
    c.reverseTransformerLayersPerBlock = r.integerOrList("reverse_transformer_layers_per_block", 1, n, "up_block_types");
  }

  if (c.normNumGroups <= 0) r.fail("norm_num_groups", "must be positive, got " + std::to_string(c.normNumGroups));
  for (std::size_t i = 0; i < n; ++i) {
    const auto ch = c.blockOutChannels[i];
    if (ch <= 0) r.fail("block_out_channels", "entries must be positive");
    if (ch % c.normNumGroups != 0)
      r.fail("norm_num_groups", std::to_string(c.normNumGroups) + " does not divide block_out_channels[" +
                                    std::to_string(i) + "] = " + std::to_string(ch));
    if (c.numAttentionHeads[i] <= 0) r.fail("attention_head_dim", "head counts must be positive");
    if (c.layersPerBlock[i] <= 0) r.fail("layers_per_block", "entries must be positive");
  }
  if (c.inChannels <= 0 || c.outChannels <= 0) r.fail("in_channels", "channel counts must be positive");
  if (c.convInKernel % 2 == 0 || c.convOutKernel % 2 == 0 || c.convInKernel < 1 || c.convOutKernel < 1)
    r.fail("conv_in_kernel", "kernels must be odd and positive");
  return c;
}

}  // namespace latentshop
