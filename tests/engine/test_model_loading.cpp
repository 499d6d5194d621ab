// LATENTSHOP_TEST_LABELS: io;golden
// LATENTSHOP_TEST_EXTRA_SOURCES: engine/sd_checkpoint_layout.cpp
// Loading whole SD 1.x models: diffusers folders built from the golden tiny models (plain files,
// fp16 variants, shards), single-file checkpoints in the original layout (round trip against the
// folder load), the full SD 1.5 layouts (plain / inpainting / instruct UNet, VAE, text encoder) in
// both formats, the cache and the job, and every fault with its own message.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "sd_checkpoint_layout.h"
#include "support/error_text.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/safetensors.h"
#include "engine/io/sd15_reference_configs.h"
#include "engine/models/stable_diffusion_loader.h"
#include "engine/runtime/job.h"
#include "engine/runtime/model_cache.h"

using namespace latentshop;
using lstest::errorOf;
namespace fs = std::filesystem;

namespace {

nlohmann::json goldenConfig(const std::string& name) {
  std::ifstream in(lstest::goldenPath(name + ".config.json"));
  return nlohmann::json::parse(in);
}

std::vector<std::pair<std::string, torch::Tensor>> goldenWeights(const std::string& name, c10::ScalarType dtype) {
  const SafetensorsFile f(lstest::goldenPath(name + ".weights.safetensors"));
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& n : f.names()) out.emplace_back(n, f.load(n, dtype));
  return out;
}

void writeJson(const fs::path& p, const nlohmann::json& j) { std::ofstream(p) << j.dump(2); }

// A diffusers folder of the golden tiny models (UNet `unetCase`, vae_tiny, clip_text_tiny).
std::string makeFolder(const std::string& name, const std::string& unetCase = "unet_inpaint_tiny") {
  const fs::path root = fs::path(lstest::scratchDir()) / name;
  fs::remove_all(root);
  for (const char* d : {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) fs::create_directories(root / d);
  writeJson(root / "model_index.json", {{"_class_name", "StableDiffusionInpaintPipeline"},
                                        {"_diffusers_version", "0.26.3"},
                                        {"unet", {"diffusers", "UNet2DConditionModel"}},
                                        {"vae", {"diffusers", "AutoencoderKL"}},
                                        {"text_encoder", {"transformers", "CLIPTextModel"}},
                                        {"tokenizer", {"transformers", "CLIPTokenizer"}},
                                        {"scheduler", {"diffusers", "PNDMScheduler"}},
                                        {"safety_checker", {nullptr, nullptr}}});
  writeJson(root / "unet/config.json", goldenConfig(unetCase));
  fs::copy_file(lstest::goldenPath(unetCase + ".weights.safetensors"), root / "unet/diffusion_pytorch_model.safetensors");
  writeJson(root / "vae/config.json", goldenConfig("vae_tiny"));
  fs::copy_file(lstest::goldenPath("vae_tiny.weights.safetensors"), root / "vae/diffusion_pytorch_model.safetensors");
  writeJson(root / "text_encoder/config.json", goldenConfig("clip_text_tiny"));
  fs::copy_file(lstest::goldenPath("clip_text_tiny.weights.safetensors"), root / "text_encoder/model.safetensors");
  const auto vocab = ClipVocabulary::fromOpenAiBpe(lstest::clipVocabPath());
  nlohmann::json v = nlohmann::json::object();
  for (const auto& [token, id] : vocab.encoder) v[token] = id;
  writeJson(root / "tokenizer/vocab.json", v);
  std::ofstream merges(root / "tokenizer/merges.txt");
  merges << "#version: 0.2\n";
  for (const auto& [a, b] : vocab.merges) merges << a << ' ' << b << '\n';
  merges.close();
  writeJson(root / "tokenizer/tokenizer_config.json", sd15::tokenizerConfig());
  writeJson(root / "scheduler/scheduler_config.json", sd15::schedulerConfig());
  return root.string();
}

// Every parameter of `module` equals the tensor of the same name in `expected` (converted to its dtype).
std::string sameParameters(const torch::nn::Module& module, const std::vector<std::pair<std::string, torch::Tensor>>& expected) {
  std::map<std::string, torch::Tensor> byName(expected.begin(), expected.end());
  for (const auto& p : module.named_parameters()) {
    auto it = byName.find(p.key());
    if (it == byName.end()) return "no expected tensor for " + p.key();
    if (!torch::equal(p.value().cpu(), it->second.to(p.value().scalar_type()))) return "values differ: " + p.key();
  }
  return "";
}

bool sameModule(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters())
    if (!pb.contains(p.key()) || !torch::equal(p.value(), pb[p.key()])) return false;
  return a.named_parameters().size() == pb.size();
}

