#include "engine/io/ora_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <pugixml.hpp>

#include "engine/core/error.h"
#include "engine/io/decode_policy.h"
#include "engine/io/ora_format.h"
#include "engine/io/ora_zip.h"
#include "engine/io/png_text_codec.h"

namespace latentshop {

namespace {

// JSON entries and stack.xml: a project's descriptions are kilobytes; 64 MiB is far beyond any.
constexpr std::uint64_t kMaxTextEntryBytes = 64u << 20;

// One <layer> with what its enclosing stacks contribute.
struct LayerRef {
  pugi::xml_node node;
  int dx = 0;
  int dy = 0;
  double opacity = 1.0;
  bool visible = true;
};

class StackFile {
public:
  explicit StackFile(const OraZipReader& zip) : path_(zip.path()) {
    checkMimetype(zip);
    if (!zip.contains(ora::kStackEntry))
      throw Error(path_ + ": stack.xml is missing (not an OpenRaster file, or a damaged one)");
    const auto bytes = zip.read(ora::kStackEntry, kMaxTextEntryBytes);
    const pugi::xml_parse_result r = doc_.load_buffer(bytes.data(), bytes.size(), pugi::parse_default,
                                                      pugi::encoding_utf8);
    if (!r)
      throw Error(path_ + ": stack.xml: malformed XML: " + r.description() + " at byte " +
                  std::to_string(r.offset));
    image_ = doc_.child("image");
    if (!image_) throw Error(path_ + ": stack.xml: no <image> root element");
    width = intAttr(image_, "w", "<image>", true);
    height = intAttr(image_, "h", "<image>", true);
    if (width <= 0 || height <= 0 || width > kMaxProjectSide || height > kMaxProjectSide)
      throw Error(path_ + ": stack.xml: canvas size " + std::to_string(width) + "x" + std::to_string(height) +
                  " is outside 1.." + std::to_string(kMaxProjectSide));
    checkPixelBudget(path_ + ": stack.xml canvas", width, height);
    for (const pugi::xml_attribute a : image_.attributes()) {
      const std::string name = a.name();
      if (name.rfind("xmlns:", 0) == 0 && std::string(a.value()) == ora::kNamespace) prefix_ = name.substr(6);
    }
    stack_ = image_.child("stack");
    if (!stack_) throw Error(path_ + ": stack.xml: <image> has no <stack> element");
  }

  int width = 0;
  int height = 0;

  // Latentshop's attribute `name` on `node` ("" when absent or when the file has no Latentshop namespace).
  std::string own(const pugi::xml_node& node, const char* name) const {
    if (prefix_.empty()) return "";
    return node.attribute((prefix_ + ":" + name).c_str()).value();
  }
  std::string projectEntry() const { return own(image_, "project"); }

  std::vector<LayerRef> layersTopToBottom() const {
    std::vector<LayerRef> out;
    collect(stack_, LayerRef{}, out, 0);
    return out;
  }

  int intAttr(const pugi::xml_node& node, const char* name, const std::string& what, bool required) const {
    const pugi::xml_attribute a = node.attribute(name);
    if (!a) {
      if (required) throw Error(path_ + ": stack.xml: " + what + " has no '" + name + "' attribute");
      return 0;
    }
    const double v = number(a, what);
    if (std::fabs(v) > 1e9) throw Error(path_ + ": stack.xml: " + what + ": " + name + "=\"" + a.value() + "\" is out of range");
    return static_cast<int>(std::lround(v));
  }

  double number(const pugi::xml_attribute& a, const std::string& what) const {
    const char* text = a.value();
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    while (end && (*end == ' ' || *end == '\t')) ++end;
    if (end == text || (end && *end) || !std::isfinite(v))
      throw Error(path_ + ": stack.xml: " + what + ": " + a.name() + "=\"" + text + "\" is not a number");
    return v;
  }

private:
  void checkMimetype(const OraZipReader& zip) const {
    if (!zip.contains(ora::kMimetypeEntry))
      throw Error(path_ + ": no 'mimetype' entry: not an OpenRaster file");
    const auto bytes = zip.read(ora::kMimetypeEntry, 4096);
    std::string text(bytes.begin(), bytes.end());
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    if (text != ora::kMimetype)
      throw Error(path_ + ": mimetype is '" + text + "', not '" + ora::kMimetype + "': not an OpenRaster file");
  }

