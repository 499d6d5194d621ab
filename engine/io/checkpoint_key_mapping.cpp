#include "engine/io/checkpoint_key_mapping.h"

#include <utility>

#include "engine/core/error.h"

namespace latentshop {

namespace {

bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::vector<std::string> split(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (true) {
    const std::size_t dot = key.find('.', pos);
    parts.push_back(key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
    if (dot == std::string::npos) return parts;
    pos = dot + 1;
  }
}

std::string join(const std::vector<std::string>& parts, std::size_t from) {
  std::string s;
  for (std::size_t i = from; i < parts.size(); ++i) s += (i > from ? "." : "") + parts[i];
  return s;
}

bool isIndex(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

std::vector<int> intList(const nlohmann::json& config, const char* key, std::vector<int> fallback) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  return config[key].get<std::vector<int>>();
}

// layers_per_block: an int for every block or a list, one per block.
std::vector<int> layersPerBlock(const nlohmann::json& config, std::size_t blocks, int fallback) {
  if (config.contains("layers_per_block") && config["layers_per_block"].is_array())
    return config["layers_per_block"].get<std::vector<int>>();
  const int n = config.value("layers_per_block", fallback);
  return std::vector<int>(blocks, n);
}

enum class Inner { Same, UnetResnet };

struct Rule {
  std::string from, to;
  Inner inner = Inner::Same;
};

std::vector<Rule> unetRules(const nlohmann::json& config) {
  const auto channels = intList(config, "block_out_channels", {320, 640, 1280, 1280});
  const std::size_t n = channels.size();
  const auto layers = layersPerBlock(config, n, 2);
  std::vector<std::string> down(n, "CrossAttnDownBlock2D"), up(n, "CrossAttnUpBlock2D");
  if (!config.contains("down_block_types")) down.back() = "DownBlock2D";
  else down = config["down_block_types"].get<std::vector<std::string>>();
  if (!config.contains("up_block_types")) up.front() = "UpBlock2D";
  else up = config["up_block_types"].get<std::vector<std::string>>();
  if (layers.size() != n || down.size() != n || up.size() != n)
    throw Error("UNet config: block_out_channels, layers_per_block and the block types disagree in length");
  const auto hasAttention = [](const std::string& type) { return type.find("CrossAttn") != std::string::npos; };

  std::vector<Rule> r = {{"time_embed.0.", "time_embedding.linear_1."},
                         {"time_embed.2.", "time_embedding.linear_2."},
                         {"input_blocks.0.0.", "conv_in."},
                         {"out.0.", "conv_norm_out."},
                         {"out.2.", "conv_out."}};
  int k = 1;
  for (std::size_t b = 0; b < n; ++b) {
    const std::string block = "down_blocks." + std::to_string(b) + ".";
    for (int l = 0; l < layers[b]; ++l, ++k) {
      const std::string in = "input_blocks." + std::to_string(k) + ".";
      r.push_back({in + "0.", block + "resnets." + std::to_string(l) + ".", Inner::UnetResnet});
      if (hasAttention(down[b])) r.push_back({in + "1.", block + "attentions." + std::to_string(l) + "."});
    }
    if (b + 1 < n) {
      r.push_back({"input_blocks." + std::to_string(k) + ".0.op.", block + "downsamplers.0.conv."});
      ++k;
    }
  }
  const std::string mid = config.value("mid_block_type", std::string("UNetMidBlock2DCrossAttn"));
  r.push_back({"middle_block.0.", "mid_block.resnets.0.", Inner::UnetResnet});
  if (hasAttention(mid)) {
    r.push_back({"middle_block.1.", "mid_block.attentions.0."});
    r.push_back({"middle_block.2.", "mid_block.resnets.1.", Inner::UnetResnet});
  } else {
    r.push_back({"middle_block.1.", "mid_block.resnets.1.", Inner::UnetResnet});
  }
  k = 0;
  for (std::size_t u = 0; u < n; ++u) {
    const std::string block = "up_blocks." + std::to_string(u) + ".";
    const int count = layers[n - 1 - u] + 1;
    for (int l = 0; l < count; ++l, ++k) {
      const std::string out = "output_blocks." + std::to_string(k) + ".";
      r.push_back({out + "0.", block + "resnets." + std::to_string(l) + ".", Inner::UnetResnet});
      if (hasAttention(up[u])) r.push_back({out + "1.", block + "attentions." + std::to_string(l) + "."});
      if (l == count - 1 && u + 1 < n)
        r.push_back({out + (hasAttention(up[u]) ? "2." : "1.") + "conv.", block + "upsamplers.0.conv."});
    }
  }
  return r;
}

// LDM ResBlock → diffusers ResnetBlock2D.
std::string unetResnetInner(const std::string& rest) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"in_layers.0.", "norm1."},  {"in_layers.2.", "conv1."},  {"emb_layers.1.", "time_emb_proj."},
      {"out_layers.0.", "norm2."}, {"out_layers.3.", "conv2."}, {"skip_connection.", "conv_shortcut."}};
  for (const auto& [from, to] : kMap)
    if (startsWith(rest, from)) return to + rest.substr(std::string(from).size());
  return "";
}

std::string vaeAttentionInner(const std::string& rest) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"norm.", "group_norm."}, {"q.", "to_q."}, {"k.", "to_k."}, {"v.", "to_v."}, {"proj_out.", "to_out.0."}};
  for (const auto& [from, to] : kMap)
    if (startsWith(rest, from)) return to + rest.substr(std::string(from).size());
  return "";
}