bool has(const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; }

ModelLoadOptions cpu(c10::ScalarType dtype = c10::kFloat) {
  ModelLoadOptions o;
  o.dtype = dtype;
  return o;
}

}  // namespace

class TestModelLoading : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void loadsDiffusersFolder();
  void fp16VariantsAndShards();
  void bfloat16();
  void oldVaeAttentionNames();
  void singleFileRoundTrip();
  void faultsInFolders();
  void faultsInSingleFiles();
  void sd15LayoutsBindEveryKey();
  void cacheAndJob();
};

void TestModelLoading::initTestCase() { configureTorchThreads(); }

void TestModelLoading::loadsDiffusersFolder() {
  const auto root = makeFolder("sd_tiny");
  int steps = 0;
  const auto model = loadStableDiffusion(root, cpu(), [&](const std::string&, int done, int total) {
    QCOMPARE(total, 4);
    steps = done;
  });
  QCOMPARE(steps, 4);
  QCOMPARE(model->format, std::string("diffusers"));
  QCOMPARE(model->unetKind, UnetKind::Inpainting);
  QVERIFY(!model->fp16Weights);
  QCOMPARE(model->weightFiles.size(), std::size_t(3));
  QCOMPARE(model->schedulerConfig.value("beta_start", 0.0), 0.00085);
  QCOMPARE(model->tokenizer->encode("a photo of a cat").inputIds[1], std::int64_t(320));
  auto diff = sameParameters(*model->unet, goldenWeights("unet_inpaint_tiny", torch::kFloat));
  QVERIFY2(diff.empty(), diff.c_str());
  diff = sameParameters(*model->vae, goldenWeights("vae_tiny", torch::kFloat));
  QVERIFY2(diff.empty(), diff.c_str());
  // The text encoder computes the golden outputs.
  torch::InferenceMode inference;
  const SafetensorsFile io(lstest::goldenPath("clip_text_tiny.io.safetensors"));
  const auto out = model->textEncoder->forward(io.load("in.input_ids", torch::kLong));
  const auto c = lstest::allClose(out.lastHiddenState, io.load("out.last_hidden_state", torch::kFloat), 1e-4);
  QVERIFY2(c.ok, c.message.c_str());
}

void TestModelLoading::fp16VariantsAndShards() {
  const auto root = fs::path(makeFolder("sd_variants", "unet_ip2p_tiny"));
  // Text encoder: only the fp16 variant.
  fs::remove(root / "text_encoder/model.safetensors");
  const auto clipHalf = goldenWeights("clip_text_tiny", torch::kHalf);
  writeSafetensors((root / "text_encoder/model.fp16.safetensors").string(), clipHalf);
  // UNet: sharded in two files with an index.
  const auto unet = goldenWeights("unet_ip2p_tiny", torch::kFloat);
  fs::remove(root / "unet/diffusion_pytorch_model.safetensors");
  const std::size_t half = unet.size() / 2;
  nlohmann::json map = nlohmann::json::object();
  std::vector<std::pair<std::string, torch::Tensor>> a(unet.begin(), unet.begin() + half), b(unet.begin() + half, unet.end());
  writeSafetensors((root / "unet/diffusion_pytorch_model-00001-of-00002.safetensors").string(), a);
  writeSafetensors((root / "unet/diffusion_pytorch_model-00002-of-00002.safetensors").string(), b);
  for (const auto& [n, t] : a) map[n] = "diffusion_pytorch_model-00001-of-00002.safetensors";
  for (const auto& [n, t] : b) map[n] = "diffusion_pytorch_model-00002-of-00002.safetensors";
  writeJson(root / "unet/diffusion_pytorch_model.safetensors.index.json", {{"weight_map", map}});
  // VAE: both files; the fp16 one is read only when asked.
  writeSafetensors((root / "vae/diffusion_pytorch_model.fp16.safetensors").string(), goldenWeights("vae_tiny", torch::kHalf));

  auto model = loadStableDiffusion(root.string(), cpu());
  QVERIFY(model->fp16Weights);  // the text encoder's only file
  QCOMPARE(model->unetKind, UnetKind::Instruct);
  QCOMPARE(model->weightFiles.size(), std::size_t(4));
  auto diff = sameParameters(*model->textEncoder, clipHalf);
  QVERIFY2(diff.empty(), diff.c_str());
  diff = sameParameters(*model->unet, unet);
  QVERIFY2(diff.empty(), diff.c_str());
  diff = sameParameters(*model->vae, goldenWeights("vae_tiny", torch::kFloat));
  QVERIFY2(diff.empty(), diff.c_str());
  auto o = cpu();
  o.preferFp16Weights = true;
  model = loadStableDiffusion(root.string(), o);
  diff = sameParameters(*model->vae, goldenWeights("vae_tiny", torch::kHalf));
  QVERIFY2(diff.empty(), diff.c_str());
}

