// LATENTSHOP_TEST_LABELS: io;golden
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_checkpoint_layout.cpp
// Single-file (CompVis layout) checkpoints: the key mapping against an independent description of
// the layout (sd_checkpoint_layout.h, whose diffusers side is checked against the golden diffusers
// files here), the full SD 1.5 layout binding with every key and shape, family detection.
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "sd_checkpoint_layout.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/threads.h"
#include "engine/io/checkpoint_key_mapping.h"
#include "engine/io/model_files.h"
#include "engine/io/safetensors.h"
#include "engine/io/sd15_reference_configs.h"
#include "engine/models/clip_text_model.h"

using namespace latentshop;

namespace {

nlohmann::json goldenConfig(const std::string& name) {
  std::ifstream in(lstest::goldenPath(name + ".config.json"));
  return nlohmann::json::parse(in);
}

// The layout's diffusers names and shapes equal a diffusers-written state dict exactly.
std::string compareWithGolden(const std::vector<lstest::LayoutEntry>& layout, const std::string& weights) {
  const SafetensorsFile f(lstest::goldenPath(weights));
  std::set<std::string> names(f.names().begin(), f.names().end());
  for (const auto& e : layout) {
    if (!names.erase(e.diffusers)) return weights + ": no tensor " + e.diffusers;
    if (f.entry(e.diffusers).shape != e.diffusersShape) return weights + ": shape of " + e.diffusers;
  }
  return names.empty() ? "" : weights + ": layout lacks " + *names.begin();
}

// A full-size SD 1.x single file (header only), optionally with the UNet's in_channels changed.
std::string writeSd15SingleFile(const std::string& name, int64_t inChannels) {
  auto unet = sd15::unetConfig();
  unet["in_channels"] = inChannels;
  const std::vector<std::vector<lstest::LayoutEntry>> layouts = {
      lstest::unetLayout(unet), lstest::vaeLayout(sd15::vaeConfig()), lstest::clipTextLayout(sd15::textEncoderConfig(), true)};
  std::vector<lstest::SparseTensor> tensors;
  for (const auto& layout : layouts)
    for (const auto& e : layout) tensors.push_back({e.ldm, e.dtype == c10::kLong ? c10::kLong : c10::kHalf, e.ldmShape});
  // What real checkpoints carry besides the three networks.
  tensors.push_back({"alphas_cumprod", c10::kFloat, {1000}});
  tensors.push_back({"model_ema.decay", c10::kFloat, {}});
  const std::string path = lstest::scratchDir() + "/" + name;
  lstest::writeSparseSafetensors(path, tensors);
  return path;
}

}  // namespace

class TestCheckpoint : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void layoutMatchesDiffusersFiles();
  void mappingMatchesLayout();
  void sd15SingleFileSplits();
  void sd15TextEncoderBindsEveryKey();
  void familyDetection();

private:
  std::vector<lstest::LayoutEntry> sd15Unet_, sd15Vae_, sd15Clip_;
};

void TestCheckpoint::initTestCase() {
  configureTorchThreads();
  sd15Unet_ = lstest::unetLayout(sd15::unetConfig());
  sd15Vae_ = lstest::vaeLayout(sd15::vaeConfig());
  sd15Clip_ = lstest::clipTextLayout(sd15::textEncoderConfig(), true);
  // SD 1.5's v1-5-pruned: 686 UNet, 248 VAE and 196 + position_ids text encoder tensors.
  QCOMPARE(sd15Unet_.size(), std::size_t(686));
  QCOMPARE(sd15Vae_.size(), std::size_t(248));
  QCOMPARE(sd15Clip_.size(), std::size_t(197));
}

void TestCheckpoint::layoutMatchesDiffusersFiles() {
  for (const char* unet : {"unet_tiny", "unet_sd15_shaped_tiny", "unet_inpaint_tiny", "unet_ip2p_tiny"}) {
    const auto diff = compareWithGolden(lstest::unetLayout(goldenConfig(unet)), std::string(unet) + ".weights.safetensors");
    QVERIFY2(diff.empty(), diff.c_str());
  }
  auto diff = compareWithGolden(lstest::vaeLayout(goldenConfig("vae_tiny")), "vae_tiny.weights.safetensors");
  QVERIFY2(diff.empty(), diff.c_str());
  diff = compareWithGolden(lstest::clipTextLayout(goldenConfig("clip_text_tiny"), false), "clip_text_tiny.weights.safetensors");
  QVERIFY2(diff.empty(), diff.c_str());
}