  // Nested groups deeper than this are refused (the recursion would otherwise exhaust the stack on
  // a stack.xml of a few kilobytes); offsets summed over the groups stay within ±1e9.
  static constexpr int kMaxStackDepth = 64;

  void collect(const pugi::xml_node& stack, const LayerRef& parent, std::vector<LayerRef>& out, int depth) const {
    if (depth > kMaxStackDepth)
      throw Error(path_ + ": stack.xml: <stack> groups nested deeper than " + std::to_string(kMaxStackDepth));
    for (const pugi::xml_node child : stack.children()) {
      const std::string tag = child.name();
      if (tag != "layer" && tag != "stack") continue;  // <text>, <filter>, ...: not baseline
      const std::string what = "<" + tag + " name=\"" + child.attribute("name").value() + "\">";
      LayerRef ref = parent;
      ref.node = child;
      const long long dx = static_cast<long long>(ref.dx) + intAttr(child, "x", what, false);
      const long long dy = static_cast<long long>(ref.dy) + intAttr(child, "y", what, false);
      if (dx < -1000000000LL || dx > 1000000000LL || dy < -1000000000LL || dy > 1000000000LL)
        throw Error(path_ + ": stack.xml: " + what + ": offset with its groups' x/y is out of range");
      ref.dx = static_cast<int>(dx);
      ref.dy = static_cast<int>(dy);
      if (const auto a = child.attribute("opacity")) {
        const double o = number(a, what);
        if (o < 0.0 || o > 1.0)
          throw Error(path_ + ": stack.xml: " + what + ": opacity " + a.value() + " is outside 0..1");
        ref.opacity *= o;
      }
      if (std::string(child.attribute("visibility").value()) == "hidden") ref.visible = false;
      if (tag == "layer")
        out.push_back(ref);
      else
        collect(child, ref, out, depth + 1);
    }
  }

