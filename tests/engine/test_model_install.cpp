// LATENTSHOP_TEST_LABELS: io
// Model installation: SHA-256 against FIPS 180-2 vectors and a second implementation, the manifest
// and Hub listing parsers (hostile input refused), file selection (the files a diffusers pipeline needs, one precision),
// and the staged install (resume, verification, record, removal) on a scratch models folder.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/testing.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/core/sha256.h"
#include "engine/io/hub_listing.h"
#include "engine/io/model_install.h"
#include "engine/io/model_manifest.h"

#ifdef LATENTSHOP_TEST_WITH_QT
#include <QByteArray>
#include <QCryptographicHash>
#endif

using namespace latentshop;
namespace fs = std::filesystem;

// A named namespace, not an anonymous one: the test slots' lambdas capture these types, and the
// Qt-free runner #includes this file from its generated main (gcc's -Wsubobject-linkage).
namespace model_install_test {

// JSON written with single quotes, to keep the test text readable.
std::string q(std::string text) {
  std::replace(text.begin(), text.end(), '\'', '"');
  return text;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The message of the latentshop::Error `f` throws; "" when it throws nothing.
template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string("Error: ") + e.what();
  }
  return "";
}

std::string sha(const std::string& bytes) {
  Sha256 h;
  h.update(bytes.data(), bytes.size());
  return h.hexDigest();
}

// The same generator the expected digests below were made with (Python hashlib).
std::string lcgBytes(size_t n) {
  std::string out(n, '\0');
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    out[i] = static_cast<char>((x >> 16) & 0xff);
  }
  return out;
}

void writeFile(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string freshDir(const std::string& name) {
  const std::string dir = lstest::scratchDir() + "/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A listing shaped like stable-diffusion-inpainting's: fp16 and full-precision weights, pickles,
// files no tool needs; the VAE has no fp16 file.
std::string sdTreeJson() {
  nlohmann::json tree = nlohmann::json::array();
  for (const char* dir : {"feature_extractor", "safety_checker", "scheduler", "text_encoder", "tokenizer", "unet", "vae"}) {
    tree.push_back({{"type", "directory"}, {"oid", "0123456789abcdef0123456789abcdef01234567"}, {"size", 0}, {"path", dir}});
  }
  int n = 0;
  auto small = [&](const std::string& path) {
    tree.push_back({{"type", "file"}, {"oid", "aa" + std::to_string(++n)}, {"size", 100 + n}, {"path", path}});
  };
  auto lfs = [&](const std::string& path, uint64_t size) {
    const std::string digest = sha(path);
    tree.push_back({{"type", "file"}, {"oid", "bb" + std::to_string(++n)}, {"size", size},
                    {"lfs", {{"oid", digest}, {"size", size}, {"pointerSize", 135}}}, {"path", path}});
  };
  for (const char* p : {".gitattributes", "README.md", "model_index.json", "v1-inference.yaml",
                        "feature_extractor/preprocessor_config.json", "safety_checker/config.json",
                        "scheduler/scheduler_config.json", "text_encoder/config.json", "tokenizer/merges.txt",
                        "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json", "tokenizer/vocab.json",
                        "unet/config.json", "vae/config.json"}) {
    small(p);
  }
  for (const char* p : {"safety_checker/model.safetensors", "safety_checker/model.fp16.safetensors",
                        "safety_checker/pytorch_model.bin", "text_encoder/model.safetensors",
                        "text_encoder/model.fp16.safetensors", "text_encoder/pytorch_model.bin",
                        "unet/diffusion_pytorch_model.bin", "unet/diffusion_pytorch_model.fp16.bin",
                        "unet/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
                        "vae/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.bin",
                        "sd-v1-5-inpainting.ckpt"}) {
    lfs(p, 3438167536ull + static_cast<uint64_t>(n));
  }
  return tree.dump();
}

// "a, b, c": lists compared as text (the Qt-free runner prints only streamable values).
std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

std::vector<std::string> pathsOf(const std::vector<HubFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.path);
  return out;
}

ManifestModel repositoryModel(const std::string& id) {
  const auto manifest = readModelManifest(std::string(LATENTSHOP_SOURCE_DIR) + "/models/manifest.json");
  const ManifestModel* m = manifest.find(id);
  return m ? *m : ManifestModel{};
}

// A three-file model whose weights are an LFS file with a digest.
struct TinyModel {
  ManifestModel model;
  std::vector<HubFile> files;
  std::string weights = lcgBytes(5000);
  TinyModel() {
    model.id = "tiny";
    model.name = "Tiny";
    model.repo = "someone/tiny";
    model.files = {"*"};
    files = {{"config.json", 3, ""}, {"unet/config.json", 2, ""}, {"unet/w.safetensors", 5000, ""}};
    std::string upper = sha(weights);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    files[2].sha256 = upper;  // compared case-insensitively
  }
};

const InstallFile* fileIn(const InstallPlan& plan, const std::string& path) {
  for (const auto& f : plan.files) {
    if (f.remote.path == path) return &f;
  }
  return nullptr;
}

}  // namespace model_install_test