void TestCheckpoint::mappingMatchesLayout() {
  const auto check = [](const std::vector<lstest::LayoutEntry>& layout, const auto& map, std::size_t prefix) -> std::string {
    for (const auto& e : layout) {
      const std::string got = map(e.ldm.substr(prefix));
      if (got != e.diffusers) return e.ldm + " → '" + got + "', expected " + e.diffusers;
    }
    return "";
  };
  const std::size_t unetPrefix = std::string(kLdmUnetPrefix).size(), vaePrefix = std::string(kLdmVaePrefix).size();
  for (const auto& cfg : {sd15::unetConfig(), goldenConfig("unet_tiny"), goldenConfig("unet_sd15_shaped_tiny")}) {
    const auto diff = check(lstest::unetLayout(cfg), [&](const std::string& k) { return mapLdmUnetKey(k, cfg); }, unetPrefix);
    QVERIFY2(diff.empty(), diff.c_str());
  }
  for (const auto& cfg : {sd15::vaeConfig(), goldenConfig("vae_tiny")}) {
    const auto diff = check(lstest::vaeLayout(cfg), [&](const std::string& k) { return mapLdmVaeKey(k, cfg); }, vaePrefix);
    QVERIFY2(diff.empty(), diff.c_str());
  }
  const auto diff = check(sd15Clip_, [](const std::string& k) { return mapLdmClipKey(k); }, std::string(kLdmClipPrefix).size());
  QVERIFY2(diff.empty(), diff.c_str());
  // Older files without the "text_model." level, and keys the table does not know.
  QCOMPARE(mapLdmClipKey("embeddings.token_embedding.weight"), std::string("text_model.embeddings.token_embedding.weight"));
  QCOMPARE(mapLdmUnetKey("input_blocks.1.0.mystery.weight", sd15::unetConfig()), std::string());
  QCOMPARE(mapLdmVaeKey("decoder.up.9.block.0.conv1.weight", sd15::vaeConfig()), std::string());
}

void TestCheckpoint::sd15SingleFileSplits() {
  const auto path = writeSd15SingleFile("sd15_layout.safetensors", 4);
  const auto set = WeightSet::openFile(path);
  QCOMPARE(detectCheckpointFamily(set.tensors()), CheckpointFamily::StableDiffusion1);
  const auto parts = convertLdmCheckpoint(set.tensors(), sd15::unetConfig(), sd15::vaeConfig());
  QCOMPARE(parts.unet.size(), std::size_t(686));
  QCOMPARE(parts.vae.size(), std::size_t(248));
  QCOMPARE(parts.textEncoder.size(), std::size_t(197));
  QCOMPARE(parts.ignored, (std::vector<std::string>{"alphas_cumprod", "model_ema.decay"}));
  // Every mapped tensor has the diffusers name and shape; the VAE's 1×1 convs became [C, C] views.
  for (const auto& [layout, dict] : {std::make_pair(&sd15Unet_, &parts.unet), std::make_pair(&sd15Vae_, &parts.vae)}) {
    for (const auto& e : *layout) {
      auto it = dict->find(e.diffusers);
      QVERIFY2(it != dict->end(), e.diffusers.c_str());
      QVERIFY2(it->second.sizes().vec() == e.diffusersShape, e.diffusers.c_str());
    }
  }
  QCOMPARE(parts.vae.at("decoder.mid_block.attentions.0.to_q.weight").sizes().vec(), (std::vector<int64_t>{512, 512}));
}

void TestCheckpoint::sd15TextEncoderBindsEveryKey() {
  const auto path = writeSd15SingleFile("sd15_clip.safetensors", 4);
  const auto set = WeightSet::openFile(path);
  const auto parts = convertLdmCheckpoint(set.tensors(), sd15::unetConfig(), sd15::vaeConfig());
  // Parameters are never touched: building the full-size model costs no memory.
  ClipTextModel model(ClipTextConfig::fromJson(sd15::textEncoderConfig(), "sd15"), torch::TensorOptions().dtype(torch::kHalf));
  BindOptions o;
  o.ignoreUnexpectedSuffixes = kClipTextIgnoredKeys;
  const auto report = checkStateDict(*model, parts.textEncoder, o);
  QVERIFY2(report.ok(), report.describe().c_str());
  QCOMPARE(model->named_parameters().size(), std::size_t(196));
}

void TestCheckpoint::familyDetection() {
  StateDict d = {{"model.diffusion_model.input_blocks.0.0.weight", torch::zeros({1})}};
  QCOMPARE(detectCheckpointFamily(d), CheckpointFamily::Unknown);
  d["cond_stage_model.transformer.text_model.final_layer_norm.weight"] = torch::zeros({1});
  QCOMPARE(detectCheckpointFamily(d), CheckpointFamily::StableDiffusion1);
  d["cond_stage_model.model.ln_final.weight"] = torch::zeros({1});
  QCOMPARE(detectCheckpointFamily(d), CheckpointFamily::StableDiffusion2);
  d["conditioner.embedders.0.transformer.text_model.final_layer_norm.weight"] = torch::zeros({1});
  QCOMPARE(detectCheckpointFamily(d), CheckpointFamily::StableDiffusionXL);
}

QTEST_GUILESS_MAIN(TestCheckpoint)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_checkpoint.moc"
#endif