void TestModelLoading::bfloat16() {
  const auto model = loadStableDiffusion(makeFolder("sd_bf16"), cpu(torch::kBFloat16));
  for (const torch::nn::Module* m : {static_cast<torch::nn::Module*>(model->unet.get()),
                                     static_cast<torch::nn::Module*>(model->vae.get()),
                                     static_cast<torch::nn::Module*>(model->textEncoder.get())})
    for (const auto& p : m->parameters()) QVERIFY(p.scalar_type() == torch::kBFloat16);
  QVERIFY(model->parameterBytes() > 0);
  auto diff = sameParameters(*model->unet, goldenWeights("unet_inpaint_tiny", torch::kFloat));
  QVERIFY2(diff.empty(), diff.c_str());
}

void TestModelLoading::oldVaeAttentionNames() {
  // Early diffusers VAEs name the mid-block attention query/key/value/proj_attn.
  const fs::path root = makeFolder("sd_old_vae");
  std::vector<std::pair<std::string, torch::Tensor>> old;
  for (auto [name, t] : goldenWeights("vae_tiny", torch::kFloat)) {
    for (const auto& [from, to] : {std::pair<std::string, std::string>{".to_q.", ".query."}, {".to_k.", ".key."},
                                   {".to_v.", ".value."}, {".to_out.0.", ".proj_attn."}})
      if (auto at = name.find(from); at != std::string::npos) name.replace(at, from.size(), to);
    old.emplace_back(name, t);
  }
  writeSafetensors((root / "vae/diffusion_pytorch_model.safetensors").string(), old);
  const auto model = loadStableDiffusion(root.string(), cpu());
  const auto diff = sameParameters(*model->vae, goldenWeights("vae_tiny", torch::kFloat));
  QVERIFY2(diff.empty(), diff.c_str());
}

void TestModelLoading::singleFileRoundTrip() {
  for (const char* unetCase : {"unet_inpaint_tiny", "unet_ip2p_tiny", "unet_sd15_shaped_tiny"}) {
    const auto folder = makeFolder(std::string("round_trip_") + unetCase, unetCase);
    const auto fromFolder = loadStableDiffusion(folder, cpu());
    // Rewrite the same weights under their original (CompVis) names in one file.
    std::vector<std::pair<std::string, torch::Tensor>> file;
    const auto add = [&](const std::vector<lstest::LayoutEntry>& layout, const std::string& golden) {
      const SafetensorsFile f(lstest::goldenPath(golden + ".weights.safetensors"));
      for (const auto& e : layout) file.emplace_back(e.ldm, f.load(e.diffusers, torch::kFloat).reshape(e.ldmShape));
    };
    add(lstest::unetLayout(goldenConfig(unetCase)), unetCase);
    add(lstest::vaeLayout(goldenConfig("vae_tiny")), "vae_tiny");
    add(lstest::clipTextLayout(goldenConfig("clip_text_tiny"), false), "clip_text_tiny");
    file.emplace_back("cond_stage_model.transformer.text_model.embeddings.position_ids", torch::arange(77).unsqueeze(0));
    file.emplace_back("model_ema.num_updates", torch::zeros({}, torch::kLong));
    const std::string path = lstest::scratchDir() + "/" + unetCase + ".safetensors";
    writeSafetensors(path, file);

    auto o = cpu();
    auto unetConfig = goldenConfig(unetCase);
    unetConfig["in_channels"] = 4;  // must be taken from the weights
    o.singleFileUnetConfig = unetConfig;
    o.singleFileVaeConfig = goldenConfig("vae_tiny");
    o.singleFileTextEncoderConfig = goldenConfig("clip_text_tiny");
    o.clipVocab = lstest::clipVocabPath();
    const auto single = loadStableDiffusion(path, o);
    QCOMPARE(single->format, std::string("single-file"));
    QCOMPARE(single->unetKind, fromFolder->unetKind);
    QVERIFY2(sameModule(*single->unet, *fromFolder->unet), unetCase);
    QVERIFY(sameModule(*single->vae, *fromFolder->vae));
    QVERIFY(sameModule(*single->textEncoder, *fromFolder->textEncoder));
    QCOMPARE(single->schedulerConfig.value("_class_name", ""), std::string("PNDMScheduler"));
  }
}

