// LATENTSHOP_TEST_LABELS: io
// Finding and opening component weights: full and fp16 variants, sharded indexes, pickle refusal,
// diffusers folder structure errors — each with its own message naming the file or folder.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/error_text.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/diffusers_folder.h"
#include "engine/io/model_files.h"

using namespace latentshop;
using lstest::errorOf;
namespace fs = std::filesystem;

namespace {

std::string fresh(const std::string& name) {
  const std::string dir = lstest::scratchDir() + "/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void writeJson(const std::string& path, const nlohmann::json& j) { std::ofstream(path) << j.dump(2); }

std::vector<std::pair<std::string, torch::Tensor>> someTensors(c10::ScalarType dtype) {
  return {{"a.weight", torch::arange(6, torch::kFloat).view({2, 3}).to(dtype)},
          {"b.bias", torch::full({4}, 0.5).to(dtype)},
          {"c.weight", torch::ones({3, 1}).to(dtype)}};
}

// Runs `fn`, which must throw latentshop::Error; returns its message (empty when nothing was thrown).
bool has(const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; }

}  // namespace

class TestModelLoadingFiles : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void prefersFullThenFp16();
  void shardedIndex();
  void shardFaults();
  void refusesPickles();
  void missingWeightsAndFolders();
  void truncatedFile();
  void diffusersIndex();
};

void TestModelLoadingFiles::initTestCase() { configureTorchThreads(); }

void TestModelLoadingFiles::prefersFullThenFp16() {
  const auto dir = fresh("variants");
  writeSafetensors(dir + "/model.fp16.safetensors", someTensors(torch::kHalf));
  // Only the fp16 file: taken whatever the preference.
  auto w = locateWeights(dir, "model", false);
  QVERIFY(w.fp16Variant);
  QCOMPARE(fs::path(w.files.at(0)).filename().string(), std::string("model.fp16.safetensors"));
  writeSafetensors(dir + "/model.safetensors", someTensors(torch::kFloat));
  w = locateWeights(dir, "model", false);
  QVERIFY(!w.fp16Variant);
  QCOMPARE(fs::path(w.describe()).filename().string(), std::string("model.safetensors"));
  w = locateWeights(dir, "model", true);
  QVERIFY(w.fp16Variant);
  const auto set = WeightSet::open(w);
  QCOMPARE(set.tensors().size(), std::size_t(3));
  QVERIFY(set.tensors().at("a.weight").scalar_type() == torch::kHalf);
  QCOMPARE(set.bytes(), std::uint64_t((6 + 4 + 3) * 2));
}

void TestModelLoadingFiles::shardedIndex() {
  const auto dir = fresh("sharded");
  const auto t = someTensors(torch::kFloat);
  writeSafetensors(dir + "/diffusion_pytorch_model-00001-of-00002.safetensors", {t[0], t[1]});
  writeSafetensors(dir + "/diffusion_pytorch_model-00002-of-00002.safetensors", {t[2]});
  writeJson(dir + "/diffusion_pytorch_model.safetensors.index.json",
            {{"metadata", {{"total_size", 52}}},
             {"weight_map",
              {{"a.weight", "diffusion_pytorch_model-00001-of-00002.safetensors"},
               {"b.bias", "diffusion_pytorch_model-00001-of-00002.safetensors"},
               {"c.weight", "diffusion_pytorch_model-00002-of-00002.safetensors"}}}});
  const auto w = locateWeights(dir, kDiffusersWeightsName, false);
  QCOMPARE(w.files.size(), std::size_t(2));
  QVERIFY(has(w.describe(), "diffusion_pytorch_model.safetensors.index.json"));
  const auto set = WeightSet::open(w);
  QCOMPARE(set.tensors().size(), std::size_t(3));
  QVERIFY(torch::equal(set.tensors().at("c.weight"), t[2].second));
  // An fp16 sharded variant (diffusers names its index <base>.safetensors.index.fp16.json).
  writeSafetensors(dir + "/diffusion_pytorch_model.fp16-00001-of-00001.safetensors", someTensors(torch::kHalf));
  nlohmann::json map = nlohmann::json::object();
  for (const auto& [name, tensor] : someTensors(torch::kHalf)) map[name] = "diffusion_pytorch_model.fp16-00001-of-00001.safetensors";
  writeJson(dir + "/diffusion_pytorch_model.safetensors.index.fp16.json", {{"weight_map", map}});
  const auto half = locateWeights(dir, kDiffusersWeightsName, true);
  QVERIFY(half.fp16Variant);
  QVERIFY(WeightSet::open(half).tensors().at("a.weight").scalar_type() == torch::kHalf);
}

