// LATENTSHOP_TEST_LABELS: golden;tokenizer
// CLIP tokenizer parity with transformers' slow CLIPTokenizer + ftfy on the 36 golden cases, from
// both vocabulary sources (openai's .txt.gz and a vocab.json/merges.txt pair written from it).
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/test_paths.h"
#include "support/testing.h"
#include "engine/core/error.h"
#include "engine/core/threads.h"
#include "engine/tokenizer/clip_tokenizer.h"

using namespace latentshop;

namespace {

nlohmann::json loadCases() {
  std::ifstream in(lstest::goldenPath("clip_tokenizer_cases.json"));
  return nlohmann::json::parse(in);
}

std::string joinIds(const std::vector<std::int64_t>& ids) {
  std::string s;
  for (auto i : ids) s += (s.empty() ? "" : ",") + std::to_string(i);
  return s;
}

// Every field the golden file records, for every case; returns "" or the first difference.
std::string compareAll(const ClipTokenizer& tok, const nlohmann::json& cases) {
  for (const auto& c : cases) {
    const std::string text = c["text"].get<std::string>();
    const auto r = tok.encode(text);
    const auto ids = c["input_ids"].get<std::vector<std::int64_t>>();
    if (r.inputIds != ids)
      return "'" + text + "': ids " + joinIds(r.inputIds) + " expected " + joinIds(ids);
    if (r.attentionMask != c["attention_mask"].get<std::vector<std::int64_t>>()) return "'" + text + "': attention mask";
    if (r.tokens != c["tokens"].get<std::vector<std::string>>()) return "'" + text + "': tokens differ";
    if (r.numTokens != c["num_tokens"].get<int>()) return "'" + text + "': num_tokens " + std::to_string(r.numTokens);
    if (r.truncated != c["truncated"].get<bool>()) return "'" + text + "': truncated flag";
    auto untruncated = r.tokenIds;
    untruncated.insert(untruncated.begin(), tok.bosTokenId());
    untruncated.push_back(tok.eosTokenId());
    if (untruncated != c["input_ids_untruncated"].get<std::vector<std::int64_t>>())
      return "'" + text + "': untruncated ids";
  }
  return "";
}

}  // namespace

class TestTokenizer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase();
  void goldenFromOpenAiGzip();
  void goldenFromVocabJsonAndMerges();
  void specialTokensAndConventions();
  void sd2PadToken();
  void bpeAndDecode();
  void faults();
  void cliPrintsJson();

private:
  nlohmann::json cases_;
};

void TestTokenizer::initTestCase() {
  configureTorchThreads();
  cases_ = loadCases();
  QCOMPARE(cases_["cases"].size(), std::size_t(36));
}

void TestTokenizer::goldenFromOpenAiGzip() {
  const auto tok = ClipTokenizer::fromPath(lstest::clipVocabPath());
  QCOMPARE(tok.bosTokenId(), std::int64_t(49406));
  QCOMPARE(tok.eosTokenId(), std::int64_t(49407));
  QCOMPARE(tok.padTokenId(), std::int64_t(49407));
  QCOMPARE(tok.maxLength(), 77);
  QCOMPARE(tok.vocabulary().encoder.size(), std::size_t(49408));
  QCOMPARE(tok.vocabulary().merges.size(), std::size_t(kClipMergeCount));
  const std::string diff = compareAll(tok, cases_["cases"]);
  QVERIFY2(diff.empty(), diff.c_str());
}