std::string vaeResnetInner(const std::string& rest) {
  if (startsWith(rest, "nin_shortcut.")) return "conv_shortcut." + rest.substr(13);
  for (const char* p : {"norm1.", "conv1.", "norm2.", "conv2."})
    if (startsWith(rest, p)) return rest;
  return "";
}

}  // namespace

CheckpointFamily detectCheckpointFamily(const StateDict& file) {
  bool sd1 = false, sd2 = false, xl = false;
  for (const auto& [key, t] : file) {
    xl = xl || startsWith(key, "conditioner.embedders.");
    sd2 = sd2 || startsWith(key, "cond_stage_model.model.");
    sd1 = sd1 || startsWith(key, kLdmClipPrefix);
  }
  if (xl) return CheckpointFamily::StableDiffusionXL;
  if (sd2) return CheckpointFamily::StableDiffusion2;
  if (sd1) return CheckpointFamily::StableDiffusion1;
  return CheckpointFamily::Unknown;
}

const char* toString(CheckpointFamily f) {
  switch (f) {
    case CheckpointFamily::StableDiffusion1: return "Stable Diffusion 1.x";
    case CheckpointFamily::StableDiffusion2: return "Stable Diffusion 2.x";
    case CheckpointFamily::StableDiffusionXL: return "Stable Diffusion XL";
    default: return "unknown";
  }
}

namespace {

std::string mapWithRules(const std::string& key, const std::vector<Rule>& rules) {
  const Rule* best = nullptr;
  for (const auto& r : rules)
    if (startsWith(key, r.from) && (!best || r.from.size() > best->from.size())) best = &r;
  if (!best) return "";
  const std::string rest = key.substr(best->from.size());
  if (best->inner == Inner::Same) return best->to + rest;
  const std::string inner = unetResnetInner(rest);
  return inner.empty() ? "" : best->to + inner;
}

}  // namespace

std::string mapLdmUnetKey(const std::string& key, const nlohmann::json& unetConfig) {
  return mapWithRules(key, unetRules(unetConfig));
}

std::string mapLdmVaeKey(const std::string& key, const nlohmann::json& vaeConfig) {
  const auto channels = intList(vaeConfig, "block_out_channels", {64});
  const int n = static_cast<int>(channels.size());
  const auto p = split(key);
  if (p.size() < 2) return "";
  if (p[0] == "quant_conv" || p[0] == "post_quant_conv") return key;
  if (p[0] != "encoder" && p[0] != "decoder") return "";
  const std::string& coder = p[0];
  if (p[1] == "conv_in" || p[1] == "conv_out") return key;
  if (p[1] == "norm_out") return coder + ".conv_norm_out." + join(p, 2);
  if (p[1] == "mid" && p.size() > 3) {
    const std::string rest = join(p, 3);
    std::string inner;
    if (p[2] == "block_1" || p[2] == "block_2") {
      inner = vaeResnetInner(rest);
      return inner.empty() ? "" : coder + ".mid_block.resnets." + (p[2] == "block_1" ? "0." : "1.") + inner;
    }
    if (p[2] == "attn_1") {
      inner = vaeAttentionInner(rest);
      return inner.empty() ? "" : coder + ".mid_block.attentions.0." + inner;
    }
    return "";
  }
  const bool enc = coder == "encoder";
  if ((enc ? p[1] == "down" : p[1] == "up") && p.size() > 4 && isIndex(p[2])) {
    const int i = std::stoi(p[2]);
    if (i >= n) return "";
    const std::string block = coder + (enc ? ".down_blocks." : ".up_blocks.") + std::to_string(enc ? i : n - 1 - i) + ".";
    if (p[3] == "block" && isIndex(p[4]) && p.size() > 5) {
      const std::string inner = vaeResnetInner(join(p, 5));
      return inner.empty() ? "" : block + "resnets." + p[4] + "." + inner;
    }
    if (p[3] == (enc ? "downsample" : "upsample") && p[4] == "conv")
      return block + (enc ? "downsamplers.0.conv." : "upsamplers.0.conv.") + join(p, 5);
  }
  return "";
}

std::string mapLdmClipKey(const std::string& key) {
  return startsWith(key, "text_model.") ? key : "text_model." + key;
}

SingleFileStateDicts convertLdmCheckpoint(const StateDict& file, const nlohmann::json& unetConfig,
                                          const nlohmann::json& vaeConfig) {
  SingleFileStateDicts out;
  const auto rules = unetRules(unetConfig);
  for (const auto& [key, t] : file) {
    if (startsWith(key, kLdmUnetPrefix)) {
      const std::string mapped = mapWithRules(key.substr(std::string(kLdmUnetPrefix).size()), rules);
      out.unet.emplace(mapped.empty() ? key : mapped, t);
    } else if (startsWith(key, kLdmVaePrefix)) {
      const std::string mapped = mapLdmVaeKey(key.substr(std::string(kLdmVaePrefix).size()), vaeConfig);
      torch::Tensor v = t;
      // The attention's 1×1 convolutions become linear layers.
      if (!mapped.empty() && mapped.find(".attentions.0.to_") != std::string::npos && t.dim() == 4)
        v = t.view({t.size(0), t.size(1)});
      out.vae.emplace(mapped.empty() ? key : mapped, v);
    } else if (startsWith(key, kLdmClipPrefix)) {
      out.textEncoder.emplace(mapLdmClipKey(key.substr(std::string(kLdmClipPrefix).size())), t);
    } else {
      out.ignored.push_back(key);
    }
  }
  return out;
}

}  // namespace latentshop
