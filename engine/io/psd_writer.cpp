#include "engine/io/psd_writer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/core/error.h"
#include "engine/io/flatten.h"
#include "engine/io/project_atomic_file.h"
#include "engine/io/psd_packbits.h"

namespace latentshop {

namespace {

// Big-endian output to a seekable file, with back-patching of lengths written before their data.
class BigEndianFile {
public:
  BigEndianFile(AtomicFile& file, std::string name) : file_(file), name_(std::move(name)) {}

  void bytes(const void* data, size_t n) { file_.write(data, n); }
  void u8(std::uint8_t v) { bytes(&v, 1); }
  void u16(std::uint16_t v) {
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    bytes(b, 2);
  }
  void u32(std::uint32_t v) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                               static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    bytes(b, 4);
  }
  void i16(std::int16_t v) { u16(static_cast<std::uint16_t>(v)); }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void text(const char* s) { bytes(s, std::char_traits<char>::length(s)); }
  void zeros(size_t n) {
    static const std::uint8_t z[16] = {};
    while (n) {
      const size_t k = std::min<size_t>(n, sizeof z);
      bytes(z, k);
      n -= k;
    }
  }

  std::int64_t tell() {
    const auto pos = ::ftello(file_.stream());
    if (pos < 0) throw Error(name_ + ": cannot tell the file position");
    return pos;
  }
  void seek(std::int64_t pos) {
    if (::fseeko(file_.stream(), pos, SEEK_SET) != 0) throw Error(name_ + ": cannot seek in the file");
  }
  // Writes a u32 at `pos`, then returns to the end of the file.
  void patchU32(std::int64_t pos, std::uint64_t value, const char* what) {
    if (value > std::numeric_limits<std::uint32_t>::max())
      throw Error(name_ + ": " + what + " exceeds the 4 GiB PSD limit (the project is too large for PSD)");
    const std::int64_t end = tell();
    seek(pos);
    u32(static_cast<std::uint32_t>(value));
    seek(end);
  }
  // Writes `values` as u16 at `pos`, then returns to the end.
  void patchU16s(std::int64_t pos, const std::vector<std::uint16_t>& values) {
    const std::int64_t end = tell();
    seek(pos);
    std::vector<std::uint8_t> b(values.size() * 2);
    for (size_t i = 0; i < values.size(); ++i) {
      b[2 * i] = static_cast<std::uint8_t>(values[i] >> 8);
      b[2 * i + 1] = static_cast<std::uint8_t>(values[i]);
    }
    bytes(b.data(), b.size());
    seek(end);
  }

private:
  AtomicFile& file_;
  std::string name_;
};

// UTF-8 → UTF-16 code units (invalid sequences become U+FFFD).
std::vector<std::uint16_t> utf16(const std::string& s) {
  std::vector<std::uint16_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0xFFFD;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((c >> 4) == 0xE && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      len = 3;
    } else if ((c >> 3) == 0x1E && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
      len = 4;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<std::uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<std::uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  return out;
}

// The legacy Pascal name: the UTF-8 bytes, cut at a character boundary to ≤ 255 bytes. Photoshop
// and psd-tools read the Unicode name from `luni`; readers that only know the Pascal name (GIMP,
// ImageMagick) take it as UTF-8.
std::string pascalName(const std::string& name) {
  if (name.size() <= 255) return name;
  size_t cut = 255;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return name.substr(0, cut);
}

constexpr std::int16_t kChannelIds[4] = {-1, 0, 1, 2};  // alpha, red, green, blue
constexpr int kChannelOffsets[4] = {3, 0, 1, 2};         // their byte in an RGBA pixel

// A 0×0 layer is written as one transparent pixel at the origin: several readers (ImageMagick
// among them) drop zero-sized layers, and the layer must still be there for the user.
const cv::Mat& layerPixels(const ProjectLayer& layer) {
  static const cv::Mat transparentPixel(1, 1, CV_8UC4, cv::Scalar::all(0));
  return layer.rgba.empty() ? transparentPixel : layer.rgba;
}

void writeLayerRecord(BigEndianFile& out, const ProjectLayer& layer, std::int64_t channelLengthPos[4]) {
  const cv::Mat& pixels = layerPixels(layer);
  const int top = layer.rgba.empty() ? 0 : layer.y;
  const int left = layer.rgba.empty() ? 0 : layer.x;
  out.i32(top);
  out.i32(left);
  out.i32(top + pixels.rows);
  out.i32(left + pixels.cols);
  out.u16(4);
  for (int c = 0; c < 4; ++c) {
    out.i16(kChannelIds[c]);
    channelLengthPos[c] = out.tell();
    out.u32(0);  // patched once the channel is written
  }
  out.text("8BIM");
  out.text("norm");
  out.u8(static_cast<std::uint8_t>(std::lround(std::clamp(layer.opacity, 0.0, 1.0) * 255.0)));
  out.u8(0);                             // clipping: base
  out.u8(layer.visible ? 0x00 : 0x02);   // flags: bit 1 set = hidden
  out.u8(0);                             // filler

  const std::string pascal = pascalName(layer.name);
  const size_t pascalLen = (1 + pascal.size() + 3) / 4 * 4;  // padded to a multiple of 4
  const std::vector<std::uint16_t> wide = utf16(layer.name);
  const size_t luniData = 4 + 2 * wide.size();
  const size_t luniLen = (luniData + 3) / 4 * 4;
  out.u32(static_cast<std::uint32_t>(4 + 4 + pascalLen + 12 + luniLen));  // extra data length
  out.u32(0);  // layer mask data: none
  out.u32(0);  // layer blending ranges: none
  out.u8(static_cast<std::uint8_t>(pascal.size()));
  out.bytes(pascal.data(), pascal.size());
  out.zeros(pascalLen - 1 - pascal.size());
  out.text("8BIM");
  out.text("luni");
  out.u32(static_cast<std::uint32_t>(luniLen));
  out.u32(static_cast<std::uint32_t>(wide.size()));
  for (std::uint16_t u : wide) out.u16(u);
  out.zeros(luniLen - luniData);
}

// One channel of a layer: compression 1 (PackBits), per-row byte counts, the rows.
std::uint64_t writeLayerChannel(BigEndianFile& out, const cv::Mat& rgba, int offset) {
  out.u16(1);
  const std::int64_t countsPos = out.tell();
  out.zeros(static_cast<size_t>(rgba.rows) * 2);
  std::vector<std::uint16_t> counts(static_cast<size_t>(rgba.rows));
  std::vector<std::uint8_t> plane(static_cast<size_t>(rgba.cols));
  std::vector<std::uint8_t> packed;
  std::uint64_t total = 2 + 2 * static_cast<std::uint64_t>(rgba.rows);
  for (int y = 0; y < rgba.rows; ++y) {
    const std::uint8_t* p = rgba.ptr<std::uint8_t>(y) + offset;
    for (int x = 0; x < rgba.cols; ++x) plane[static_cast<size_t>(x)] = p[4 * x];
    packed.clear();
    counts[static_cast<size_t>(y)] = static_cast<std::uint16_t>(packBitsAppend(plane.data(), plane.size(), packed));
    out.bytes(packed.data(), packed.size());
    total += packed.size();
  }
  out.patchU16s(countsPos, counts);
  return total;
}

// The merged image: compression 1, the byte counts of every row of every channel, then the
// channels' rows (R, G, B, A), colour matted against white where transparent.
void writeMergedImage(BigEndianFile& out, const cv::Mat& merged) {
  out.u16(1);
  const std::int64_t countsPos = out.tell();
  const size_t rows = static_cast<size_t>(merged.rows);
  out.zeros(4 * rows * 2);
  std::vector<std::uint16_t> counts(4 * rows);
  std::vector<std::uint8_t> plane(static_cast<size_t>(merged.cols));
  std::vector<std::uint8_t> packed;
  for (int c = 0; c < 4; ++c) {
    for (int y = 0; y < merged.rows; ++y) {
      const std::uint8_t* p = merged.ptr<std::uint8_t>(y);
      for (int x = 0; x < merged.cols; ++x, p += 4) {
        if (c == 3) {
          plane[static_cast<size_t>(x)] = p[3];
        } else {
          const int a = p[3];
          plane[static_cast<size_t>(x)] = static_cast<std::uint8_t>((p[c] * a + 255 * (255 - a) + 127) / 255);
        }
      }
      packed.clear();
      counts[static_cast<size_t>(c) * rows + static_cast<size_t>(y)] =
          static_cast<std::uint16_t>(packBitsAppend(plane.data(), plane.size(), packed));
      out.bytes(packed.data(), packed.size());
    }
  }
  out.patchU16s(countsPos, counts);
}

}  // namespace

void savePsd(const Project& project, const std::string& path) {
  validateProject(project, path);
  auto tooLarge = [&](const cv::Size& s, const std::string& what) {
    if (s.width > kPsdMaxSide || s.height > kPsdMaxSide)
      throw Error(path + ": " + what + " is " + std::to_string(s.width) + "x" + std::to_string(s.height) +
                  "; PSD allows at most " + std::to_string(kPsdMaxSide) + " pixels a side");
  };
  tooLarge(project.size(), "the canvas");
  for (const ProjectLayer& l : project.layers) tooLarge(l.rgba.size(), "layer '" + l.name + "'");
  if (project.layers.size() > 8000) throw Error(path + ": PSD allows at most 8000 layers");

  AtomicFile file(path);
  BigEndianFile out(file, path);
  // File header.
  out.text("8BPS");
  out.u16(1);  // version 1: PSD
  out.zeros(6);
  out.u16(4);  // channels in the merged image: R, G, B, A
  out.u32(static_cast<std::uint32_t>(project.height));
  out.u32(static_cast<std::uint32_t>(project.width));
  out.u16(8);  // bits per channel
  out.u16(3);  // colour mode: RGB
  out.u32(0);  // colour mode data: none
  out.u32(0);  // image resources: none

  // Layer and mask information.
  const std::int64_t sectionPos = out.tell();
  out.u32(0);
  const std::int64_t layerInfoPos = out.tell();
  out.u32(0);
  // Negative count: the merged image's first alpha channel is its transparency.
  out.i16(static_cast<std::int16_t>(-static_cast<int>(project.layers.size())));
  std::vector<std::array<std::int64_t, 4>> lengthPos(project.layers.size());
  for (size_t i = 0; i < project.layers.size(); ++i) writeLayerRecord(out, project.layers[i], lengthPos[i].data());
  for (size_t i = 0; i < project.layers.size(); ++i)
    for (int c = 0; c < 4; ++c)
      out.patchU32(lengthPos[i][static_cast<size_t>(c)],
                   writeLayerChannel(out, layerPixels(project.layers[i]), kChannelOffsets[c]), "a layer channel");
  std::int64_t layerInfoLen = out.tell() - layerInfoPos - 4;
  if (layerInfoLen % 4) {
    out.zeros(static_cast<size_t>(4 - layerInfoLen % 4));
    layerInfoLen = out.tell() - layerInfoPos - 4;
  }
  out.patchU32(layerInfoPos, static_cast<std::uint64_t>(layerInfoLen), "the layer section");
  out.u32(0);  // global layer mask info: none
  out.patchU32(sectionPos, static_cast<std::uint64_t>(out.tell() - sectionPos - 4), "the layer section");

  writeMergedImage(out, flatten(project));
  file.commit();
}

}  // namespace latentshop