void TestModelLoadingFiles::shardFaults() {
  const auto dir = fresh("shard_faults");
  const auto t = someTensors(torch::kFloat);
  writeSafetensors(dir + "/s1.safetensors", {t[0], t[1]});
  const auto index = dir + "/model.safetensors.index.json";
  writeJson(index, {{"weight_map", {{"a.weight", "s1.safetensors"}, {"c.weight", "s2.safetensors"}}}});
  auto msg = errorOf([&] { locateWeights(dir, "model", false); });
  QVERIFY2(has(msg, "model.safetensors.index.json: shard 's2.safetensors' is missing"), msg.c_str());
  writeSafetensors(dir + "/s2.safetensors", {t[1]});
  msg = errorOf([&] { WeightSet::open(locateWeights(dir, "model", false)); });
  QVERIFY2(has(msg, "tensor 'b.bias' appears in both"), msg.c_str());
  writeSafetensors(dir + "/s2.safetensors", {t[2]});
  writeJson(index, {{"weight_map", {{"a.weight", "s2.safetensors"}, {"c.weight", "s2.safetensors"}}}});
  msg = errorOf([&] { WeightSet::open(locateWeights(dir, "model", false)); });
  QVERIFY2(has(msg, "tensor 'a.weight' is not in its shard 's2.safetensors'"), msg.c_str());
  std::ofstream(index) << "{\"weight_map\": ";
  msg = errorOf([&] { locateWeights(dir, "model", false); });
  QVERIFY2(has(msg, "model.safetensors.index.json: is not valid JSON"), msg.c_str());
}

void TestModelLoadingFiles::refusesPickles() {
  const auto dir = fresh("pickles");
  std::ofstream(dir + "/diffusion_pytorch_model.bin", std::ios::binary) << "PK\x03\x04 not really a zip";
  auto msg = errorOf([&] { locateWeights(dir, kDiffusersWeightsName, false); });
  QVERIFY2(has(msg, "diffusion_pytorch_model.bin: is a pickle checkpoint"), msg.c_str());
  QVERIFY2(has(msg, "never loads pickle files") && has(msg, "Convert it to .safetensors"), msg.c_str());
  // A pickle disguised as .safetensors is recognised by its first bytes.
  std::ofstream(dir + "/model.safetensors", std::ios::binary) << "\x80\x02}q\x00.";
  msg = errorOf([&] { WeightSet::openFile(dir + "/model.safetensors"); });
  QVERIFY2(has(msg, "model.safetensors: is a pickle checkpoint"), msg.c_str());
  std::ofstream(dir + "/v1-5-pruned.ckpt", std::ios::binary) << "anything";
  QVERIFY(looksLikePickle(dir + "/v1-5-pruned.ckpt"));
  msg = errorOf([&] { refusePickle(dir + "/v1-5-pruned.ckpt"); });
  QVERIFY2(has(msg, "v1-5-pruned.ckpt: is a pickle checkpoint"), msg.c_str());
}

void TestModelLoadingFiles::missingWeightsAndFolders() {
  const auto dir = fresh("empty_component");
  auto msg = errorOf([&] { locateWeights(dir, kDiffusersWeightsName, false); });
  QVERIFY2(has(msg, "empty_component: no weights: expected diffusion_pytorch_model.safetensors"), msg.c_str());
  msg = errorOf([&] { locateWeights(dir + "/nope", "model", false); });
  QVERIFY2(has(msg, "nope: component folder is missing"), msg.c_str());
}

void TestModelLoadingFiles::truncatedFile() {
  const auto dir = fresh("truncated");
  writeSafetensors(dir + "/model.safetensors", someTensors(torch::kFloat));
  fs::resize_file(dir + "/model.safetensors", fs::file_size(dir + "/model.safetensors") - 8);
  const auto msg = errorOf([&] { WeightSet::open(locateWeights(dir, "model", false)); });
  QVERIFY2(has(msg, "model.safetensors: ") && has(msg, "truncated"), msg.c_str());
}

void TestModelLoadingFiles::diffusersIndex() {
  const auto root = fresh("pipeline");
  auto msg = errorOf([&] { DiffusersFolder::open(root); });
  QVERIFY2(has(msg, "pipeline: not a diffusers model folder (no model_index.json)"), msg.c_str());
  writeJson(root + "/model_index.json", {{"_class_name", "StableDiffusionPipeline"},
                                         {"unet", {"diffusers", "UNet2DConditionModel"}},
                                         {"vae", {"diffusers", "AutoencoderKL"}},
                                         {"safety_checker", {nullptr, nullptr}},
                                         {"requires_safety_checker", false}});
  fs::create_directories(root + "/unet");
  const auto f = DiffusersFolder::open(root);
  QCOMPARE(f.pipelineClass(), std::string("StableDiffusionPipeline"));
  QVERIFY(f.has("unet") && f.has("vae") && !f.has("safety_checker"));
  QCOMPARE(f.require("unet").className, std::string("UNet2DConditionModel"));
  msg = errorOf([&] { f.require("vae"); });
  QVERIFY2(has(msg, "vae: missing component folder (model_index.json lists vae as AutoencoderKL)"), msg.c_str());
  msg = errorOf([&] { f.require("tokenizer"); });
  QVERIFY2(has(msg, "tokenizer: missing component: model_index.json lists no tokenizer"), msg.c_str());
  msg = errorOf([&] { f.readJson("unet", "config.json"); });
  QVERIFY2(has(msg, "unet/config.json: unet config.json is missing"), msg.c_str());
  // A non-string _class_name threw nlohmann's type_error instead of an Error naming the file.
  writeJson(root + "/model_index.json", {{"_class_name", 5}, {"unet", {"diffusers", "UNet2DConditionModel"}}});
  msg = errorOf([&] { DiffusersFolder::open(root); });
  QVERIFY2(has(msg, "model_index.json: _class_name is not a string"), msg.c_str());
}

QTEST_GUILESS_MAIN(TestModelLoadingFiles)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_model_loading_files.moc"
#endif
