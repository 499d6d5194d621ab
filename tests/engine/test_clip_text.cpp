// LATENTSHOP_TEST_LABELS: golden
// CLIPTextModel parity with transformers on ../shared/golden/clip_text_tiny (≤ 1e-4), in-process and
// through `latentshop-cli tensors run clip_text`; config reading, pooling rules, clip skip.
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/precision_bounds.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/io/model_files.h"
#include "engine/io/safetensors.h"
#include "engine/models/clip_text_model.h"
#include "engine/models/clip_text_model_prompts.h"
#include "engine/tokenizer/clip_tokenizer.h"

using namespace latentshop;

namespace {

constexpr double kAtol = 1e-4;

ClipTextModel loadTiny(const torch::TensorOptions& options = {}) {
  const auto weights = WeightSet::openFile(lstest::goldenPath("clip_text_tiny.weights.safetensors"));
  return loadClipTextModel(ClipTextConfig::fromFile(lstest::goldenPath("clip_text_tiny.config.json")),
                           weights.tensors(), weights.source(), options);
}

std::string checkOutputs(const std::map<std::string, torch::Tensor>& got, const SafetensorsFile& io) {
  for (const auto& name : io.names()) {
    if (name.rfind("out.", 0) != 0) continue;
    auto it = got.find(name);
    if (it == got.end()) return "missing " + name;
    const auto c = lstest::allClose(it->second, io.load(name, torch::kFloat), kAtol, 0.0, name);
    if (!c.ok) return c.message;
  }
  return "";
}

}  // namespace

class TestClipText : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void goldenForward();
  void goldenThroughCli();
  void clipSkipAndPooling();
  void configDefaultsAndErrors();
  void positionIdsBufferTolerated();
  void bfloat16Runs();
  void promptsLikeDiffusers();
};

void TestClipText::initTestCase() { configureTorchThreads(); }

void TestClipText::goldenForward() {
  torch::InferenceMode inference;
  auto model = loadTiny();
  const SafetensorsFile io(lstest::goldenPath("clip_text_tiny.io.safetensors"));
  const auto out = model->forward(io.load("in.input_ids", torch::kLong), /*outputHiddenStates=*/true);
  QCOMPARE(out.hiddenStates.size(), std::size_t(3));
  std::map<std::string, torch::Tensor> got = {{"out.last_hidden_state", out.lastHiddenState},
                                              {"out.pooler_output", out.pooledOutput}};
  for (std::size_t i = 0; i < out.hiddenStates.size(); ++i)
    got["out.hidden_states." + std::to_string(i)] = out.hiddenStates[i];
  const std::string diff = checkOutputs(got, io);
  QVERIFY2(diff.empty(), diff.c_str());
}

void TestClipText::goldenThroughCli() {
  const std::string out = lstest::scratchDir() + "/clip_out.safetensors";
  const std::string cmd = "\"" + lstest::cliPath() + "\" tensors run clip_text --config \"" +
                          lstest::goldenPath("clip_text_tiny.config.json") + "\" --weights \"" +
                          lstest::goldenPath("clip_text_tiny.weights.safetensors") + "\" --inputs \"" +
                          lstest::goldenPath("clip_text_tiny.io.safetensors") + "\" --out \"" + out + "\"";
  QCOMPARE(std::system(cmd.c_str()), 0);
  const SafetensorsFile written(out);
  std::map<std::string, torch::Tensor> got;
  for (const auto& n : written.names()) got[n] = written.load(n, torch::kFloat);
  QCOMPARE(got.size(), std::size_t(5));
  const std::string diff = checkOutputs(got, SafetensorsFile(lstest::goldenPath("clip_text_tiny.io.safetensors")));
  QVERIFY2(diff.empty(), diff.c_str());
}

