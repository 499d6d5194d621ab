// Opening OpenRaster projects with many layers and no Latentshop ids (as GIMP and Krita write
// them): load time for 1,000 to 20,000 layers. Layer ids are assigned in one pass, so the time
// grows linearly; before issue 17 it was cubic (1000 layers 5.7 s, 2000 14.5 s, 5000 over two
// minutes). The time per layer printed beside each count shows the growth directly.
//
// Usage: bench_ora_layers [max layers]   (default 20000)
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_common.h"
#include "engine/io/ora_reader.h"
#include "engine/io/ora_zip.h"
#include "engine/io/png_text_codec.h"
#include "support/test_paths.h"

namespace {

void writeOra(const std::string& path, int layers) {
  latentshop::OraZipWriter zip(path);
  zip.add("mimetype", std::string("image/openraster"), false);
  std::string xml = "<?xml version='1.0' encoding='UTF-8'?>\n<image w=\"64\" h=\"64\"><stack>";
  const auto png = latentshop::encodePng(cv::Mat(1, 1, CV_8UC4, cv::Scalar(10, 20, 30, 255)));
  for (int i = layers - 1; i >= 0; --i) {
    const std::string src = "data/l" + std::to_string(i) + ".png";
    xml += "<layer name=\"l" + std::to_string(i) + "\" src=\"" + src + "\"/>";
    zip.add(src, png, false);
  }
  zip.add("stack.xml", xml + "</stack></image>\n", true);
  zip.close();
}

}  // namespace

int main(int argc, char** argv) {
  const int maxLayers = argc > 1 ? std::atoi(argv[1]) : 20000;
  lsbench::printMachine();
  std::printf("%8s %10s %14s\n", "layers", "load s", "us per layer");
  for (int n : {1000, 2000, 5000, 10000, 20000}) {
    if (n > maxLayers) break;
    const std::string path = lstest::scratchDir() + "/layers-" + std::to_string(n) + ".ora";
    writeOra(path, n);
    size_t loaded = 0;
    const double s = lsbench::seconds([&] { loaded = latentshop::loadOra(path).layers.size(); });
    std::printf("%8zu %10.3f %14.1f\n", loaded, s, 1e6 * s / n);
  }
  return 0;
}