  std::string path_;
  pugi::xml_document doc_;
  pugi::xml_node image_;
  pugi::xml_node stack_;
  std::string prefix_;
};

// A PNG entry's size from its IHDR (the first 24 bytes), checked against the pixel budget before
// the entry is inflated, and the most bytes such a PNG can take (its raw pixels, stored without
// compression, plus room for metadata chunks): a 4 GiB entry that declares a 2x2 image is refused
// unread.
struct PngEntrySize {
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::uint64_t maxEntryBytes = 0;
};

PngEntrySize pngEntrySize(const OraZipReader& zip, const std::string& entry) {
  const auto head = zip.readPrefix(entry, 24);
  static const std::uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const std::string where = zip.path() + ": " + entry;
  if (head.size() < 24 || !std::equal(sig, sig + 8, head.begin()) || std::string(head.begin() + 12, head.begin() + 16) != "IHDR")
    throw Error(where + ": not a PNG file");
  auto be32 = [&](size_t o) {
    return (static_cast<std::uint32_t>(head[o]) << 24) | (static_cast<std::uint32_t>(head[o + 1]) << 16) |
           (static_cast<std::uint32_t>(head[o + 2]) << 8) | head[o + 3];
  };
  PngEntrySize s;
  s.width = be32(16);
  s.height = be32(20);
  if (s.width <= 0 || s.height <= 0 || s.width > kMaxProjectSide || s.height > kMaxProjectSide)
    throw Error(where + ": " + std::to_string(s.width) + "x" + std::to_string(s.height) + " is outside 1.." +
                std::to_string(kMaxProjectSide) + " pixels a side");
  checkPixelBudget(where, s.width, s.height);
  // 16-bit RGBA is 8 bytes a pixel, plus a filter byte a row; stored deflate blocks add 5 bytes in
  // 65535; 16 MiB for text, ICC and other chunks.
  const std::uint64_t raw = static_cast<std::uint64_t>(s.width * 8 + 1) * static_cast<std::uint64_t>(s.height);
  s.maxEntryBytes = raw + raw / 8192 + (16u << 20);
  return s;
}

nlohmann::json readJson(const OraZipReader& zip, const std::string& entry) {
  const auto bytes = zip.read(entry, kMaxTextEntryBytes);
  try {
    return nlohmann::json::parse(bytes.begin(), bytes.end());
  } catch (const std::exception& e) {
    throw Error(zip.path() + ": " + entry + ": not valid JSON (" + e.what() + ")");
  }
}

std::string jsonString(const nlohmann::json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) throw Error(what + ": '" + key + "' must be a string");
  return it->get<std::string>();
}

cv::Mat readMask(const OraZipReader& zip, const std::string& entry, const cv::Size& canvas) {
  const auto bytes = zip.read(entry, pngEntrySize(zip, entry).maxEntryBytes);
  DecodedPng png = decodePng(bytes.data(), bytes.size(), PngPixels::Gray, zip.path() + ": " + entry, kMaxProjectSide);
  if (png.image.size() != canvas)
    throw Error(zip.path() + ": " + entry + ": " + std::to_string(png.width) + "x" + std::to_string(png.height) +
                " mask does not match the " + std::to_string(canvas.width) + "x" + std::to_string(canvas.height) +
                " canvas");
  return png.image;
}

// mergedimage.png's size from its IHDR chunk (first 24 bytes), without decoding it.
void checkMergedImage(const OraZipReader& zip, const cv::Size& canvas) {
  if (!zip.contains(ora::kMergedEntry)) return;  // optional before OpenRaster 0.0.5
  const auto head = zip.readPrefix(ora::kMergedEntry, 24);
  static const std::uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const std::string where = zip.path() + ": " + ora::kMergedEntry;
  if (head.size() < 24 || !std::equal(sig, sig + 8, head.begin()) || std::string(head.begin() + 12, head.begin() + 16) != "IHDR")
    throw Error(where + ": not a PNG file");
  auto be32 = [&](size_t o) {
    return (static_cast<std::uint32_t>(head[o]) << 24) | (static_cast<std::uint32_t>(head[o + 1]) << 16) |
           (static_cast<std::uint32_t>(head[o + 2]) << 8) | head[o + 3];
  };
  const std::uint32_t w = be32(16), h = be32(20);
  if (w != static_cast<std::uint32_t>(canvas.width) || h != static_cast<std::uint32_t>(canvas.height))
    throw Error(where + ": " + std::to_string(w) + "x" + std::to_string(h) + " does not match the " +
                std::to_string(canvas.width) + "x" + std::to_string(canvas.height) + " canvas in stack.xml");
}

void applyProjectJson(const OraZipReader& zip, const std::string& entry, Project& p) {
  const nlohmann::json j = readJson(zip, entry);
  const std::string what = zip.path() + ": " + entry;
  const auto format = j.is_object() ? j.find("format") : j.end();
  if (!j.is_object() || format == j.end() || !format->is_string() || *format != "latentshop-project")
    throw Error(what + ": not a Latentshop project description");
  if (!j.contains("version") || !j["version"].is_number_integer())
    throw Error(what + ": missing format version");
  const int version = j["version"].get<int>();
  if (version > ora::kProjectFormatVersion)
    throw Error(what + ": written by a newer Latentshop (project format " + std::to_string(version) +
                "; this build reads format " + std::to_string(ora::kProjectFormatVersion) + " and older)");
  ProjectMetadata& m = p.meta;
  m.appVersion = jsonString(j, "app_version", what);
  m.model = jsonString(j, "model", what);
  m.originalLayerId = jsonString(j, "original_layer", what);
  m.activeLayerId = jsonString(j, "active_layer", what);
  m.sourcePath = jsonString(j, "source_path", what);
  m.workingPoints = ora::pointsFromJson(j.value("working_points", nlohmann::json()), what + ": working_points");
  if (const std::string maskEntry = jsonString(j, "working_mask", what); !maskEntry.empty())
    m.workingMask = readMask(zip, maskEntry, p.size());
  if (const std::string keepOutEntry = jsonString(j, "keep_out_mask", what); !keepOutEntry.empty())
    m.keepOutMask = readMask(zip, keepOutEntry, p.size());
  if (auto s = j.find("selection"); s != j.end() && !s->is_null()) {
    if (!s->is_array() || s->size() != 4 || !std::all_of(s->begin(), s->end(), [](const auto& v) { return v.is_number_integer(); }))
      throw Error(what + ": selection must be [x, y, width, height] in whole pixels");
    m.selection = cv::Rect((*s)[0].get<int>(), (*s)[1].get<int>(), (*s)[2].get<int>(), (*s)[3].get<int>());
  }
  if (auto e = j.find("extra"); e != j.end() && !e->is_null()) {
    if (!e->is_object()) throw Error(what + ": extra must be a JSON object");
    m.extra = *e;
  }
}

}  // namespace

