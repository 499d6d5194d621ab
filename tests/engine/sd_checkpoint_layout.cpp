#include "sd_checkpoint_layout.h"

#include <cstdio>
#include <stdexcept>
#include <unistd.h>

namespace lstest {

namespace {

using Shape = std::vector<int64_t>;

struct Writer {
  std::vector<LayoutEntry>& out;
  std::string ldmPrefix, dPrefix;
  // A tensor whose name is the same on both sides after the prefixes.
  void same(const std::string& ldm, const std::string& d, const std::string& leaf, Shape shape) {
    out.push_back({ldmPrefix + ldm + "." + leaf, dPrefix + d + "." + leaf, shape, shape});
  }
  void weightBias(const std::string& ldm, const std::string& d, Shape w, int64_t b) {
    same(ldm, d, "weight", w);
    same(ldm, d, "bias", {b});
  }
};

std::vector<int64_t> ints(const nlohmann::json& c, const char* key, std::vector<int64_t> fallback) {
  return c.contains(key) ? c[key].get<std::vector<int64_t>>() : fallback;
}

// LDM ResBlock ↔ diffusers ResnetBlock2D with a time embedding.
void unetResnet(Writer& w, const std::string& ldm, const std::string& d, int64_t cin, int64_t cout, int64_t temb) {
  w.weightBias(ldm + ".in_layers.0", d + ".norm1", {cin}, cin);
  w.weightBias(ldm + ".in_layers.2", d + ".conv1", {cout, cin, 3, 3}, cout);
  w.weightBias(ldm + ".emb_layers.1", d + ".time_emb_proj", {cout, temb}, cout);
  w.weightBias(ldm + ".out_layers.0", d + ".norm2", {cout}, cout);
  w.weightBias(ldm + ".out_layers.3", d + ".conv2", {cout, cout, 3, 3}, cout);
  if (cin != cout) w.weightBias(ldm + ".skip_connection", d + ".conv_shortcut", {cout, cin, 1, 1}, cout);
}

// SpatialTransformer ↔ Transformer2DModel (one BasicTransformerBlock, 1×1-conv projections): same names.
void unetTransformer(Writer& w, const std::string& ldm, const std::string& d, int64_t c, int64_t context) {
  const auto both = [&](const std::string& leaf, Shape s) { w.same(ldm, d, leaf, s); };
  both("norm.weight", {c});
  both("norm.bias", {c});
  both("proj_in.weight", {c, c, 1, 1});
  both("proj_in.bias", {c});
  const std::string b = "transformer_blocks.0.";
  for (const char* attn : {"attn1", "attn2"}) {
    const int64_t kv = std::string(attn) == "attn1" ? c : context;
    both(b + attn + ".to_q.weight", {c, c});
    both(b + attn + ".to_k.weight", {c, kv});
    both(b + attn + ".to_v.weight", {c, kv});
    both(b + attn + ".to_out.0.weight", {c, c});
    both(b + attn + ".to_out.0.bias", {c});
  }
  both(b + "ff.net.0.proj.weight", {8 * c, c});
  both(b + "ff.net.0.proj.bias", {8 * c});
  both(b + "ff.net.2.weight", {c, 4 * c});
  both(b + "ff.net.2.bias", {c});
  for (const char* n : {"norm1", "norm2", "norm3"}) {
    both(b + n + ".weight", {c});
    both(b + n + ".bias", {c});
  }
  both("proj_out.weight", {c, c, 1, 1});
  both("proj_out.bias", {c});
}

void vaeResnet(Writer& w, const std::string& ldm, const std::string& d, int64_t cin, int64_t cout) {
  w.weightBias(ldm + ".norm1", d + ".norm1", {cin}, cin);
  w.weightBias(ldm + ".conv1", d + ".conv1", {cout, cin, 3, 3}, cout);
  w.weightBias(ldm + ".norm2", d + ".norm2", {cout}, cout);
  w.weightBias(ldm + ".conv2", d + ".conv2", {cout, cout, 3, 3}, cout);
  if (cin != cout) w.weightBias(ldm + ".nin_shortcut", d + ".conv_shortcut", {cout, cin, 1, 1}, cout);
}

void vaeMid(Writer& w, const std::string& ldm, const std::string& d, int64_t c) {
  vaeResnet(w, ldm + ".block_1", d + ".resnets.0", c, c);
  w.weightBias(ldm + ".attn_1.norm", d + ".attentions.0.group_norm", {c}, c);
  const std::pair<const char*, const char*> proj[] = {{"q", "to_q"}, {"k", "to_k"}, {"v", "to_v"}, {"proj_out", "to_out.0"}};
  for (const auto& [l, dn] : proj) {
    w.out.push_back({w.ldmPrefix + ldm + ".attn_1." + l + ".weight", w.dPrefix + d + ".attentions.0." + dn + ".weight",
                     {c, c, 1, 1}, {c, c}});
    w.same(ldm + ".attn_1." + l, d + ".attentions.0." + dn, "bias", {c});
  }
  vaeResnet(w, ldm + ".block_2", d + ".resnets.1", c, c);
}

}  // namespace

std::vector<LayoutEntry> unetLayout(const nlohmann::json& c) {
  std::vector<LayoutEntry> out;
  Writer w{out, "model.diffusion_model.", ""};
  const auto ch = ints(c, "block_out_channels", {320, 640, 1280, 1280});
  const std::size_t n = ch.size();
  const int64_t layers = c.value("layers_per_block", int64_t{2});
  const int64_t in = c.value("in_channels", int64_t{4}), outCh = c.value("out_channels", int64_t{4});
  const int64_t context = c.value("cross_attention_dim", int64_t{1280});
  const auto down = c["down_block_types"].get<std::vector<std::string>>();
  const auto up = c["up_block_types"].get<std::vector<std::string>>();
  const auto attn = [](const std::string& t) { return t.find("CrossAttn") != std::string::npos; };
  const int64_t temb = 4 * ch[0];
  w.weightBias("time_embed.0", "time_embedding.linear_1", {temb, ch[0]}, temb);
  w.weightBias("time_embed.2", "time_embedding.linear_2", {temb, temb}, temb);
  w.weightBias("input_blocks.0.0", "conv_in", {ch[0], in, 3, 3}, ch[0]);
  std::vector<int64_t> skips = {ch[0]};
  int64_t cur = ch[0];
  int k = 1;
  for (std::size_t b = 0; b < n; ++b) {
    for (int64_t l = 0; l < layers; ++l, ++k) {
      const std::string ib = "input_blocks." + std::to_string(k), db = "down_blocks." + std::to_string(b);
      unetResnet(w, ib + ".0", db + ".resnets." + std::to_string(l), cur, ch[b], temb);
      cur = ch[b];
      if (attn(down[b])) unetTransformer(w, ib + ".1", db + ".attentions." + std::to_string(l), cur, context);
      skips.push_back(cur);
    }
    if (b + 1 < n) {
      w.weightBias("input_blocks." + std::to_string(k) + ".0.op", "down_blocks." + std::to_string(b) + ".downsamplers.0.conv",
                   {cur, cur, 3, 3}, cur);
      skips.push_back(cur);
      ++k;
    }
  }
  unetResnet(w, "middle_block.0", "mid_block.resnets.0", cur, cur, temb);
  unetTransformer(w, "middle_block.1", "mid_block.attentions.0", cur, context);
  unetResnet(w, "middle_block.2", "mid_block.resnets.1", cur, cur, temb);
  k = 0;
  for (std::size_t u = 0; u < n; ++u) {
    const int64_t target = ch[n - 1 - u];
    for (int64_t l = 0; l <= layers; ++l, ++k) {
      const std::string ob = "output_blocks." + std::to_string(k), ub = "up_blocks." + std::to_string(u);
      const int64_t skip = skips.back();
      skips.pop_back();
      unetResnet(w, ob + ".0", ub + ".resnets." + std::to_string(l), cur + skip, target, temb);
      cur = target;
      if (attn(up[u])) unetTransformer(w, ob + ".1", ub + ".attentions." + std::to_string(l), cur, context);
      if (l == layers && u + 1 < n)
        w.weightBias(ob + (attn(up[u]) ? ".2" : ".1") + ".conv", ub + ".upsamplers.0.conv", {cur, cur, 3, 3}, cur);
    }
  }
  w.weightBias("out.0", "conv_norm_out", {ch[0]}, ch[0]);
  w.weightBias("out.2", "conv_out", {outCh, ch[0], 3, 3}, outCh);
  return out;
}

std::vector<LayoutEntry> vaeLayout(const nlohmann::json& c) {
  std::vector<LayoutEntry> out;
  Writer w{out, "first_stage_model.", ""};
  const auto ch = ints(c, "block_out_channels", {64});
  const int n = static_cast<int>(ch.size());
  const int64_t layers = c.value("layers_per_block", int64_t{1});
  const int64_t z = c.value("latent_channels", int64_t{4});
  const int64_t in = c.value("in_channels", int64_t{3}), outCh = c.value("out_channels", int64_t{3});
  w.weightBias("encoder.conv_in", "encoder.conv_in", {ch[0], in, 3, 3}, ch[0]);
  int64_t cur = ch[0];
  for (int i = 0; i < n; ++i) {
    const std::string e = "encoder.down." + std::to_string(i), d = "encoder.down_blocks." + std::to_string(i);
    for (int64_t j = 0; j < layers; ++j) {
      vaeResnet(w, e + ".block." + std::to_string(j), d + ".resnets." + std::to_string(j), cur, ch[i]);
      cur = ch[i];
    }
    if (i + 1 < n) w.weightBias(e + ".downsample.conv", d + ".downsamplers.0.conv", {cur, cur, 3, 3}, cur);
  }
  vaeMid(w, "encoder.mid", "encoder.mid_block", cur);
  w.weightBias("encoder.norm_out", "encoder.conv_norm_out", {cur}, cur);
  w.weightBias("encoder.conv_out", "encoder.conv_out", {2 * z, cur, 3, 3}, 2 * z);
  w.weightBias("quant_conv", "quant_conv", {2 * z, 2 * z, 1, 1}, 2 * z);
  w.weightBias("post_quant_conv", "post_quant_conv", {z, z, 1, 1}, z);
  cur = ch[n - 1];
  w.weightBias("decoder.conv_in", "decoder.conv_in", {cur, z, 3, 3}, cur);
  vaeMid(w, "decoder.mid", "decoder.mid_block", cur);
  for (int i = n - 1; i >= 0; --i) {
    const std::string l = "decoder.up." + std::to_string(i), d = "decoder.up_blocks." + std::to_string(n - 1 - i);
    for (int64_t j = 0; j <= layers; ++j) {
      vaeResnet(w, l + ".block." + std::to_string(j), d + ".resnets." + std::to_string(j), cur, ch[i]);
      cur = ch[i];
    }
    if (i > 0) w.weightBias(l + ".upsample.conv", d + ".upsamplers.0.conv", {cur, cur, 3, 3}, cur);
  }
  w.weightBias("decoder.norm_out", "decoder.conv_norm_out", {cur}, cur);
  w.weightBias("decoder.conv_out", "decoder.conv_out", {outCh, cur, 3, 3}, outCh);
  return out;
}

std::vector<LayoutEntry> clipTextLayout(const nlohmann::json& c, bool withPositionIds) {
  std::vector<LayoutEntry> out;
  Writer w{out, "cond_stage_model.transformer.text_model.", "text_model."};
  const int64_t h = c.value("hidden_size", int64_t{512}), inter = c.value("intermediate_size", int64_t{2048});
  const int64_t vocab = c.value("vocab_size", int64_t{49408}), pos = c.value("max_position_embeddings", int64_t{77});
  const int64_t layers = c.value("num_hidden_layers", int64_t{12});
  w.same("embeddings.token_embedding", "embeddings.token_embedding", "weight", {vocab, h});
  w.same("embeddings.position_embedding", "embeddings.position_embedding", "weight", {pos, h});
  if (withPositionIds) {
    w.same("embeddings", "embeddings", "position_ids", {1, pos});
    out.back().dtype = c10::kLong;
  }
  for (int64_t i = 0; i < layers; ++i) {
    const std::string l = "encoder.layers." + std::to_string(i);
    for (const char* p : {"k_proj", "v_proj", "q_proj", "out_proj"})
      w.weightBias(l + ".self_attn." + p, l + ".self_attn." + p, {h, h}, h);
    w.weightBias(l + ".layer_norm1", l + ".layer_norm1", {h}, h);
    w.weightBias(l + ".mlp.fc1", l + ".mlp.fc1", {inter, h}, inter);
    w.weightBias(l + ".mlp.fc2", l + ".mlp.fc2", {h, inter}, h);
    w.weightBias(l + ".layer_norm2", l + ".layer_norm2", {h}, h);
  }
  w.weightBias("final_layer_norm", "final_layer_norm", {h}, h);
  return out;
}

void writeSparseSafetensors(const std::string& path, const std::vector<SparseTensor>& tensors) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  std::uint64_t offset = 0;
  for (const auto& t : tensors) {
    std::uint64_t bytes = c10::elementSize(t.dtype);
    for (auto d : t.shape) bytes *= static_cast<std::uint64_t>(d);
    const char* dt = t.dtype == c10::kHalf ? "F16" : t.dtype == c10::kLong ? "I64" : t.dtype == c10::kBFloat16 ? "BF16" : "F32";
    header[t.name] = {{"dtype", dt}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  std::uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>((text.size() >> (8 * i)) & 0xff);
  bool ok = std::fwrite(len, 1, 8, f) == 8 && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fflush(f) == 0 && ok;
  ok = ::ftruncate(::fileno(f), static_cast<off_t>(8 + text.size() + offset)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) throw std::runtime_error("cannot write " + path);
}

}  // namespace lstest
