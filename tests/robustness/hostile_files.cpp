#include "robustness/hostile_files.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/io/ora_zip.h"
#include "engine/io/png_text_codec.h"

namespace fs = std::filesystem;

namespace hostile {

namespace {

std::uint32_t crc32(const std::uint8_t* p, size_t n, std::uint32_t crc = 0) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

void chunk(std::vector<std::uint8_t>& png, const char* type, const std::vector<std::uint8_t>& data) {
  be32(png, static_cast<std::uint32_t>(data.size()));
  const size_t start = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  be32(png, crc32(png.data() + start, png.size() - start));
}

std::string layerXml(int i, const std::string& src) {
  return "<layer name=\"layer " + std::to_string(i) + "\" src=\"" + src + "\" x=\"" + std::to_string(i % 7) + "\" y=\"0\"/>";
}

}  // namespace

cv::Mat noisyPicture(int width, int height, int seed) {
  cv::Mat img(height, width, CV_8UC3);
  cv::RNG(static_cast<std::uint64_t>(seed)).fill(img, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(img, img, cv::Size(3, 3), 0.7);
  return img;
}

std::vector<std::uint8_t> encode(const cv::Mat& rgb, const std::string& ext) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<std::uint8_t> out;
  cv::imencode(ext, bgr, out);
  return out;
}

void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> readBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void writeTruncated(const std::string& path, const std::vector<std::uint8_t>& bytes, size_t keep) {
  writeBytes(path, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(std::min(keep, bytes.size()))));
}

std::vector<std::uint8_t> pngHeaderDeclaring(std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<std::uint8_t> ihdr;
  be32(ihdr, width);
  be32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 6, 0, 0, 0});  // 8-bit RGBA
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", std::vector<std::uint8_t>(16, 0));
  chunk(png, "IEND", {});
  return png;
}

void writeOra(const std::string& path, const std::string& stackXml,
              const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& entries, bool compress) {
  latentshop::OraZipWriter zip(path);
  zip.add("mimetype", std::string("image/openraster"), false);
  zip.add("stack.xml", stackXml, true);
  for (const auto& [name, bytes] : entries) zip.add(name, bytes, compress);
  zip.close();
}

void writeManyLayerOra(const std::string& path, int layers) {
  std::string xml = "<?xml version='1.0' encoding='UTF-8'?>\n<image w=\"64\" h=\"64\" version=\"0.0.5\"><stack>";
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> entries;
  entries.reserve(static_cast<size_t>(layers));
  for (int i = layers - 1; i >= 0; --i) {  // top to bottom
    const std::string src = "data/layer" + std::to_string(i) + ".png";
    xml += layerXml(i, src);
    cv::Mat px(1, 1, CV_8UC4, cv::Scalar(i % 251, (i / 251) % 251, 7, 255));
    entries.emplace_back(src, latentshop::encodePng(px));
  }
  xml += "</stack></image>\n";
  writeOra(path, xml, entries);
}

void writeOraBomb(const std::string& path, std::uint64_t paddingBytes) {
  std::vector<std::uint8_t> png = latentshop::encodePng(cv::Mat(2, 2, CV_8UC4, cv::Scalar(1, 2, 3, 255)));
  png.resize(png.size() + paddingBytes, 0);
  const std::string xml = "<?xml version='1.0' encoding='UTF-8'?>\n<image w=\"2\" h=\"2\"><stack>" +
                          layerXml(0, "data/bomb.png") + "</stack></image>\n";
  writeOra(path, xml, {{"data/bomb.png", png}}, true);
}

void writeOraDeclaring(const std::string& path, std::uint32_t width, std::uint32_t height) {
  const std::string xml = "<?xml version='1.0' encoding='UTF-8'?>\n<image w=\"" + std::to_string(width) + "\" h=\"" +
                          std::to_string(height) + "\"><stack>" + layerXml(0, "data/huge.png") + "</stack></image>\n";
  writeOra(path, xml, {{"data/huge.png", pngHeaderDeclaring(width, height)}});
}

void writeDeepOra(const std::string& path, int depth) {
  std::string xml = "<?xml version='1.0' encoding='UTF-8'?>\n<image w=\"4\" h=\"4\"><stack>";
  for (int i = 0; i < depth; ++i) xml += "<stack name=\"g" + std::to_string(i) + "\">";
  xml += layerXml(0, "data/a.png");
  for (int i = 0; i < depth; ++i) xml += "</stack>";
  xml += "</stack></image>\n";
  writeOra(path, xml, {{"data/a.png", latentshop::encodePng(cv::Mat(4, 4, CV_8UC4, cv::Scalar(9, 9, 9, 255)))}});
}

std::map<std::string, std::vector<std::uint8_t>> snapshot(const std::string& dir) {
  std::map<std::string, std::vector<std::uint8_t>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = readBytes(e.path().string());
  return out;
}

std::string changedFiles(const std::map<std::string, std::vector<std::uint8_t>>& before,
                         const std::map<std::string, std::vector<std::uint8_t>>& after,
                         const std::vector<std::string>& allowed) {
  auto isAllowed = [&](const std::string& name) {
    for (const auto& a : allowed)
      if (name == a) return true;
    return false;
  };
  for (const auto& [name, bytes] : before) {
    if (isAllowed(name)) continue;
    auto it = after.find(name);
    if (it == after.end()) return name + " was removed";
    if (it->second != bytes) return name + " changed";
  }
  for (const auto& [name, bytes] : after)
    if (!before.count(name) && !isAllowed(name)) return name + " appeared";
  return "";
}

std::vector<std::string> temporaries(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!name.empty() && name[0] == '.' && name.find(".tmp-") != std::string::npos) out.push_back(name);
  }
  return out;
}

}  // namespace hostile
