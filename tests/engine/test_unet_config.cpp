// LATENTSHOP_TEST_LABELS: models
// UNet2DConditionModel configs: diffusers' defaults and resolution rules (attention_head_dim as the
// head count, per-block lists, reversed up-block lists), SD 1.5's full parameter layout (every key
// and shape of the real checkpoint, built uninitialised, no weights needed), SD 2.x options, 9/8
// input channels, and an Error naming the option for every unsupported setting.
#include <string>

#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/models/unet_2d_condition.h"

using namespace latentshop;

namespace {

std::string errorOf(const nlohmann::json& json) {
  try {
    UNet2DConditionConfig::fromJson(json, "unet/config.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::map<std::string, std::vector<int64_t>> shapes(const torch::nn::Module& m) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().sizes().vec();
  return out;
}

}  // namespace

class TestUnetConfig : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void sd15Resolution() {
    const auto c = UNet2DConditionConfig::stableDiffusion15();
    QCOMPARE(c.numAttentionHeads, (std::vector<int64_t>{8, 8, 8, 8}));
    QCOMPARE(c.crossAttentionDim, (std::vector<int64_t>{768, 768, 768, 768}));
    QCOMPARE(c.layersPerBlock, (std::vector<int64_t>{2, 2, 2, 2}));
    QCOMPARE(c.timeEmbedDim(), int64_t{1280});
    QVERIFY(c.midBlockType.has_value());
    QCOMPARE(c.sampleSize.value(), (std::vector<int64_t>{64, 64}));
  }

  // The layout of runwayml/stable-diffusion-v1-5's unet: 686 tensors, 859,520,964 parameters.
  void sd15ParameterLayout() {
    UNet2DConditionModel unet(UNet2DConditionConfig::stableDiffusion15());
    const auto s = shapes(*unet);
    int64_t count = 0;
    for (const auto& p : unet->parameters()) count += p.numel();
    QCOMPARE(s.size(), std::size_t{686});
    QCOMPARE(count, int64_t{859520964});
    const std::map<std::string, std::vector<int64_t>> expected = {
        {"conv_in.weight", {320, 4, 3, 3}},
        {"time_embedding.linear_1.weight", {1280, 320}},
        {"time_embedding.linear_2.weight", {1280, 1280}},
        {"down_blocks.0.attentions.0.proj_in.weight", {320, 320, 1, 1}},
        {"down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight", {320, 320}},
        {"down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight", {320, 768}},
        {"down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_out.0.bias", {320}},
        {"down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight", {2560, 320}},
        {"down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2.weight", {320, 1280}},
        {"down_blocks.0.downsamplers.0.conv.weight", {320, 320, 3, 3}},
        {"down_blocks.1.resnets.0.conv_shortcut.weight", {640, 320, 1, 1}},
        {"down_blocks.3.resnets.1.time_emb_proj.weight", {1280, 1280}},
        {"mid_block.attentions.0.transformer_blocks.0.norm3.weight", {1280}},
        {"mid_block.resnets.1.norm2.bias", {1280}},
        {"up_blocks.0.resnets.0.conv1.weight", {1280, 2560, 3, 3}},
        {"up_blocks.0.upsamplers.0.conv.weight", {1280, 1280, 3, 3}},
        {"up_blocks.1.attentions.2.proj_out.weight", {1280, 1280, 1, 1}},
        {"up_blocks.3.resnets.0.conv_shortcut.weight", {320, 960, 1, 1}},
        {"up_blocks.3.resnets.2.conv_shortcut.weight", {320, 640, 1, 1}},
        {"conv_norm_out.weight", {320}},
        {"conv_out.weight", {4, 320, 3, 3}},
    };
    for (const auto& [key, shape] : expected) {
      QVERIFY2(s.count(key), key.c_str());
      QCOMPARE(s.at(key), shape);
    }
    QVERIFY(!s.count("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias"));  // no q/k/v bias
    QVERIFY(!s.count("up_blocks.3.upsamplers.0.conv.weight"));                              // last block: none
    // Uninitialised, channels-last 3×3 weights on CPU.
    QVERIFY(unet->channelsLast());
    QVERIFY(unet->conv_in->weight.is_contiguous(at::MemoryFormat::ChannelsLast));
  }

  void inpaintAndInstructChannels() {
    for (int64_t in : {9, 8}) {
      auto c = UNet2DConditionConfig::fromJson({{"in_channels", in}, {"cross_attention_dim", 768}}, "unet/config.json");
      UNet2DConditionModel unet(c);
      QCOMPARE(unet->conv_in->weight.sizes().vec(), (std::vector<int64_t>{320, in, 3, 3}));
    }
  }

  // SD 2.x: per-block head counts through attention_head_dim, Linear projections, upcast attention.
  void sd2Options() {
    auto c = UNet2DConditionConfig::fromJson({{"attention_head_dim", {5, 10, 20, 20}},
                                              {"cross_attention_dim", 1024},
                                              {"use_linear_projection", true},
                                              {"upcast_attention", true}},
                                             "sd21/unet/config.json");
    QCOMPARE(c.numAttentionHeads, (std::vector<int64_t>{5, 10, 20, 20}));
    UNet2DConditionModel unet(c);
    const auto s = shapes(*unet);
    QCOMPARE(s.at("down_blocks.0.attentions.0.proj_in.weight"), (std::vector<int64_t>{320, 320}));
    QCOMPARE(s.at("mid_block.attentions.0.proj_out.weight"), (std::vector<int64_t>{1280, 1280}));
    const auto attn = unet->attentionModules();
    QCOMPARE(attn.front().second->options().heads, int64_t{5});   // down_blocks.0: 320 / 5 = 64 per head
    QCOMPARE(attn.front().second->options().dimHead, int64_t{64});
    QVERIFY(attn.front().second->options().upcastAttention);
    QCOMPARE(attn.back().second->options().heads, int64_t{5});    // up_blocks.3 uses the reversed list
    // num_attention_heads (when given) is the head count.
    auto d = UNet2DConditionConfig::fromJson({{"num_attention_heads", 4}, {"attention_head_dim", 8}}, "x.json");
    QCOMPARE(d.numAttentionHeads, (std::vector<int64_t>{4, 4, 4, 4}));
    // Per-block lists broadcast from ints; transformer layers reversed for the up blocks.
    auto e = UNet2DConditionConfig::fromJson({{"transformer_layers_per_block", {1, 2, 3, 4}}}, "x.json");
    QCOMPARE(e.reverseTransformerLayersPerBlock, (std::vector<int64_t>{4, 3, 2, 1}));
  }

  void unsupportedOptionsAreNamed() {
    struct Case { nlohmann::json json; std::string needle; };
    const Case cases[] = {
        {{{"class_embed_type", "timestep"}}, "unet/config.json: class_embed_type: '\"timestep\"' is not supported"},
        {{{"num_class_embeds", 10}}, "unet/config.json: num_class_embeds:"},
        {{{"addition_embed_type", "text_time"}}, "unet/config.json: addition_embed_type:"},
        {{{"dual_cross_attention", true}}, "unet/config.json: dual_cross_attention: true is not supported"},
        {{{"time_embedding_type", "fourier"}}, "unet/config.json: time_embedding_type: 'fourier'"},
        {{{"encoder_hid_dim", 1024}}, "unet/config.json: encoder_hid_dim:"},
        {{{"time_cond_proj_dim", 256}}, "unet/config.json: time_cond_proj_dim:"},
        {{{"attention_type", "gated"}}, "unet/config.json: attention_type: 'gated'"},
        {{{"act_fn", "tanh"}}, "unet/config.json: act_fn: unknown activation 'tanh'"},
        {{{"resnet_time_scale_shift", "spatial"}}, "unet/config.json: resnet_time_scale_shift: 'spatial'"},
        {{{"down_block_types", {"SimpleCrossAttnDownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D"}}},
         "down_block_types: 'SimpleCrossAttnDownBlock2D' is not supported"},
        {{{"mid_block_type", "UNetMidBlock2DSimpleCrossAttn"}}, "mid_block_type: 'UNetMidBlock2DSimpleCrossAttn'"},
        {{{"block_out_channels", {320, 640}}}, "block_out_channels: Must provide the same number"},
        {{{"attention_head_dim", {8, 8}}}, "attention_head_dim: has 2 entries but down_block_types has 4"},
        {{{"norm_num_groups", nullptr}}, "norm_num_groups: null is not supported"},
        {{{"norm_num_groups", 48}}, "norm_num_groups: 48 does not divide block_out_channels[0] = 320"},
        {{{"layers_per_block", "two"}}, "layers_per_block: expected an integer or a list of integers"},
    };
    for (const auto& c : cases) {
      const auto msg = errorOf(c.json);
      QVERIFY2(msg.find(c.needle) != std::string::npos, (c.json.dump() + " -> '" + msg + "'").c_str());
    }
    QVERIFY(errorOf({{"class_embed_type", nullptr}, {"addition_embed_type", nullptr}}).empty());
    // UNetRes prefixes are accepted like diffusers' get_down_block.
    QVERIFY(errorOf({{"down_block_types", {"UNetResCrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                           "CrossAttnDownBlock2D", "UNetResDownBlock2D"}}}).empty());
  }

  // Values that crashed or were undefined behaviour: norm_num_groups 0 divided by zero, a float
  // integer outside int64 was cast anyway.
  void hostileNumbersAreErrors() {
    auto msg = errorOf({{"norm_num_groups", 0}});
    QVERIFY2(msg.find("unet/config.json: norm_num_groups: must be positive") == 0, msg.c_str());
    msg = errorOf({{"in_channels", 1e300}});
    QVERIFY2(msg.find("unet/config.json: in_channels: expected an integer") == 0, msg.c_str());
    msg = errorOf({{"conv_in_kernel", -3}});
    QVERIFY2(msg.find("unet/config.json: conv_in_kernel: kernels must be odd and positive") == 0, msg.c_str());
    QVERIFY(errorOf({{"in_channels", 9.0}}).empty());
  }
};

QTEST_GUILESS_MAIN(TestUnetConfig)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_unet_config.moc"
#endif