void TestClipText::clipSkipAndPooling() {
  torch::InferenceMode inference;
  auto model = loadTiny();
  const SafetensorsFile io(lstest::goldenPath("clip_text_tiny.io.safetensors"));
  const auto ids = io.load("in.input_ids", torch::kLong);
  // clip skip 0 is last_hidden_state; clip skip 1 = final LN of hidden_states[-2] (diffusers encode_prompt).
  QVERIFY(lstest::allClose(model->encodePrompt(ids, 0), io.load("out.last_hidden_state", torch::kFloat), kAtol).ok);
  const auto expected = model->text_model->final_layer_norm->forward(io.load("out.hidden_states.1", torch::kFloat));
  QVERIFY(lstest::allClose(model->encodePrompt(ids, 1), expected, kAtol).ok);
  bool threw = false;
  try {
    model->encodePrompt(ids, 2);
  } catch (const Error&) {
    threw = true;
  }
  QVERIFY(threw);
  // Legacy eos_token_id 2 pools at argmax(ids); another eos id pools at its first occurrence.
  auto cfg = model->config();
  cfg.eosTokenId = 7;
  const auto weights = WeightSet::openFile(lstest::goldenPath("clip_text_tiny.weights.safetensors"));
  auto other = loadClipTextModel(cfg, weights.tensors(), weights.source());
  auto custom = ids.clone();
  custom[0][3] = 7;
  custom[0][5] = 7;
  const auto out = other->forward(custom);
  QVERIFY(torch::equal(out.pooledOutput[0], out.lastHiddenState[0][3]));
  const auto legacy = model->forward(custom);
  QVERIFY(torch::equal(legacy.pooledOutput[0], legacy.lastHiddenState[0][custom[0].argmax().item<int64_t>()]));
}

void TestClipText::configDefaultsAndErrors() {
  // Partial configs take transformers' CLIPTextConfig defaults.
  auto c = ClipTextConfig::fromJson(nlohmann::json{{"hidden_size", 64}, {"num_attention_heads", 4}}, "partial.json");
  QCOMPARE(c.vocabSize, std::int64_t(49408));
  QCOMPARE(c.intermediateSize, std::int64_t(2048));
  QCOMPARE(c.numHiddenLayers, std::int64_t(12));
  QCOMPARE(c.hiddenAct, std::string("quick_gelu"));
  QCOMPARE(c.eosTokenId, std::int64_t(49407));
  // A full CLIPModel config: its text_config is read.
  c = ClipTextConfig::fromJson(nlohmann::json{{"model_type", "clip"}, {"text_config", {{"hidden_size", 96}, {"num_attention_heads", 3}}}},
                               "clip.json");
  QCOMPARE(c.hiddenSize, std::int64_t(96));
  const auto sd = ClipTextConfig::sd15();
  QCOMPARE(sd.hiddenSize, std::int64_t(768));
  QCOMPARE(sd.eosTokenId, std::int64_t(2));
  try {
    ClipTextConfig::fromJson(nlohmann::json{{"hidden_size", 10}, {"num_attention_heads", 3}}, "bad.json");
    QFAIL("expected an error");
  } catch (const Error& e) {
    QVERIFY2(std::string(e.what()).find("bad.json: hidden_size 10 is not divisible") == 0, e.what());
  }
  try {
    ClipTextConfig::fromJson(nlohmann::json{{"hidden_act", "mish"}}, "act.json");
    QFAIL("expected an error");
  } catch (const Error& e) {
    QVERIFY2(std::string(e.what()).find("act.json: hidden_act 'mish'") == 0, e.what());
  }
  // A non-string model_type threw nlohmann's type_error; a float size outside int64 was cast (UB).
  c = ClipTextConfig::fromJson(nlohmann::json{{"model_type", 5}, {"hidden_size", 64.0}, {"num_attention_heads", 4}}, "odd.json");
  QCOMPARE(c.hiddenSize, std::int64_t(64));
  try {
    ClipTextConfig::fromJson(nlohmann::json{{"hidden_size", 1e300}}, "big.json");
    QFAIL("expected an error");
  } catch (const Error& e) {
    QVERIFY2(std::string(e.what()).find("big.json: 'hidden_size' must be an integer") == 0, e.what());
  }
  // gelu runs and differs from quick_gelu.
  torch::InferenceMode inference;
  auto base = loadTiny();
  auto cfg = base->config();
  cfg.hiddenAct = "gelu";
  const auto weights = WeightSet::openFile(lstest::goldenPath("clip_text_tiny.weights.safetensors"));
  auto gelu = loadClipTextModel(cfg, weights.tensors(), weights.source());
  const auto ids = torch::tensor({{998, 5, 6, 999}}, torch::kLong);
  const auto d = (gelu->forward(ids).lastHiddenState - base->forward(ids).lastHiddenState).abs().max().item<double>();
  QVERIFY(d > 1e-4);
}