using namespace model_install_test;

class TestModelInstall : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void sha256KnownVectors() {
    // FIPS 180-2 appendix B.1-B.3.
    QCOMPARE(sha(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(sha("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    Sha256 h;
    const std::string a(2000, 'a');
    size_t fed = 0;
    for (size_t step = 1; fed < 1000000; step = step % 997 + 7) {
      const size_t n = std::min(step, 1000000 - fed);
      h.update(a.data(), n);
      fed += n;
    }
    QCOMPARE(h.hexDigest(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    h.update("abc", 3);  // reset after hexDigest
    QCOMPARE(h.hexDigest(), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  }

  void sha256MatchesReferenceDigests() {
    // Made with Python's hashlib from lcgBytes(n): every padding boundary around 55/56/64 bytes.
    const std::vector<std::pair<size_t, std::string>> expected = {
        {1, "fb95aa98d6e6c5827a57ec17b978d647fcc01d98c357b7e64989af57339e9ac3"},
        {55, "71c8932528a322d44286f7aef656a86d4f8eca7e363ff070ff6c8ebf01c23376"},
        {56, "240d21dde936d864014a3d633ec2b5fc11c3a05ab2b9a7ed762a9ce41b8153f2"},
        {57, "000181d3640ecf4284892441bf9c80b6e5ba8e9718296fbb8792ab72fa8bf539"},
        {63, "57ec17463000ce178ab0e109e0b804bee3fd5c06b8602aa3becf9e0290eb6452"},
        {64, "f884997e48d50999298babb11bcd1b697ee18066da5a6df2b5fa7d9dcb3ff205"},
        {65, "18a6fbe59a0ad33c45efff233c9973f96d3c6cc97839bf6c30b437b6e1f51968"},
        {119, "3600f855c81283c0efdbb7be068c00fdca5c9104ce19d982464d51eb0ab14d2b"},
        {120, "c88f374fa008e549134852fe3881564e16cdbf776e12667115371d50f0c3fed5"},
        {127, "ecaa3a741cad06d59e8ac632ef769085c62e96458293761e8d4ee7cda41af17e"},
        {128, "451cef3154f4724d8a64edcf7a90e8ce08169badeccd9b724887595486e96721"},
        {129, "11f8eb3a1a52e9e7570c74172e5f5c98406be0f8e5df1dca9c535e1bfe5d5692"},
        {300, "770c92319647be903970bf8726e51075fbb04b46a5d49887a53f995fc21adbc8"},
        {3 * 1024 * 1024 + 7, "1cd1dafe617a3fbc5a15a1f0187a523238999f5798df36043d4f0e73a0b6814f"},
    };
    for (const auto& [n, digest] : expected) {
      const std::string data = lcgBytes(n);
      QVERIFY2(sha(data) == digest, std::to_string(n).c_str());
      // Fed in uneven pieces.
      Sha256 h;
      for (size_t at = 0, step = 1; at < n; at += step, step = step * 3 % 131 + 1) {
        h.update(data.data() + at, std::min(step, n - at));
      }
      QVERIFY2(h.hexDigest() == digest, ("chunked " + std::to_string(n)).c_str());
    }
#ifdef LATENTSHOP_TEST_WITH_QT
    // Qt's implementation as a second oracle on random data.
    std::mt19937 rng(7);
    std::vector<size_t> lengths;
    for (size_t n = 0; n <= 300; ++n) lengths.push_back(n);
    lengths.push_back(3 * 1024 * 1024);
    for (size_t n : lengths) {
      std::string data(n, '\0');
      for (char& c : data) c = static_cast<char>(rng() & 0xff);
      const QByteArray qt = QCryptographicHash::hash(QByteArray(data.data(), static_cast<qsizetype>(n)),
                                                     QCryptographicHash::Sha256).toHex();
      QVERIFY2(sha(data) == qt.toStdString(), std::to_string(n).c_str());
    }
#endif
  }

  void sha256OfFileMatchesAndCancels() {
    const std::string data = lcgBytes(3 * 1024 * 1024 + 100);
    const std::string path = freshDir("sha") + "/data.bin";
    writeFile(path, data);
    std::vector<uint64_t> seen;
    QCOMPARE(sha256OfFile(path, [&](uint64_t done) { seen.push_back(done); return true; }), sha(data));
    QVERIFY(seen == (std::vector<uint64_t>{1u << 20, 2u << 20, 3u << 20, data.size()}));
    QCOMPARE(sha256OfFile(path), sha(data));
    bool cancelled = false;
    try {
      sha256OfFile(path, [](uint64_t done) { return done < (2u << 20); });
    } catch (const JobCancelled&) {
      cancelled = true;
    }
    QVERIFY(cancelled);
    const std::string missing = errorOf([&] { sha256OfFile(path + ".nope"); });
    QVERIFY2(contains(missing, path + ".nope"), missing.c_str());
    const std::string dir = fs::path(path).parent_path().string();
    const std::string folder = errorOf([&] { sha256OfFile(dir); });
    QVERIFY2(contains(folder, dir + ": "), folder.c_str());
  }

  void parsesRepositoryManifest() {
    const auto manifest = readModelManifest(std::string(LATENTSHOP_SOURCE_DIR) + "/models/manifest.json");
    QCOMPARE(manifest.models.size(), size_t(4));
    const ManifestModel* inpaint = manifest.find("sd15-inpainting");
    QVERIFY(inpaint);
    QCOMPARE(inpaint->repo, std::string("stable-diffusion-v1-5/stable-diffusion-inpainting"));
    QCOMPARE(inpaint->revision, std::string("main"));
    QCOMPARE(inpaint->variant, std::string("fp16"));
    QCOMPARE(inpaint->kind, std::string("inpaint"));
    QCOMPARE(joined(inpaint->uses), joined({"inpaint"}));
    QVERIFY(inpaint->sizeGb > 2.0 && inpaint->sizeGb < 2.2);
    QVERIFY(!inpaint->licenceUrl.empty());
    QCOMPARE(joined(manifest.find("sd15")->uses), joined({"inpaint", "drag"}));
    QCOMPARE(joined(manifest.find("instruct-pix2pix")->uses), joined({"instruct"}));
    const ManifestModel* taesd = manifest.find("taesd");
    QVERIFY(taesd);
    QVERIFY(taesd->variant.empty());
    QCOMPARE(joined(taesd->uses), joined({"preview"}));
    QCOMPARE(joined(taesd->files), joined({"config.json", "diffusion_pytorch_model.safetensors"}));
    QVERIFY(manifest.find("nope") == nullptr);
    const std::string missing = errorOf([] { readModelManifest("/nonexistent/manifest.json"); });
    QVERIFY2(contains(missing, "/nonexistent/manifest.json"), missing.c_str());
  }

  void refusesBadManifests() {
    auto entry = [](const std::string& id, const std::string& repo) {
      return q("{'id': '") + id + q("', 'name': 'N', 'repo': '") + repo + q("', 'files': ['a.json']}");
    };
    auto wrap = [](const std::string& entries) { return q("{'format': 1, 'models': [") + entries + "]}"; };
    const auto ok = parseModelManifest(wrap(entry("a", "o/a") + "," + entry("b", "o/b")), "m.json");
    QCOMPARE(ok.models.size(), size_t(2));
    QCOMPARE(ok.models[1].revision, std::string("main"));
    const auto rev = parseModelManifest(
        wrap(q("{'id': 'a', 'name': 'N', 'repo': 'o/a', 'revision': 'v1.0', 'files': ['x'], 'uses': ['drag']}")), "m.json");
    QCOMPARE(rev.models[0].revision, std::string("v1.0"));

    const std::vector<std::pair<std::string, std::string>> bad = {
        {wrap(entry("a", "o/a") + "," + entry("a", "o/b")), "entry 2 (a)"},
        {wrap(entry("../x", "o/a")), "../x"},
        {wrap(entry(".hidden", "o/a")), ".hidden"},
        {wrap(entry("a/b", "o/a")), "a/b"},
        {wrap(q("{'id': 'a', 'name': 'N', 'files': ['x']}")), "entry 1 (a) has no repo"},
        {wrap(q("{'name': 'N', 'repo': 'o/a', 'files': ['x']}")), "entry 1 has no id"},
        {wrap(q("{'id': 'a', 'repo': 'o/a', 'files': ['x']}")), "has no name"},
        {wrap(q("{'id': 'a', 'name': 'N', 'repo': 'o/a'}")), "has no files"},
        {wrap(q("{'id': 'a', 'name': 'N', 'repo': 'o/a', 'files': 'x'}")), "files"},
        {wrap(q("{'id': 'a', 'name': 'N', 'repo': 'o/a', 'files': ['x'], 'uses': [3]}")), "uses"},
        {wrap(entry("a", "../etc")), "repo"},
        {wrap(entry("a", "/o/a")), "repo"},
        {wrap(entry("a", "o/../a")), "repo"},
        {wrap(entry("a", "justname")), "repo"},
        {wrap(q("{'id': 'a', 'name': 'N', 'repo': 'o/a', 'revision': '../../x', 'files': ['x']}")), "revision"},
        {wrap(q("{'id': 5, 'name': 'N', 'repo': 'o/a', 'files': ['x']}")), "id"},
        {q("{'models': {}}"), "models"},
        {"[1, 2]", "models"},
        {"this is not json", "JSON"},
        {"", "JSON"},
    };
    for (const auto& [text, needle] : bad) {
      const std::string e = errorOf([&] { parseModelManifest(text, "bad-manifest.json"); });
      QVERIFY2(contains(e, "bad-manifest.json: "), (text + " → " + e).c_str());
      QVERIFY2(contains(e, needle), (text + " → " + e).c_str());
    }
  }

  void patternsMatchWithinSegments() {
    QVERIFY(manifestPatternMatches("tokenizer/*", "tokenizer/vocab.json"));
    QVERIFY(!manifestPatternMatches("tokenizer/*", "tokenizer/sub/vocab.json"));
    QVERIFY(!manifestPatternMatches("*", "unet/config.json"));
    QVERIFY(!manifestPatternMatches("*.json", "unet/config.json"));
    QVERIFY(manifestPatternMatches("*/config.json", "unet/config.json"));
    QVERIFY(manifestPatternMatches("unet/diffusion_pytorch_model*.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors"));
    QVERIFY(manifestPatternMatches("unet/diffusion_pytorch_model*.safetensors",
                                   "unet/diffusion_pytorch_model-00001-of-00002.safetensors"));
    QVERIFY(!manifestPatternMatches("unet/diffusion_pytorch_model*.safetensors", "unet/diffusion_pytorch_model.bin"));
    QVERIFY(!manifestPatternMatches("unet/diffusion_pytorch_model*.safetensors",
                                    "unet/diffusion_pytorch_model.safetensors.index.json"));
    QVERIFY(manifestPatternMatches("model_index.json", "model_index.json"));
    QVERIFY(!manifestPatternMatches("model_index.json", "model_index.jsonx"));
    QVERIFY(manifestPatternMatches("a?c", "abc"));
    QVERIFY(!manifestPatternMatches("a?c", "a/c"));
    QVERIFY(!manifestPatternMatches("a?c", "ac"));
    QVERIFY(manifestPatternMatches("v[0-9].txt", "v7.txt"));
    QVERIFY(!manifestPatternMatches("v[0-9].txt", "vx.txt"));
    QVERIFY(manifestPatternMatches("v[!0-9].txt", "vx.txt"));
    QVERIFY(!manifestPatternMatches("v[!0-9].txt", "v1.txt"));
    QVERIFY(manifestPatternMatches("[]]", "]"));
    QVERIFY(manifestPatternMatches("a[b", "a[b"));  // an unclosed class is a literal '['
    QVERIFY(manifestPatternMatches("*a*b*c*", "xxaxxbxxcxx"));
    QVERIFY(!manifestPatternMatches("*a*b*c*", "xxaxxcxxbxx"));
    QVERIFY(manifestPatternMatches("**", ""));
  }

  void parsesHubTree() {
    const auto files = parseHubTree(sdTreeJson(), "tree.json");
    QCOMPARE(files.size(), size_t(27));  // 14 small + 13 LFS; the 7 directories are skipped
    QCOMPARE(files[0].path, std::string(".gitattributes"));
    QCOMPARE(files[0].size, uint64_t(101));
    QVERIFY(files[0].sha256.empty());
    const HubFile& unet = files[22];
    QCOMPARE(unet.path, std::string("unet/diffusion_pytorch_model.safetensors"));
    QCOMPARE(unet.sha256, sha(unet.path));
    QCOMPARE(unet.size, uint64_t(3438167536ull + 22));
    // lfs.size wins over the pointer's size; an upper-case digest is lowered.
    const auto lfs = parseHubTree(
        q("[{'type':'file','oid':'x','size':135,'path':'w.safetensors',"
          " 'lfs':{'oid':'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855','size':4000000000,"
          " 'pointerSize':135}},"
          " {'type':'file','oid':'y','size':10,'path':'dir with space/ü.json'}]"),
        "t");
    QCOMPARE(lfs.size(), size_t(2));
    QCOMPARE(lfs[0].size, uint64_t(4000000000ull));
    QCOMPARE(lfs[0].sha256, std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(lfs[1].path, std::string("dir with space/ü.json"));
    QVERIFY(parseHubTree("[]", "t").empty());
  }

  void refusesHostileHubTrees() {
    auto one = [](const std::string& path) {
      return q("[{'type':'file','oid':'x','size':1,'path':'") + path + q("'}]");
    };
    for (const std::string path : {"../x", "a/../../x", "/etc/passwd", "a//b", "a\\\\b", "a/", ".", "a/./b", ""}) {
      const std::string e = errorOf([&] { parseHubTree(one(path), "listing"); });
      QVERIFY2(contains(e, "listing: "), (path + " → " + e).c_str());
    }
    for (const std::string& text :
         {std::string("{}"), std::string("not json"), std::string("[1]"), std::string(q("[{'type':'file','size':1}]")),
          std::string(q("[{'type':'file','path':'a','size':-1}]")), std::string(q("[{'type':'file','path':'a'}]")),
          std::string(q("[{'type':'file','path':'a','size':'1'}]")),
          std::string(q("[{'type':'file','path':'a','size':1,'lfs':{'oid':'abc','size':1}}]"))}) {
      const std::string e = errorOf([&] { parseHubTree(text, "listing"); });
      QVERIFY2(contains(e, "listing"), (text + " → " + e).c_str());
    }
  }

  void buildsHubUrls() {
    QCOMPARE(hubTreeUrl("https://huggingface.co", "o/r", "main"),
             std::string("https://huggingface.co/api/models/o/r/tree/main?recursive=1"));
    QCOMPARE(hubFileUrl("https://huggingface.co", "o/r", "main", "unet/diffusion_pytorch_model.fp16.safetensors"),
             std::string("https://huggingface.co/o/r/resolve/main/unet/diffusion_pytorch_model.fp16.safetensors"));
    QCOMPARE(hubFileUrl("https://h.co", "o/r", "refs/pr/1", "dir with space/ü~x#?.json"),
             std::string("https://h.co/o/r/resolve/refs%2Fpr%2F1/dir%20with%20space/%C3%BC~x%23%3F.json"));
    const char* saved = std::getenv("HF_ENDPOINT");
    const std::string restore = saved ? saved : "";
    ::setenv("HF_ENDPOINT", "https://mirror.example.org/hf//", 1);
    const std::string mirror = defaultHubEndpoint();
    ::unsetenv("HF_ENDPOINT");
    const std::string plain = defaultHubEndpoint();
    if (saved) ::setenv("HF_ENDPOINT", restore.c_str(), 1);
    QCOMPARE(mirror, std::string("https://mirror.example.org/hf"));
    QCOMPARE(plain, std::string("https://huggingface.co"));
  }

  // The Hub's paginated tree listing: the next page is the Link header's rel="next" target.
  void followsTheListingsNextPage() {
    const std::string hf =
        "<https://huggingface.co/api/models/o/r/tree/main?recursive=1&cursor=ZXlKbWFXeGxYMjVoYldVaU9pSjJZV1V2WkdsbVp>; rel=\"next\"";
    QCOMPARE(hubNextPageUrl(hf),
             std::string("https://huggingface.co/api/models/o/r/tree/main?recursive=1&cursor=ZXlKbWFXeGxYMjVoYldVaU9pSjJZV1V2WkdsbVp"));
    QCOMPARE(hubNextPageUrl(""), std::string());
    QCOMPARE(hubNextPageUrl("<https://h.co/a?p=1>; rel=\"prev\""), std::string());
    // Several values, the next one second, a URL holding ',' and ';', rel unquoted or listing types.
    QCOMPARE(hubNextPageUrl("<https://h.co/a?p=1>; rel=\"prev\", <https://h.co/a?x=1,2;3>; title=\"t\"; REL=next"),
             std::string("https://h.co/a?x=1,2;3"));
    QCOMPARE(hubNextPageUrl("<https://h.co/b>; rel=\"last next\""), std::string("https://h.co/b"));
    QCOMPARE(hubNextPageUrl("<https://h.co/unterminated; rel=\"next\""), std::string());
    QVERIFY(sameOrigin("https://huggingface.co/api/x?c=1", "https://huggingface.co"));
    QVERIFY(sameOrigin("https://HuggingFace.co:443/api", "https://huggingface.co"));
    QVERIFY(sameOrigin("http://127.0.0.1:8080/api", "http://127.0.0.1:8080"));
    QVERIFY(!sameOrigin("http://127.0.0.1:8081/api", "http://127.0.0.1:8080"));
    QVERIFY(!sameOrigin("https://evil.example/api", "https://huggingface.co"));
    QVERIFY(!sameOrigin("http://huggingface.co/api", "https://huggingface.co"));
    QVERIFY(!sameOrigin("https://huggingface.co@evil.example/api", "https://huggingface.co"));
    QVERIFY(!sameOrigin("/api/relative", "https://huggingface.co"));
  }

  void selectsVariantFilesNeverPickles() {
    const ManifestModel model = repositoryModel("sd15-inpainting");
    QCOMPARE(model.variant, std::string("fp16"));
    const auto chosen = selectModelFiles(model, parseHubTree(sdTreeJson(), "tree"));
    QCOMPARE(joined(pathsOf(chosen)), joined({
                                  "model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json",
                                  "text_encoder/model.fp16.safetensors", "tokenizer/merges.txt",
                                  "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json",
                                  "tokenizer/vocab.json", "unet/config.json",
                                  "unet/diffusion_pytorch_model.fp16.safetensors", "vae/config.json",
                                  "vae/diffusion_pytorch_model.safetensors"}));
    QCOMPARE(chosen[9].sha256, sha("unet/diffusion_pytorch_model.fp16.safetensors"));

    ManifestModel full = model;
    full.variant.clear();
    QCOMPARE(joined(pathsOf(selectModelFiles(full, parseHubTree(sdTreeJson(), "tree")))), joined({
                 "model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json",
                 "text_encoder/model.safetensors", "tokenizer/merges.txt", "tokenizer/special_tokens_map.json",
                 "tokenizer/tokenizer_config.json", "tokenizer/vocab.json", "unet/config.json",
                 "unet/diffusion_pytorch_model.safetensors", "vae/config.json",
                 "vae/diffusion_pytorch_model.safetensors"}));

    // A pattern broad enough to reach the pickles still never takes them.
    ManifestModel greedy = model;
    greedy.files = {"unet/*", "*"};
    for (const auto& f : selectModelFiles(greedy, parseHubTree(sdTreeJson(), "tree"))) {
      QVERIFY2(!contains(f.path, ".bin") && !contains(f.path, ".ckpt"), f.path.c_str());
    }
  }

  void selectionErrors() {
    ManifestModel model;
    model.id = "m";
    model.repo = "o/m";
    model.files = {"unet/config.json", "unet/diffusion_pytorch_model*.safetensors"};
    const auto listing = parseHubTree(
        q("[{'type':'file','oid':'a','size':5,'path':'README.md'},"
          " {'type':'file','oid':'b','size':7,'path':'unet/diffusion_pytorch_model.bin'}]"),
        "t");
    const std::string none = errorOf([&] { selectModelFiles(model, listing); });
    QVERIFY2(contains(none, "o/m") && contains(none, "unet/diffusion_pytorch_model*.safetensors"), none.c_str());
    auto withConfig = listing;
    withConfig.push_back({"unet/config.json", 3, ""});
    const std::string pickle = errorOf([&] { selectModelFiles(model, withConfig); });
    QVERIFY2(contains(pickle, "unet/diffusion_pytorch_model.bin"), pickle.c_str());
    withConfig.push_back({"unet/diffusion_pytorch_model.safetensors", 9, ""});
    QCOMPARE(selectModelFiles(model, withConfig).size(), size_t(2));
  }

  void installResumesVerifiesAndCompletes() {
    const std::string models = freshDir("install");
    TinyModel tiny;
    InstallPlan plan = planInstall(tiny.model, tiny.files, models);
    QCOMPARE(plan.folder, models + "/tiny");
    QCOMPARE(plan.staging, models + "/.tiny.download");
    QVERIFY(fs::is_directory(plan.staging + "/unet"));
    QVERIFY(!fs::exists(plan.folder));
    QCOMPARE(plan.totalBytes, uint64_t(5005));
    QCOMPARE(plan.doneBytes, uint64_t(0));
    const InstallFile* w = fileIn(plan, "unet/w.safetensors");
    QVERIFY(w);
    QCOMPARE(w->target, plan.staging + "/unet/w.safetensors");
    QCOMPARE(w->part, w->target + ".part");

    // A paused download: resume from the .part; a .part longer than the file starts again.
    writeFile(w->part, tiny.weights.substr(0, 2000));
    writeFile(fileIn(plan, "config.json")->part, "0123456789");
    plan = planInstall(tiny.model, tiny.files, models);
    w = fileIn(plan, "unet/w.safetensors");
    QCOMPARE(w->partBytes, uint64_t(2000));
    QVERIFY(!w->done);
    QCOMPARE(fileIn(plan, "config.json")->partBytes, uint64_t(0));
    QVERIFY(!fs::exists(fileIn(plan, "config.json")->part));
    QCOMPARE(plan.doneBytes, uint64_t(2000));

    // Wrong size: removed, the message names the file and both sizes.
    writeFile(w->part, tiny.weights.substr(0, 4999));
    std::string e = errorOf([&] { finishDownloadedFile(*w); });
    QVERIFY2(contains(e, "unet/w.safetensors") && contains(e, "4999") && contains(e, "5000"), e.c_str());
    QVERIFY(!fs::exists(w->part));
    QVERIFY(!fs::exists(w->target));

    // Right size, wrong bytes: the digest check removes it.
    std::string corrupt = tiny.weights;
    corrupt[4321] = static_cast<char>(corrupt[4321] ^ 1);
    writeFile(w->part, corrupt);
    e = errorOf([&] { finishDownloadedFile(*w); });
    QVERIFY2(contains(e, "unet/w.safetensors") && contains(e, "sha256") && contains(e, "removed"), e.c_str());
    QVERIFY(!fs::exists(w->part));
    QVERIFY(!fs::exists(w->target));

    // Cancelled while hashing: nothing is renamed or removed.
    writeFile(w->part, tiny.weights);
    bool cancelled = false;
    try {
      finishDownloadedFile(*w, [](uint64_t) { return false; });
    } catch (const JobCancelled&) {
      cancelled = true;
    }
    QVERIFY(cancelled);
    QVERIFY(fs::exists(w->part));
    QVERIFY(!fs::exists(w->target));

    finishDownloadedFile(*w);
    QVERIFY(!fs::exists(w->part));
    QCOMPARE(readFile(w->target), tiny.weights);

    e = errorOf([&] { completeInstall(plan, tiny.model); });
    QVERIFY2(contains(e, "config.json") && contains(e, "unet/config.json") && !contains(e, "w.safetensors"), e.c_str());
    QVERIFY(fs::is_directory(plan.staging));
    QVERIFY(!fs::exists(plan.folder));

    plan = planInstall(tiny.model, tiny.files, models);
    QVERIFY(fileIn(plan, "unet/w.safetensors")->done);
    QCOMPARE(plan.doneBytes, uint64_t(5000));
    for (const char* path : {"config.json", "unet/config.json"}) {
      const InstallFile* f = fileIn(plan, path);
      writeFile(f->part, std::string(f->remote.size, 'x'));
      finishDownloadedFile(*f);  // no digest listed: the size is checked
    }
    completeInstall(plan, tiny.model);
    QVERIFY(!fs::exists(plan.staging));
    QVERIFY(fs::is_directory(plan.folder));
    QCOMPARE(readFile(plan.folder + "/unet/w.safetensors"), tiny.weights);
    for (const auto& entry : fs::recursive_directory_iterator(plan.folder)) {
      QVERIFY2(entry.path().extension() != ".part", entry.path().c_str());
    }
    const auto record = nlohmann::json::parse(readFile(plan.folder + "/" + kInstallRecordName));
    QCOMPARE(record.at("id").get<std::string>(), std::string("tiny"));
    QCOMPARE(record.at("repo").get<std::string>(), std::string("someone/tiny"));
    QCOMPARE(record.at("revision").get<std::string>(), std::string("main"));
    QCOMPARE(record.at("files").size(), size_t(3));
    QCOMPARE(record.at("files")[2].at("size").get<uint64_t>(), uint64_t(5000));
    const std::string at = record.at("installed_at").get<std::string>();
    QVERIFY2(at.size() == 20 && at[4] == '-' && at[10] == 'T' && at.back() == 'Z', at.c_str());

    const auto installed = findInstalledModel(models, "tiny");
    QVERIFY(installed && !installed->partial);
    QCOMPARE(installed->folder, plan.folder);
    QCOMPARE(installed->bytes, 5005 + fs::file_size(plan.folder + "/" + kInstallRecordName));

    e = errorOf([&] { planInstall(tiny.model, tiny.files, models); });
    QVERIFY2(contains(e, plan.folder + ": already installed"), e.c_str());
  }

  void findsAndRemovesModels() {
    const std::string models = freshDir("find");
    TinyModel tiny;
    QVERIFY(!findInstalledModel(models, "tiny"));
    InstallPlan plan = planInstall(tiny.model, tiny.files, models);
    writeFile(fileIn(plan, "unet/w.safetensors")->part, tiny.weights.substr(0, 1234));
    auto partial = findInstalledModel(models, "tiny");
    QVERIFY(partial && partial->partial);
    QCOMPARE(partial->partialBytes, uint64_t(1234));
    discardPartialInstall(models, "tiny");
    QVERIFY(!fs::exists(plan.staging));
    QVERIFY(!findInstalledModel(models, "tiny"));
    discardPartialInstall(models, "tiny");  // nothing there: no error

    // A folder the user made is never deleted.
    writeFile(models + "/mine/unet/config.json", "{}");
    QVERIFY(!findInstalledModel(models, "mine"));
    std::string e = errorOf([&] { removeInstalledModel(models, "mine"); });
    QVERIFY2(contains(e, models + "/mine: not installed by Latentshop"), e.c_str());
    QVERIFY(fs::exists(models + "/mine/unet/config.json"));
    e = errorOf([&] { removeInstalledModel(models, "absent"); });
    QVERIFY2(contains(e, "absent"), e.c_str());

    plan = planInstall(tiny.model, tiny.files, models);
    for (const auto& f : plan.files) writeFile(f.target, f.remote.path == "unet/w.safetensors" ? tiny.weights
                                                                                             : std::string(f.remote.size, 'x'));
    completeInstall(plan, tiny.model);
    QVERIFY(findInstalledModel(models, "tiny"));
    removeInstalledModel(models, "tiny");
    QVERIFY(!fs::exists(models + "/tiny"));
    QVERIFY(!findInstalledModel(models, "tiny"));
    QVERIFY(fs::exists(models + "/mine"));
  }

  void refusesUnsafeIds() {
    const std::string models = freshDir("unsafe/models");
    writeFile(lstest::scratchDir() + "/unsafe/victim/keep.txt", "keep");
    writeFile(lstest::scratchDir() + "/unsafe/victim.download/keep.txt", "keep");
    TinyModel tiny;
    for (const std::string id : {"../victim", ".hidden", "", "a/b", "a b", "..", "/abs"}) {
      tiny.model.id = id;
      QVERIFY2(!errorOf([&] { planInstall(tiny.model, tiny.files, models); }).empty(), id.c_str());
      QVERIFY2(!errorOf([&] { findInstalledModel(models, id); }).empty(), id.c_str());
      QVERIFY2(!errorOf([&] { removeInstalledModel(models, id); }).empty(), id.c_str());
      QVERIFY2(!errorOf([&] { discardPartialInstall(models, id); }).empty(), id.c_str());
    }
    QVERIFY(fs::exists(lstest::scratchDir() + "/unsafe/victim/keep.txt"));
    QVERIFY(fs::exists(lstest::scratchDir() + "/unsafe/victim.download/keep.txt"));
    QVERIFY(fs::is_empty(models));
    // Hostile file paths in a plan are refused too.
    tiny.model.id = "tiny";
    tiny.files.push_back({"../escape.json", 1, ""});
    QVERIFY(!errorOf([&] { planInstall(tiny.model, tiny.files, models); }).empty());
    QVERIFY(!fs::exists(lstest::scratchDir() + "/unsafe/models/../escape.json"));
  }
};

QTEST_GUILESS_MAIN(TestModelInstall)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_model_install.moc"
#endif
