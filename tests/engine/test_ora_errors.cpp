// LATENTSHOP_TEST_LABELS: io
// Bad project files: each fault gives one clear latentshop::Error naming the file (and the entry
// inside it) and the problem, and loadOra returns nothing (all-or-nothing by construction: it
// either returns a validated Project or throws).
#include <functional>
#include <string>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_project_fixtures.h"
#include "engine/core/error.h"
#include "engine/io/ora_reader.h"
#include "engine/io/ora_writer.h"
#include "engine/io/ora_zip.h"
#include "engine/io/png_text_codec.h"

using namespace latentshop;

namespace {

std::string scratch(const std::string& name) { return lstest::scratchDir() + "/" + name; }

const std::string& goodFile() {
  static const std::string path = [] {
    const std::string p = scratch("good.ora");
    saveOra(lstest::sampleProject(), p);
    return p;
  }();
  return path;
}

// The message loadOra throws for `path` ("" when it loads).
std::string loadError(const std::string& path) {
  try {
    loadOra(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A copy of the good file with entries edited (`edit` may change the bytes; false drops the entry).
std::string rewritten(const std::string& name,
                      const std::function<bool(const std::string&, std::vector<std::uint8_t>&)>& edit) {
  const std::string out = scratch(name);
  OraZipReader in(goodFile());
  OraZipWriter zip(out);
  for (const auto& entry : in.names()) {
    auto bytes = in.read(entry);
    if (edit(entry, bytes)) zip.add(entry, std::move(bytes), entry != "mimetype" && entry.find(".png") == std::string::npos);
  }
  zip.close();
  return out;
}

std::vector<std::uint8_t> bytesOf(const std::string& s) { return {s.begin(), s.end()}; }

std::string replaced(const std::vector<std::uint8_t>& bytes, const std::string& from, const std::string& to) {
  std::string s(bytes.begin(), bytes.end());
  const size_t at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

#define EXPECT_LOAD_ERROR(path, fragment)                                                          \
  do {                                                                                             \
    const std::string message_ = loadError(path);                                                  \
    QVERIFY2(!message_.empty(), "the file loaded");                                                \
    QVERIFY2(lstest::contains(message_, path), message_.c_str());                                  \
    QVERIFY2(lstest::contains(message_, fragment), message_.c_str());                              \
  } while (0)

class TestOraErrors : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void goodFileLoads() { QCOMPARE(loadError(goodFile()), std::string()); }

  void missingFile() { EXPECT_LOAD_ERROR(scratch("nope.ora"), "no such file"); }

  void notAZip() {
    const std::string path = scratch("text.ora");
    lstest::writeBytes(path, bytesOf("this is not an OpenRaster file\n"));
    EXPECT_LOAD_ERROR(path, "not a zip archive");
    const std::string png = scratch("image.ora");
    lstest::writeBytes(png, encodePng(lstest::randomImage(8, 8, CV_8UC3, 1)));
    EXPECT_LOAD_ERROR(png, "not a zip archive");
  }

  void truncatedZip() {
    const auto bytes = lstest::readBytes(goodFile());
    for (double keep : {0.1, 0.5, 0.9}) {
      const std::string path = scratch("truncated-" + std::to_string(static_cast<int>(keep * 100)) + ".ora");
      lstest::writeBytes(path, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() * keep)));
      EXPECT_LOAD_ERROR(path, "truncated");
    }
    const std::string tail = scratch("truncated-tail.ora");
    lstest::writeBytes(tail, std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 1));
    QVERIFY(!loadError(tail).empty());
    QVERIFY2(lstest::contains(loadError(tail), tail), loadError(tail).c_str());
  }

  void missingStackXml() {
    const std::string path = rewritten("nostack.ora", [](const std::string& n, auto&) { return n != "stack.xml"; });
    EXPECT_LOAD_ERROR(path, "stack.xml is missing");
  }

  void malformedStackXml() {
    const std::string path = rewritten("badxml.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") b.resize(b.size() / 2);
      return true;
    });
    EXPECT_LOAD_ERROR(path, "stack.xml: malformed XML");
    const std::string noStack = rewritten("nostackelement.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") b = bytesOf("<?xml version=\"1.0\"?><image w=\"4\" h=\"4\"></image>");
      return true;
    });
    EXPECT_LOAD_ERROR(noStack, "no <stack> element");
  }

  void layerPngMissing() {
    const std::string path = rewritten("nolayer.ora", [](const std::string& n, auto&) { return n != "data/layer-001.png"; });
    EXPECT_LOAD_ERROR(path, "data/layer-001.png: layer image missing");
  }

  void layerPngCorrupt() {
    const std::string garbage = rewritten("garbage.ora", [](const std::string& n, auto& b) {
      if (n == "data/layer-001.png") b = bytesOf("definitely not a PNG");
      return true;
    });
    EXPECT_LOAD_ERROR(garbage, "data/layer-001.png: not a PNG file");
    const std::string cut = rewritten("cutpng.ora", [](const std::string& n, auto& b) {
      if (n == "data/layer-000.png") b.resize(b.size() / 2);
      return true;
    });
    EXPECT_LOAD_ERROR(cut, "data/layer-000.png: corrupt PNG");
  }

  void damagedZipData() {
    // Flip one byte inside the stored data of data/layer-000.png: the zip CRC no longer matches.
    auto bytes = lstest::readBytes(goodFile());
    const std::string name = "data/layer-000.png";
    const std::string all(bytes.begin(), bytes.end());
    const size_t header = all.find(name) - 30;  // the first occurrence is the local header's name
    const size_t data = header + 30 + name.size() + (bytes[header + 28] | (bytes[header + 29] << 8));
    bytes[data + 200] ^= 0x5a;
    const std::string path = scratch("crc.ora");
    lstest::writeBytes(path, bytes);
    EXPECT_LOAD_ERROR(path, "data/layer-000.png");
  }

  void sizesThatDoNotFit() {
    const std::string mask = rewritten("masksize.ora", [](const std::string& n, auto& b) {
      if (n == "latentshop/masks/layer-001.png") b = encodePng(cv::Mat(10, 12, CV_8UC1, cv::Scalar(255)));
      return true;
    });
    EXPECT_LOAD_ERROR(mask, "latentshop/masks/layer-001.png: 12x10 mask does not match the 64x48 canvas");
    const std::string merged = rewritten("mergedsize.ora", [](const std::string& n, auto& b) {
      if (n == "mergedimage.png") b = encodePng(cv::Mat(10, 12, CV_8UC4, cv::Scalar::all(0)));
      return true;
    });
    EXPECT_LOAD_ERROR(merged, "mergedimage.png: 12x10 does not match the 64x48 canvas");
    const std::string huge = rewritten("huge.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") b = bytesOf(replaced(b, "w=\"64\"", "w=\"70000\""));
      return true;
    });
    EXPECT_LOAD_ERROR(huge, "canvas size 70000x48 is outside");
    const std::string zero = rewritten("zero.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") b = bytesOf(replaced(b, "h=\"48\"", "h=\"0\""));
      return true;
    });
    EXPECT_LOAD_ERROR(zero, "canvas size 64x0");
  }

  void wrongMimetype() {
    const std::string path = rewritten("mime.ora", [](const std::string& n, auto& b) {
      if (n == "mimetype") b = bytesOf("application/zip");
      return true;
    });
    EXPECT_LOAD_ERROR(path, "mimetype is 'application/zip'");
  }

  void badAttributesAndMetadata() {
    const std::string number = rewritten("number.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") b = bytesOf(replaced(b, "x=\"10\"", "x=\"ten\""));
      return true;
    });
    EXPECT_LOAD_ERROR(number, "x=\"ten\" is not a number");
    const std::string opacity = rewritten("opacity.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") b = bytesOf(replaced(b, "opacity=\"0.6\"", "opacity=\"1.5\""));
      return true;
    });
    EXPECT_LOAD_ERROR(opacity, "opacity 1.5 is outside 0..1");
    const std::string kind = rewritten("kind.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") b = bytesOf(replaced(b, "latentshop:kind=\"result\"", "latentshop:kind=\"sticker\""));
      return true;
    });
    EXPECT_LOAD_ERROR(kind, "unknown layer kind 'sticker'");
    const std::string json = rewritten("json.ora", [](const std::string& n, auto& b) {
      if (n == "latentshop/layers/layer-001.json") b = bytesOf("{\"params\": {\"seed\": ");
      return true;
    });
    EXPECT_LOAD_ERROR(json, "latentshop/layers/layer-001.json: not valid JSON");
    const std::string newer = rewritten("newer.ora", [](const std::string& n, auto& b) {
      if (n == "latentshop/project.json") b = bytesOf(replaced(b, "\"version\": 1", "\"version\": 99"));
      return true;
    });
    EXPECT_LOAD_ERROR(newer, "written by a newer Latentshop (project format 99");
    const std::string dangling = rewritten("dangling.ora", [](const std::string& n, auto& b) {
      if (n == "latentshop/project.json") b = bytesOf(replaced(b, "\"result-7\"", "\"gone\""));
      return true;
    });
    EXPECT_LOAD_ERROR(dangling, "active layer 'gone' does not exist");
    const std::string dupe = rewritten("dupe.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") b = bytesOf(replaced(b, "latentshop:id=\"layer-3\"", "latentshop:id=\"original\""));
      return true;
    });
    EXPECT_LOAD_ERROR(dupe, "id 'original' is used by another layer");
  }

  // Hostile stack.xml / project.json that used to escape as something other than an Error.
  void hostileStackAndProjectJson() {
    // "format" not a string: json::value() threw nlohmann's type_error.
    const std::string format = rewritten("format.ora", [](const std::string& n, auto& b) {
      if (n == "latentshop/project.json") b = bytesOf(replaced(b, "\"format\": \"latentshop-project\"", "\"format\": 7"));
      return true;
    });
    EXPECT_LOAD_ERROR(format, "latentshop/project.json: not a Latentshop project description");
    // Offsets summed over nested groups overflowed int (undefined behaviour).
    const std::string offsets = rewritten("offsets.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") {
        const std::string g = "<stack x=\"900000000\">";
        b = bytesOf(replaced(bytesOf(replaced(b, "<stack>", "<stack>" + g + g + g)), "</stack>", "</stack></stack></stack></stack>"));
      }
      return true;
    });
    EXPECT_LOAD_ERROR(offsets, "offset with its groups' x/y is out of range");
    // Deeply nested groups recursed without bound (a stack overflow for a few hundred KB of XML).
    const std::string deep = rewritten("deep.ora", [](const std::string& n, auto& b) {
      if (n == "stack.xml") {
        std::string open, close;
        for (int i = 0; i < 100; ++i) open += "<stack>", close += "</stack>";
        b = bytesOf(replaced(bytesOf(replaced(b, "<stack>", "<stack>" + open)), "</stack>", close + "</stack>"));
      }
      return true;
    });
    EXPECT_LOAD_ERROR(deep, "groups nested deeper than 64");
  }
};

QTEST_GUILESS_MAIN(TestOraErrors)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_ora_errors.moc"
#endif