void TestModelLoading::faultsInFolders() {
  const fs::path root = makeFolder("sd_faults");
  const std::string unetFile = (root / "unet/diffusion_pytorch_model.safetensors").string();
  auto weights = goldenWeights("unet_inpaint_tiny", torch::kFloat);
  // Missing key.
  auto fewer = weights;
  fewer.erase(std::find_if(fewer.begin(), fewer.end(), [](const auto& p) { return p.first == "conv_in.bias"; }));
  writeSafetensors(unetFile, fewer);
  auto msg = errorOf([&] { loadStableDiffusion(root.string(), cpu()); });
  QVERIFY2(has(msg, "unet/diffusion_pytorch_model.safetensors: cannot load UNet2DConditionModel: 1 missing key: conv_in.bias"), msg.c_str());
  // Unexpected key.
  auto more = weights;
  more.emplace_back("extra.weight", torch::zeros({2}));
  writeSafetensors(unetFile, more);
  msg = errorOf([&] { loadStableDiffusion(root.string(), cpu()); });
  QVERIFY2(has(msg, "diffusion_pytorch_model.safetensors: cannot load UNet2DConditionModel: 1 unexpected key: extra.weight"), msg.c_str());
  // Shape mismatch: the config says 4 input channels, the weights have 9.
  writeSafetensors(unetFile, weights);
  auto config = goldenConfig("unet_inpaint_tiny");
  config["in_channels"] = 4;
  writeJson(root / "unet/config.json", config);
  msg = errorOf([&] { loadStableDiffusion(root.string(), cpu()); });
  QVERIFY2(has(msg, "1 shape mismatch: conv_in.weight: file [16, 9, 3, 3] vs model [16, 4, 3, 3]"), msg.c_str());
  writeJson(root / "unet/config.json", goldenConfig("unet_inpaint_tiny"));
  // Truncated weights.
  fs::resize_file(unetFile, fs::file_size(unetFile) - 100);
  msg = errorOf([&] { loadStableDiffusion(root.string(), cpu()); });
  QVERIFY2(has(msg, "unet/diffusion_pytorch_model.safetensors: ") && has(msg, "truncated"), msg.c_str());
  // Pickle weights.
  fs::remove(unetFile);
  std::ofstream((root / "unet/diffusion_pytorch_model.bin").string(), std::ios::binary) << "PK\x03\x04";
  msg = errorOf([&] { loadStableDiffusion(root.string(), cpu()); });
  QVERIFY2(has(msg, "unet/diffusion_pytorch_model.bin: is a pickle checkpoint") && has(msg, "safetensors"), msg.c_str());
  writeSafetensors(unetFile, weights);
  // Missing component folder, missing tokenizer files, tokenizer not listed.
  fs::rename(root / "vae", root / "vae_gone");
  msg = errorOf([&] { loadStableDiffusion(root.string(), cpu()); });
  QVERIFY2(has(msg, "sd_faults/vae: missing component folder"), msg.c_str());
  fs::rename(root / "vae_gone", root / "vae");
  fs::remove(root / "tokenizer/vocab.json");
  msg = errorOf([&] { loadStableDiffusion(root.string(), cpu()); });
  QVERIFY2(has(msg, "sd_faults/tokenizer: tokenizer folder has no vocab.json"), msg.c_str());
  auto index = nlohmann::json::parse(std::ifstream(root / "model_index.json"));
  index.erase("tokenizer");
  writeJson(root / "model_index.json", index);
  msg = errorOf([&] { loadStableDiffusion(root.string(), cpu()); });
  QVERIFY2(has(msg, "tokenizer: missing component: model_index.json lists no tokenizer"), msg.c_str());
  // Not a model at all.
  msg = errorOf([&] { loadStableDiffusion(lstest::scratchDir(), cpu()); });
  QVERIFY2(has(msg, "not a diffusers model folder (no model_index.json)"), msg.c_str());
}

