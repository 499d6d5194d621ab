// LATENTSHOP_TEST_LABELS: io
// safetensors: golden files load, round trip through the writer, and every header fault gets its
// own message naming the file.
#include <cstdio>
#include <fstream>
#include <string>

#include "support/testing.h"
#include "support/precision_bounds.h"
#include "support/tensor_compare.h"
#include "support/test_paths.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"

using namespace latentshop;

namespace {
// Writes 8-byte length + header text + `data` bytes.
std::string writeRaw(const std::string& name, const std::string& header, const std::string& data,
                     long long lengthOverride = -1) {
  const std::string path = lstest::scratchDir() + "/" + name;
  std::ofstream f(path, std::ios::binary);
  unsigned long long n = lengthOverride >= 0 ? static_cast<unsigned long long>(lengthOverride) : header.size();
  for (int i = 0; i < 8; ++i) f.put(static_cast<char>((n >> (8 * i)) & 0xff));
  f << header << data;
  return path;
}

// The message of the Error that opening `path` throws, or "" when it opens.
std::string openError(const std::string& path) {
  try {
    SafetensorsFile f(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void loadsGoldenFile() {
    SafetensorsFile f(lstest::goldenPath("vae_tiny.io.safetensors"));
    QVERIFY(f.contains("in.image"));
    auto img = f.view("in.image");
    QCOMPARE(img.sizes().vec(), (std::vector<int64_t>{1, 3, 32, 32}));
    QVERIFY(img.scalar_type() == torch::kFloat);
    QVERIFY(img.abs().max().item<float>() <= 1.0f);
    QVERIFY(!f.metadata().empty());
  }

  void roundTripsEveryDtype() {
    const std::string path = lstest::scratchDir() + "/rt.safetensors";
    auto f32 = torch::randn({3, 5});
    std::vector<std::pair<std::string, torch::Tensor>> ts = {
        {"f32", f32},
        {"f16", f32.to(torch::kHalf)},
        {"bf16", f32.to(torch::kBFloat16)},
        {"i64", torch::arange(7, torch::kLong)},
        {"u8", torch::arange(9, torch::kByte).reshape({3, 3})},
        {"scalar", torch::tensor(2.5f)},
        {"empty", torch::zeros({0, 4})},
        {"noncontig", f32.t()},
    };
    writeSafetensors(path, ts, {{"format", "pt"}});
    SafetensorsFile f(path);
    QCOMPARE(f.names(), (std::vector<std::string>{"f32", "f16", "bf16", "i64", "u8", "scalar", "empty", "noncontig"}));
    QCOMPARE(f.metadata().at("format"), std::string("pt"));
    for (const auto& [name, t] : ts) {
      auto back = f.view(name);
      QVERIFY2(back.scalar_type() == t.scalar_type(), name.c_str());
      QVERIFY2(back.sizes() == t.sizes(), name.c_str());
      QVERIFY2(torch::equal(back, t.contiguous()), name.c_str());
    }
    auto asFloat = f.load("bf16", torch::kFloat);
    QVERIFY(asFloat.scalar_type() == torch::kFloat);
    // Rounding to bf16 (nearest even) moves each value by at most half an ulp: eps/2 · |x|.
    const double halfUlp = lstest::lowPrecisionBound(torch::kBFloat16, 1.0, 1.0, 0.5);  // relative: eps/2
    const auto c = lstest::allClose(asFloat, f32, 0.0, halfUlp, "bf16 read as fp32");
    QVERIFY2(c.ok, c.message.c_str());
  }

  void viewOutlivesFileObject() {
    const std::string path = lstest::scratchDir() + "/keep.safetensors";
    writeSafetensors(path, {{"x", torch::full({1000}, 3.0f)}});
    torch::Tensor v;
    {
      SafetensorsFile f(path);
      v = f.view("x");
    }
    QCOMPARE(v.sum().item<float>(), 3000.0f);
  }

  void missingFile() {
    const auto msg = openError("/nonexistent/model.safetensors");
    QVERIFY2(contains(msg, "/nonexistent/model.safetensors: cannot open"), msg.c_str());
  }

  void tooShortFile() {
    const std::string path = lstest::scratchDir() + "/short.safetensors";
    std::ofstream(path, std::ios::binary) << "abc";
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "too short"), msg.c_str());
  }

  void headerLengthPastEnd() {
    const auto path = writeRaw("len.safetensors", "{}", "", 1ll << 40);
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "header length") && contains(msg, "past the end"), msg.c_str());
  }

  void truncatedData() {
    const auto path = writeRaw("trunc.safetensors",
                               R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, '\0'));
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "'a'") && contains(msg, "past the end of the data"), msg.c_str());
  }

  void malformedJson() {
    const auto path = writeRaw("json.safetensors", R"({"a":{"dtype":"F32",)", "");
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "not well-formed JSON"), msg.c_str());
  }

  void unknownDtype() {
    const auto path = writeRaw("dtype.safetensors",
                               R"({"a":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}})", std::string(1, '\0'));
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "unknown dtype 'F8_E9'"), msg.c_str());
  }

  void shapeMismatch() {
    const auto path = writeRaw("shape.safetensors",
                               R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", std::string(20, '\0'));
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "shape × itemsize is 24 bytes but data_offsets cover 20"), msg.c_str());
  }

  void overlappingOffsets() {
    const auto path = writeRaw("overlap.safetensors",
                               R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                               std::string(12, '\0'));
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "overlapping"), msg.c_str());
  }

  void reversedOffsets() {
    const auto path = writeRaw("rev.safetensors",
                               R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})", std::string(4, '\0'));
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "reversed"), msg.c_str());
  }

  void missingFields() {
    const auto path = writeRaw("fields.safetensors", R"({"a":{"dtype":"F32","shape":[1]}})", std::string(4, '\0'));
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "data_offsets"), msg.c_str());
  }

  // Found by tests/fuzz/fuzz_safetensors: a number too large for a double escaped as nlohmann's
  // out_of_range instead of an Error.
  void numberOverflowInHeader() {
    const auto path = writeRaw("bignum.safetensors", R"({"__metadata__":{},"a":1e400})", "");
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "not well-formed JSON"), msg.c_str());
  }

  // shape × itemsize wrapping around 2^64 to the covered byte count (here 0) must not pass.
  void shapeProductOverflow() {
    const auto path = writeRaw("wrap.safetensors",
                               R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", "");
    const auto msg = openError(path);
    QVERIFY2(contains(msg, path) && contains(msg, "tensor 'a': shape has more elements"), msg.c_str());
    const auto empty = writeRaw("zero.safetensors",
                                R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", "");
    QCOMPARE(openError(empty), std::string());
  }

  void unknownTensorName() {
    SafetensorsFile f(lstest::goldenPath("vae_tiny.io.safetensors"));
    try {
      f.view("no.such.tensor");
      QFAIL("expected an error");
    } catch (const Error& e) {
      QVERIFY(contains(e.what(), "no tensor named 'no.such.tensor'"));
    }
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_safetensors.moc"
#endif