void TestTokenizer::goldenFromVocabJsonAndMerges() {
  // Write the diffusers tokenizer/ files from the openai data, the way transformers saves them.
  const auto vocab = ClipVocabulary::fromOpenAiBpe(lstest::clipVocabPath());
  const std::string dir = lstest::scratchDir() + "/tokenizer";
  std::filesystem::create_directories(dir);
  nlohmann::json v = nlohmann::json::object();
  for (const auto& [token, id] : vocab.encoder) v[token] = id;
  std::ofstream(dir + "/vocab.json") << v.dump(2) << "\n";
  std::ofstream merges(dir + "/merges.txt");
  merges << "#version: 0.2\n";
  for (const auto& [a, b] : vocab.merges) merges << a << ' ' << b << '\n';
  merges.close();
  std::ofstream(dir + "/tokenizer_config.json")
      << R"({"model_max_length": 77, "bos_token": {"content": "<|startoftext|>", "__type": "AddedToken"},
             "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>"})";

  const auto tok = ClipTokenizer::fromPath(dir);
  QCOMPARE(tok.vocabulary().encoder.size(), std::size_t(49408));
  QCOMPARE(tok.padTokenId(), std::int64_t(49407));
  const std::string diff = compareAll(tok, cases_["cases"]);
  QVERIFY2(diff.empty(), diff.c_str());
  // A vocab.json path works too (merges.txt beside it).
  const auto byFile = ClipTokenizer::fromPath(dir + "/vocab.json");
  QCOMPARE(byFile.encode("a photo of a cat").inputIds, tok.encode("a photo of a cat").inputIds);
  // So does the model folder holding tokenizer/.
  const auto byModel = ClipTokenizer::fromPath(lstest::scratchDir());
  QCOMPARE(byModel.encode("a photo of a cat").inputIds, tok.encode("a photo of a cat").inputIds);
}

void TestTokenizer::specialTokensAndConventions() {
  const auto tok = ClipTokenizer::fromPath(lstest::clipVocabPath());
  // Special-token text is kept whole, whatever surrounds it.
  auto r = tok.encode("a<|endoftext|>b");
  QCOMPARE(r.tokenIds.size(), std::size_t(3));
  QCOMPARE(r.tokenIds[1], std::int64_t(49407));
  // Exactly 75 ids fit; 76 are truncated to 75 + eos.
  std::string text;
  for (int i = 0; i < 75; ++i) text += "a ";
  r = tok.encode(text);
  QCOMPARE(r.numTokens, 75);
  QVERIFY(!r.truncated);
  QCOMPARE(r.inputIds[76], std::int64_t(49407));
  QCOMPARE(r.attentionMask[76], std::int64_t(1));
  r = tok.encode(text + "a");
  QCOMPARE(r.numTokens, 76);
  QVERIFY(r.truncated);
  QCOMPARE(r.inputIds[75], std::int64_t(320));
  QCOMPARE(r.inputIds[76], std::int64_t(49407));
  // Clean-up: mojibake, curly quotes, ligatures, fullwidth forms, entities (no '<' in the text).
  QCOMPARE(tok.encode("caf\xC3\x83\xC2\xA9").tokenIds, tok.encode("caf\xC3\xA9").tokenIds);
  QCOMPARE(tok.encode("\xE2\x80\x9Chi\xE2\x80\x9D").tokenIds, tok.encode("\"hi\"").tokenIds);
  QCOMPARE(tok.encode("\xEF\xAC\x81ne").tokenIds, tok.encode("fine").tokenIds);
  QCOMPARE(tok.encode("\xEF\xBC\xA1\xEF\xBC\xA2").tokenIds, tok.encode("ab").tokenIds);
  QCOMPARE(tok.encode("fish &amp; chips").tokenIds, tok.encode("fish & chips").tokenIds);
  QCOMPARE(tok.encode("&lt;b&gt;").tokenIds, tok.encode("<b>").tokenIds);
  QVERIFY(tok.encode("<b> &amp;").tokenIds != tok.encode("<b> &").tokenIds);
  // Invalid UTF-8 becomes U+FFFD instead of failing.
  QCOMPARE(tok.encode("a\xFF").tokenIds, tok.encode("a\xEF\xBF\xBD").tokenIds);
}

void TestTokenizer::sd2PadToken() {
  auto vocab = std::make_shared<ClipVocabulary>(ClipVocabulary::fromOpenAiBpe(lstest::clipVocabPath()));
  ClipTokenizerOptions o;
  o.padToken = "!";
  const ClipTokenizer tok(vocab, o);
  QCOMPARE(tok.padTokenId(), std::int64_t(0));
  const auto r = tok.encode("a photo of a cat");
  QCOMPARE(r.inputIds[6], std::int64_t(49407));
  QCOMPARE(r.inputIds[7], std::int64_t(0));
  QCOMPARE(r.inputIds[76], std::int64_t(0));
}

