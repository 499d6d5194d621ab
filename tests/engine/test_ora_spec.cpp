// LATENTSHOP_TEST_LABELS: io
// The .ora files Latentshop writes follow the OpenRaster spec (openraster.org baseline
// file-layout-spec and layer-stack-spec), checked from the bytes and the XML rather than through
// Latentshop's own reader: the zip's first local file header is `mimetype`, stored (method 0),
// no extra field, content "image/openraster"; stack.xml is well-formed with one root <stack> and
// every baseline attribute; every src and every Latentshop reference exists; every data/ file is
// referenced; mergedimage.png equals the flatten; the thumbnail fits 256 px with the aspect kept.
#include <cstring>
#include <set>
#include <string>

#include <pugixml.hpp>

#include "support/testing.h"
#include "support/test_paths.h"
#include "test_project_fixtures.h"
#include "engine/io/flatten.h"
#include "engine/io/ora_writer.h"
#include "engine/io/ora_zip.h"
#include "engine/io/png_text_codec.h"

using namespace latentshop;

namespace {

std::uint32_t le32(const std::vector<std::uint8_t>& b, size_t o) {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (static_cast<std::uint32_t>(b[o + 3]) << 24);
}
std::uint16_t le16(const std::vector<std::uint8_t>& b, size_t o) {
  return static_cast<std::uint16_t>(b[o] | (b[o + 1] << 8));
}

std::string saveSample(const std::string& name, const Project& p) {
  const std::string path = lstest::scratchDir() + "/" + name;
  saveOra(p, path);
  return path;
}

cv::Mat decodeEntry(const OraZipReader& zip, const std::string& name, PngPixels want = PngPixels::Rgba) {
  const auto bytes = zip.read(name);
  return decodePng(bytes.data(), bytes.size(), want, name).image;
}

}  // namespace