void TestModelLoading::faultsInSingleFiles() {
  const std::string dir = lstest::scratchDir();
  std::ofstream(dir + "/model.ckpt", std::ios::binary) << "\x80\x02}q\x00.";
  auto msg = errorOf([&] { loadStableDiffusion(dir + "/model.ckpt", cpu()); });
  QVERIFY2(has(msg, "model.ckpt: is a pickle checkpoint") && has(msg, "Convert it to .safetensors"), msg.c_str());
  writeSafetensors(dir + "/sd2.safetensors", {{"cond_stage_model.model.ln_final.weight", torch::zeros({4})},
                                              {"model.diffusion_model.input_blocks.0.0.weight", torch::zeros({4, 4, 3, 3})}});
  msg = errorOf([&] { loadStableDiffusion(dir + "/sd2.safetensors", cpu()); });
  QVERIFY2(has(msg, "sd2.safetensors: is a Stable Diffusion 2.x checkpoint"), msg.c_str());
  writeSafetensors(dir + "/lora.safetensors", {{"lora_unet_down.alpha", torch::zeros({1})}});
  msg = errorOf([&] { loadStableDiffusion(dir + "/lora.safetensors", cpu()); });
  QVERIFY2(has(msg, "lora.safetensors: not a Stable Diffusion checkpoint"), msg.c_str());
  // A UNet-only file: the loader names what is missing.
  writeSafetensors(dir + "/unet_only.safetensors",
                   {{"model.diffusion_model.input_blocks.0.0.weight", torch::zeros({320, 4, 3, 3})},
                    {"cond_stage_model.transformer.text_model.final_layer_norm.weight", torch::zeros({768})}});
  auto o = cpu();
  o.clipVocab = lstest::clipVocabPath();
  msg = errorOf([&] { loadStableDiffusion(dir + "/unet_only.safetensors", o); });
  QVERIFY2(has(msg, "unet_only.safetensors: no vae weights (first_stage_model.* tensors)"), msg.c_str());
  // Without a vocabulary a single file cannot give a tokenizer.
  o.clipVocab.clear();
  o.vae = false;
  ::unsetenv("LATENTSHOP_CLIP_VOCAB");
  msg = errorOf([&] { loadStableDiffusion(dir + "/unet_only.safetensors", o); });
  QVERIFY2(has(msg, "single-file checkpoints carry no tokenizer") && has(msg, "LATENTSHOP_CLIP_VOCAB"), msg.c_str());
}