Project loadOra(const std::string& path) {
  OraZipReader zip(path);
  const StackFile stack(zip);
  Project p;
  p.width = stack.width;
  p.height = stack.height;
  checkMergedImage(zip, p.size());

  const std::vector<LayerRef> refs = stack.layersTopToBottom();
  std::int64_t layerPixels = 0;  // all layers together, held to the project budget
  for (auto it = refs.rbegin(); it != refs.rend(); ++it) {  // bottom → top
    const pugi::xml_node& node = it->node;
    const std::string src = node.attribute("src").value();
    const std::string what = "<layer name=\"" + std::string(node.attribute("name").value()) + "\">";
    if (src.empty()) throw Error(path + ": stack.xml: " + what + " has no src");
    ProjectLayer layer;
    layer.name = node.attribute("name") ? node.attribute("name").value()
                                        : std::filesystem::path(src).stem().string();
    layer.x = it->dx;
    layer.y = it->dy;
    layer.opacity = it->opacity;
    layer.visible = it->visible;
    if (const char* op = node.attribute("composite-op").value(); *op) layer.compositeOp = op;
    if (!zip.contains(src)) throw Error(path + ": " + src + ": layer image missing from the archive (" + what + ")");
    if (stack.own(node, "empty") != "true") {
      const PngEntrySize size = pngEntrySize(zip, src);
      layerPixels += size.width * size.height;
      if (layerPixels > decodePolicy().maxProjectPixels())
        throw Error(path + ": its layers hold more than " + std::to_string(decodePolicy().maxProjectPixels() / 1'000'000) +
                    " megapixels together (8 times the pixel budget); refusing to decode them");
      const auto bytes = zip.read(src, size.maxEntryBytes);
      layer.rgba = decodePng(bytes.data(), bytes.size(), PngPixels::Rgba, path + ": " + src, kMaxProjectSide).image;
    }
    layer.id = stack.own(node, "id");
    if (const std::string kind = stack.own(node, "kind"); !kind.empty())
      layer.kind = layerKindFromString(kind, path + ": stack.xml: " + what);
    if (const std::string metaEntry = stack.own(node, "meta"); !metaEntry.empty()) {
      const nlohmann::json meta = readJson(zip, metaEntry);
      const std::string at = path + ": " + metaEntry;
      if (!meta.is_object()) throw Error(at + ": expected a JSON object");
      if (auto params = meta.find("params"); params != meta.end() && !params->is_null()) {
        if (!params->is_object()) throw Error(at + ": params must be a JSON object");
        layer.params = *params;
      }
      layer.points = ora::pointsFromJson(meta.value("points", nlohmann::json()), at);
    }
    if (const std::string maskEntry = stack.own(node, "mask"); !maskEntry.empty())
      layer.mask = readMask(zip, maskEntry, p.size());
    p.layers.push_back(std::move(layer));
  }
  p.assignMissingLayerIds();

  if (const std::string entry = stack.projectEntry(); !entry.empty()) {
    applyProjectJson(zip, entry, p);
  } else if (!p.layers.empty()) {
    p.meta.originalLayerId = p.layers.front().id;  // a plain ORA: its bottom layer is the photo
    for (size_t i = 0; i < refs.size(); ++i)           // and its selected layer the active one
      if (std::string(refs[i].node.attribute("selected").value()) == "true")
        p.meta.activeLayerId = p.layers[refs.size() - 1 - i].id;
  }
  validateProject(p, path);
  return p;
}

OraSummary readOraSummary(const std::string& path) {
  OraZipReader zip(path);
  const StackFile stack(zip);
  OraSummary s;
  s.width = stack.width;
  s.height = stack.height;
  const auto refs = stack.layersTopToBottom();
  for (auto it = refs.rbegin(); it != refs.rend(); ++it) s.layerNames.emplace_back(it->node.attribute("name").value());
  if (const std::string entry = stack.projectEntry(); !entry.empty()) {
    const nlohmann::json j = readJson(zip, entry);
    const std::string what = path + ": " + entry;
    s.latentshopProject = true;
    s.appVersion = jsonString(j, "app_version", what);
    s.model = jsonString(j, "model", what);
    s.sourcePath = jsonString(j, "source_path", what);
  }
  if (zip.contains(ora::kThumbnailEntry)) {
    const auto bytes = zip.read(ora::kThumbnailEntry, pngEntrySize(zip, ora::kThumbnailEntry).maxEntryBytes);
    s.thumbnail = decodePng(bytes.data(), bytes.size(), PngPixels::Rgba, path + ": " + ora::kThumbnailEntry).image;
  }
  return s;
}

}  // namespace latentshop