void TestClipText::positionIdsBufferTolerated() {
  auto weights = WeightSet::openFile(lstest::goldenPath("clip_text_tiny.weights.safetensors"));
  auto dict = weights.tensors();
  dict["text_model.embeddings.position_ids"] = torch::arange(77).unsqueeze(0);
  const auto cfg = ClipTextConfig::fromFile(lstest::goldenPath("clip_text_tiny.config.json"));
  loadClipTextModel(cfg, dict, "old.safetensors");
  dict.erase("text_model.final_layer_norm.bias");
  dict["text_model.extra.weight"] = torch::zeros({1});
  try {
    loadClipTextModel(cfg, dict, "old.safetensors");
    QFAIL("expected an error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    QVERIFY2(msg.find("old.safetensors: cannot load CLIPTextModel") == 0, e.what());
    QVERIFY2(msg.find("missing key: text_model.final_layer_norm.bias") != std::string::npos, e.what());
    QVERIFY2(msg.find("unexpected key: text_model.extra.weight") != std::string::npos, e.what());
  }
}

void TestClipText::bfloat16Runs() {
  torch::InferenceMode inference;
  auto model = loadTiny(torch::TensorOptions().dtype(torch::kBFloat16));
  QVERIFY(model->dtype() == torch::kBFloat16);
  const SafetensorsFile io(lstest::goldenPath("clip_text_tiny.io.safetensors"));
  const auto out = model->forward(io.load("in.input_ids", torch::kLong));
  QVERIFY(out.lastHiddenState.scalar_type() == torch::kBFloat16);
  // bf16 keeps 8 significant bits (eps 2^-7). Each residual sub-block (attention and MLP of every layer)
  // adds rounding of about eps × the hidden states' magnitude, final layer norm included: bound =
  // eps · max|fp32 output| · sqrt(2 · layers) · 2 (4 · eps · 3.18 ≈ 0.099 for this model; a simulation of
  // its bf16 roundings lands near 0.03).
  const auto expected = io.load("out.last_hidden_state", torch::kFloat);
  const double bound = lstest::lowPrecisionBound(torch::kBFloat16, lstest::maxAbs(expected),
                                                 2.0 * static_cast<double>(model->config().numHiddenLayers), 2.0);
  const auto c = lstest::allClose(out.lastHiddenState.to(torch::kFloat), expected, bound, 0.0, "bf16 last_hidden_state");
  QVERIFY2(c.ok, c.message.c_str());
}

void TestClipText::promptsLikeDiffusers() {
  torch::InferenceMode inference;
  torch::manual_seed(3);
  // A small encoder over CLIP's full vocabulary, random weights.
  auto cfg = ClipTextConfig::fromJson(nlohmann::json{{"hidden_size", 32}, {"intermediate_size", 37}, {"num_hidden_layers", 3},
                                                     {"num_attention_heads", 4}, {"eos_token_id", 2}},
                                      "small.json");
  ClipTextModel model(cfg);
  for (auto& p : model->parameters()) p.normal_(0.0, 0.5);
  const auto tok = ClipTokenizer::fromPath(lstest::clipVocabPath());
  const std::vector<std::string> prompts = {"a photo of a cat", ""};
  const auto r = encodePrompts(tok, model, prompts);
  QCOMPARE(r.embeddings.sizes().vec(), (std::vector<int64_t>{2, 77, 32}));
  QCOMPARE(r.tokens.at(0).numTokens, 5);
  const auto ids = tokenIdsTensor(r.tokens);
  QCOMPARE(ids[1][0].item<int64_t>(), std::int64_t(49406));
  QCOMPARE(ids[1][1].item<int64_t>(), std::int64_t(49407));
  const auto full = model->forward(ids, true);
  QVERIFY(torch::equal(r.embeddings, full.lastHiddenState));
  const auto skipped = encodePrompts(tok, model, prompts, 1).embeddings;
  QVERIFY(lstest::allClose(skipped, model->text_model->final_layer_norm->forward(full.hiddenStates[2]), 1e-6).ok);
  // use_attention_mask: padding positions are masked out of the keys.
  cfg.useAttentionMask = true;
  ClipTextModel masked(cfg);
  for (std::size_t i = 0; i < masked->parameters().size(); ++i) masked->parameters()[i].copy_(model->parameters()[i]);
  const auto m = encodePrompts(tok, masked, prompts).embeddings;
  QVERIFY(lstest::allClose(m, model->forward(ids, false, attentionMaskTensor(r.tokens)).lastHiddenState, 1e-6).ok);
  QVERIFY(!torch::allclose(m, r.embeddings));
}

QTEST_GUILESS_MAIN(TestClipText)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_clip_text.moc"
#endif