void TestModelLoading::sd15LayoutsBindEveryKey() {
  // Full-size SD 1.5 files, header only (sparse): every key and shape must match the networks.
  const auto unetLayoutFor = [](int64_t in) {
    auto c = sd15::unetConfig();
    c["in_channels"] = in;
    return std::make_pair(c, lstest::unetLayout(c));
  };
  for (const auto& [in, kind] : {std::make_pair(4, UnetKind::Plain), std::make_pair(9, UnetKind::Inpainting),
                                 std::make_pair(8, UnetKind::Instruct)}) {
    const auto [unetConfig, unet] = unetLayoutFor(in);
    const auto vae = lstest::vaeLayout(sd15::vaeConfig());
    const auto clip = lstest::clipTextLayout(sd15::textEncoderConfig(), true);
    // Single file, original names.
    std::vector<lstest::SparseTensor> single;
    for (const auto* layout : {&unet, &vae, &clip})
      for (const auto& e : *layout) single.push_back({e.ldm, e.dtype == c10::kLong ? c10::kLong : c10::kHalf, e.ldmShape});
    const std::string file = lstest::scratchDir() + "/sd15_" + std::to_string(in) + ".safetensors";
    lstest::writeSparseSafetensors(file, single);
    auto inspection = inspectStableDiffusion(file, cpu(torch::kHalf));
    QVERIFY2(inspection.ok(), inspection.describe().c_str());
    QCOMPARE(inspection.unetKind, kind);
    QCOMPARE(inspection.components.size(), std::size_t(3));
    // Diffusers folder, diffusers names, fp16 variant files as the Hub ships them.
    const fs::path root = fs::path(lstest::scratchDir()) / ("sd15_folder_" + std::to_string(in));
    fs::remove_all(root);
    for (const char* d : {"unet", "vae", "text_encoder", "scheduler"}) fs::create_directories(root / d);
    writeJson(root / "model_index.json", {{"unet", {"diffusers", "UNet2DConditionModel"}},
                                          {"vae", {"diffusers", "AutoencoderKL"}},
                                          {"text_encoder", {"transformers", "CLIPTextModel"}},
                                          {"scheduler", {"diffusers", "PNDMScheduler"}}});
    writeJson(root / "unet/config.json", unetConfig);
    writeJson(root / "vae/config.json", sd15::vaeConfig());
    writeJson(root / "text_encoder/config.json", sd15::textEncoderConfig());
    writeJson(root / "scheduler/scheduler_config.json", sd15::schedulerConfig());
    const auto write = [](const fs::path& p, const std::vector<lstest::LayoutEntry>& layout) {
      std::vector<lstest::SparseTensor> t;
      for (const auto& e : layout) t.push_back({e.diffusers, e.dtype == c10::kLong ? c10::kLong : c10::kHalf, e.diffusersShape});
      lstest::writeSparseSafetensors(p.string(), t);
    };
    write(root / "unet/diffusion_pytorch_model.fp16.safetensors", unet);
    write(root / "vae/diffusion_pytorch_model.fp16.safetensors", vae);
    write(root / "text_encoder/model.fp16.safetensors", clip);
    auto o = cpu(torch::kHalf);
    o.tokenizer = false;
    inspection = inspectStableDiffusion(root.string(), o);
    QVERIFY2(inspection.ok(), inspection.describe().c_str());
    QCOMPARE(inspection.unetKind, kind);
  }
  // A file missing one tensor is reported, not loaded.
  auto [cfg, unet] = unetLayoutFor(4);
  std::vector<lstest::SparseTensor> t;
  for (const auto& e : unet)
    if (e.ldm != "model.diffusion_model.out.2.bias") t.push_back({e.ldm, c10::kHalf, e.ldmShape});
  t.push_back({"cond_stage_model.transformer.text_model.final_layer_norm.weight", c10::kHalf, {768}});
  const std::string broken = lstest::scratchDir() + "/sd15_broken.safetensors";
  lstest::writeSparseSafetensors(broken, t);
  auto o = cpu(torch::kHalf);
  o.vae = o.textEncoder = false;
  const auto inspection = inspectStableDiffusion(broken, o);
  QVERIFY(!inspection.ok());
  QVERIFY2(has(inspection.describe(), "unet (" + broken + "): 1 missing key: conv_out.bias"), inspection.describe().c_str());
}

void TestModelLoading::cacheAndJob() {
  const auto root = makeFolder("sd_cached");
  ModelCache cache;
  const auto a = loadStableDiffusionCached(cache, root, cpu());
  const auto b = loadStableDiffusionCached(cache, root + "/", cpu());
  QVERIFY(a == b);
  QVERIFY(modelCacheKey(root, cpu()) != modelCacheKey(root, cpu(torch::kBFloat16)));
  // As a job: one progress step per component; cancel stops between components.
  CancelToken token;
  std::vector<int> steps;
  JobCallbacks callbacks;
  callbacks.onProgress = [&](JobId, const JobProgress& p) {
    QCOMPARE(p.stage, std::string("Loading model"));
    steps.push_back(p.step);
  };
  ModelCache jobCache;
  JobContext job(1, token, jobCache, callbacks);
  const auto c = loadStableDiffusion(job, root, cpu());
  QVERIFY(c && c->unet);
  QVERIFY(steps.size() >= 4 && steps.back() == 4);
  QVERIFY(loadStableDiffusion(job, root, cpu()) == c);  // cached now
  token.cancel();
  ModelCache other;
  JobContext cancelled(2, token, other, callbacks);
  bool threw = false;
  try {
    loadStableDiffusion(cancelled, root, cpu());
  } catch (const JobCancelled&) {
    threw = true;
  }
  QVERIFY(threw);
  QVERIFY(!other.contains("model", modelCacheKey(root, cpu())));
}

QTEST_GUILESS_MAIN(TestModelLoading)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_model_loading.moc"
#endif