class TestOraSpec : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void mimetypeIsTheFirstStoredEntryWithoutExtraField() {
    const auto bytes = lstest::readBytes(saveSample("spec.ora", lstest::sampleProject()));
    QVERIFY(bytes.size() > 30 + 8 + 16);
    QCOMPARE(le32(bytes, 0), 0x04034b50u);              // local file header signature
    const std::uint16_t flags = le16(bytes, 6);
    QCOMPARE(flags & 0x0001, 0);                        // not encrypted
    QCOMPARE(flags & 0x0008, 0);                        // sizes in the header, no data descriptor
    QCOMPARE(le16(bytes, 8), std::uint16_t(0));         // compression method 0: stored
    QCOMPARE(le32(bytes, 18), 16u);                     // compressed size
    QCOMPARE(le32(bytes, 22), 16u);                     // uncompressed size
    QCOMPARE(le16(bytes, 26), std::uint16_t(8));        // file name length
    QCOMPARE(le16(bytes, 28), std::uint16_t(0));        // extra field length
    QCOMPARE(std::string(bytes.begin() + 30, bytes.begin() + 38), std::string("mimetype"));
    QCOMPARE(std::string(bytes.begin() + 38, bytes.begin() + 54), std::string("image/openraster"));
  }

  void stackXmlIsWellFormedAndEveryReferenceExists() {
    const Project p = lstest::sampleProject();
    const std::string path = saveSample("spec2.ora", p);
    OraZipReader zip(path);
    const auto names = zip.names();
    QCOMPARE(names.front(), std::string("mimetype"));
    const std::set<std::string> entries(names.begin(), names.end());
    QVERIFY(entries.count("stack.xml"));
    QVERIFY(entries.count("mergedimage.png"));
    QVERIFY(entries.count("Thumbnails/thumbnail.png"));

    const auto xml = zip.read("stack.xml");
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(xml.data(), xml.size());
    QVERIFY2(parsed, parsed.description());
    const pugi::xml_node image = doc.document_element();
    QCOMPARE(std::string(image.name()), std::string("image"));
    QCOMPARE(image.attribute("w").as_int(), 64);
    QCOMPARE(image.attribute("h").as_int(), 48);
    QVERIFY(!std::string(image.attribute("version").value()).empty());
    QCOMPARE(std::distance(image.children("stack").begin(), image.children("stack").end()), std::ptrdiff_t(1));
    const std::string ns = image.attribute("xmlns:latentshop").value();
    QVERIFY(!ns.empty());

    std::set<std::string> referenced;
    std::vector<pugi::xml_node> layers;
    for (pugi::xml_node l : image.child("stack").children("layer")) layers.push_back(l);
    QCOMPARE(layers.size(), p.layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
      const pugi::xml_node l = layers[i];
      const ProjectLayer& expected = p.layers[p.layers.size() - 1 - i];  // stack.xml lists top first
      QCOMPARE(std::string(l.attribute("name").value()), expected.name);
      for (const char* a : {"src", "x", "y", "opacity", "visibility", "composite-op"})
        QVERIFY2(l.attribute(a), a);
      QCOMPARE(l.attribute("x").as_int(), expected.x);
      QCOMPARE(l.attribute("y").as_int(), expected.y);
      QCOMPARE(l.attribute("opacity").as_double(), expected.opacity);
      QCOMPARE(std::string(l.attribute("visibility").value()), std::string(expected.visible ? "visible" : "hidden"));
      QCOMPARE(std::string(l.attribute("composite-op").value()), std::string("svg:src-over"));
      const std::string src = l.attribute("src").value();
      QVERIFY2(entries.count(src), src.c_str());
      referenced.insert(src);
      const cv::Mat pixels = decodeEntry(zip, src);
      if (!expected.rgba.empty()) QCOMPARE(lstest::maxAbsDiff(pixels, expected.rgba), 0);
      for (const char* own : {"latentshop:meta", "latentshop:mask"}) {
        const std::string ref = l.attribute(own).value();
        if (!ref.empty()) {
          QVERIFY2(entries.count(ref), ref.c_str());
          referenced.insert(ref);
        }
      }
    }
    referenced.insert(image.attribute("latentshop:project").value());
    QVERIFY(entries.count(image.attribute("latentshop:project").value()));
    // Every file under data/ is referenced from stack.xml (file-layout spec).
    for (const auto& name : names)
      if (name.rfind("data/", 0) == 0) QVERIFY2(referenced.count(name), name.c_str());
  }

  void mergedImageIsTheFlattenAndTheThumbnailFits() {
    Project p = lstest::sampleProject();
    OraZipReader small(saveSample("merged.ora", p));
    QCOMPARE(lstest::maxAbsDiff(decodeEntry(small, "mergedimage.png"), flatten(p)), 0);
    QCOMPARE(decodeEntry(small, "Thumbnails/thumbnail.png").size(), cv::Size(64, 48));  // never upscaled

    Project wide = projectFromImage(lstest::randomImage(300, 600, CV_8UC3, 11));
    ProjectLayer top;
    top.rgba = lstest::randomImage(100, 100, CV_8UC4, 12);
    top.x = 250;
    top.y = 150;
    top.opacity = 0.7;
    wide.addLayer(top);
    OraZipReader zip(saveSample("wide.ora", wide));
    const cv::Mat merged = decodeEntry(zip, "mergedimage.png");
    QCOMPARE(merged.size(), cv::Size(600, 300));
    QCOMPARE(lstest::maxAbsDiff(merged, flatten(wide)), 0);
    const auto thumbBytes = zip.read("Thumbnails/thumbnail.png");
    QCOMPARE(thumbBytes[24], std::uint8_t(8));  // bit depth 8
    QCOMPARE(thumbBytes[28], std::uint8_t(0));  // not interlaced
    QCOMPARE(decodeEntry(zip, "Thumbnails/thumbnail.png").size(), cv::Size(256, 128));
  }

  void centralDirectoryIsConsistentAndPngsAreStored() {
    // Walks the zip's central directory by hand: every entry's local header is where the directory
    // says, with the same name; PNGs are stored (already compressed), XML/JSON deflated.
    const auto b = lstest::readBytes(saveSample("methods.ora", lstest::sampleProject()));
    size_t eocd = b.size() - 22;
    while (eocd > 0 && le32(b, eocd) != 0x06054b50u) --eocd;
    QVERIFY(le32(b, eocd) == 0x06054b50u);
    const size_t count = le16(b, eocd + 10);
    size_t at = le32(b, eocd + 16);
    QCOMPARE(count, size_t(16));  // 15 + the keep-out mask
    for (size_t i = 0; i < count; ++i) {
      QCOMPARE(le32(b, at), 0x02014b50u);
      const std::uint16_t method = le16(b, at + 10);
      const size_t nameLen = le16(b, at + 28), extraLen = le16(b, at + 30), commentLen = le16(b, at + 32);
      const size_t local = le32(b, at + 42);
      const std::string name(b.begin() + static_cast<std::ptrdiff_t>(at + 46),
                             b.begin() + static_cast<std::ptrdiff_t>(at + 46 + nameLen));
      QCOMPARE(le32(b, local), 0x04034b50u);
      QCOMPARE(std::string(b.begin() + static_cast<std::ptrdiff_t>(local + 30),
                           b.begin() + static_cast<std::ptrdiff_t>(local + 30 + nameLen)),
               name);
      const bool png = name.size() > 4 && name.compare(name.size() - 4, 4, ".png") == 0;
      if (png || name == "mimetype")
        QVERIFY2(method == 0, name.c_str());
      else
        QVERIFY2(method == 8, name.c_str());
      at += 46 + nameLen + extraLen + commentLen;
    }
  }
};

QTEST_GUILESS_MAIN(TestOraSpec)
#ifdef LATENTSHOP_TEST_WITH_QT
#include "test_ora_spec.moc"
#endif