void TestTokenizer::bpeAndDecode() {
  const auto tok = ClipTokenizer::fromPath(lstest::clipVocabPath());
  QCOMPARE(tok.bpe("aaaa"), (std::vector<std::string>{"aaaa</w>"}));
  QCOMPARE(tok.bpe("x"), (std::vector<std::string>{"x</w>"}));
  const auto r = tok.encode("A photo of an astronaut, riding!");
  QCOMPARE(tok.decode(r.inputIds), std::string("a photo of an astronaut , riding !"));
  QCOMPARE(tok.decode(tok.encode("caf\xC3\xA9 \xF0\x9F\x90\xB1").inputIds), std::string("caf\xC3\xA9 \xF0\x9F\x90\xB1"));
}

void TestTokenizer::faults() {
  const std::string dir = lstest::scratchDir() + "/broken_tokenizer";
  std::filesystem::create_directories(dir);
  try {
    ClipTokenizer::fromPath(dir);
    QFAIL("expected an error for a folder without vocab.json");
  } catch (const Error& e) {
    QVERIFY2(std::string(e.what()).find("has no vocab.json") != std::string::npos, e.what());
  }
  std::ofstream(dir + "/vocab.json") << "{\"a\": 0";
  std::ofstream(dir + "/merges.txt") << "#version: 0.2\na b\n";
  try {
    ClipTokenizer::fromPath(dir);
    QFAIL("expected an error for broken JSON");
  } catch (const Error& e) {
    QVERIFY2(std::string(e.what()).find("vocab.json: is not valid JSON") != std::string::npos, e.what());
  }
  const std::string gz = lstest::scratchDir() + "/truncated.txt.gz";
  {
    std::ifstream in(lstest::clipVocabPath(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(gz, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  try {
    ClipTokenizer::fromPath(gz);
    QFAIL("expected an error for a truncated gzip file");
  } catch (const Error& e) {
    const std::string msg = e.what();
    QVERIFY2(msg.find("truncated.txt.gz: ") != std::string::npos, e.what());
    QVERIFY2(msg.find("truncated or corrupt") != std::string::npos || msg.find("not a readable gzip") != std::string::npos,
             e.what());
  }
  try {
    ClipTokenizer::fromPath(lstest::scratchDir() + "/nowhere");
    QFAIL("expected an error for a missing path");
  } catch (const Error& e) {
    QVERIFY2(std::string(e.what()).find("no such file or folder") != std::string::npos, e.what());
  }
}

void TestTokenizer::cliPrintsJson() {
  const std::string out = lstest::scratchDir() + "/tokenize.jsonl";
  const std::string cmd = "\"" + lstest::cliPath() + "\" tokenize --vocab \"" + lstest::clipVocabPath() +
                          "\" \"Make it snowy!!\" \"a photo of a cat\" > \"" + out + "\"";
  QCOMPARE(std::system(cmd.c_str()), 0);
  std::ifstream in(out);
  std::string line;
  std::vector<nlohmann::json> rows;
  while (std::getline(in, line)) rows.push_back(nlohmann::json::parse(line));
  QCOMPARE(rows.size(), std::size_t(2));
  const auto& c = cases_["cases"][1];
  QCOMPARE(c["text"].get<std::string>(), std::string("Make it snowy!!"));
  QCOMPARE(rows[0]["input_ids"], c["input_ids"]);
  QCOMPARE(rows[0]["num_tokens"].get<int>(), 4);
  QCOMPARE(rows[0]["truncated"].get<bool>(), false);
  QCOMPARE(rows[1]["tokens"].size(), std::size_t(5));
  // Without --vocab and without $LATENTSHOP_CLIP_VOCAB the command asks for one.
  const std::string err = lstest::scratchDir() + "/tokenize.err";
  const std::string bare = "env -u LATENTSHOP_CLIP_VOCAB \"" + lstest::cliPath() + "\" tokenize x 2> \"" + err + "\"";
  QVERIFY(std::system(bare.c_str()) != 0);
  std::ifstream e(err);
  const std::string msg((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
  QVERIFY2(msg.find("--vocab") != std::string::npos && msg.find("LATENTSHOP_CLIP_VOCAB") != std::string::npos, msg.c_str());
}

QTEST_GUILESS_MAIN(TestTokenizer)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_tokenizer.moc"
#endif
