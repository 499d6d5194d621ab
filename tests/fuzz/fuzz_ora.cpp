// libFuzzer harness: loadOra and readOraSummary on an .ora file made from the fuzz input.
//
// The input is either a raw zip archive (it starts with "PK") written as it is — for libzip's side
// and the entry reads — or, so that mutations reach stack.xml, the JSON and the layer PNGs rather
// than dying in the zip directory, a list of entries that the harness stores into a valid zip:
//
//   --8<-- mimetype
//   image/openraster
//   --8<-- stack.xml
//   <image w="2" h="2"><stack><layer src="data/a.png"/></stack></image>
//   --8<-- data/a.png
//   <PNG bytes>
//
// (a line "--8<-- NAME" starts an entry; its content runs to the newline before the next such line).
#include <cstring>
#include <vector>

#include "engine/io/ora_reader.h"
#include "engine/io/ora_zip.h"
#include "tests/fuzz/fuzz_common.h"

using namespace latentshop;

namespace {

constexpr char kMarker[] = "--8<-- ";
constexpr size_t kMarkerLen = sizeof(kMarker) - 1;

struct Section {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

std::vector<Section> splitSections(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<size_t> starts;  // positions of markers at the start of a line
  for (size_t pos = text.find(kMarker); pos != std::string::npos; pos = text.find(kMarker, pos + 1))
    if (pos == 0 || text[pos - 1] == '\n') starts.push_back(pos);
  std::vector<Section> out;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t nameAt = starts[i] + kMarkerLen;
    const size_t end = i + 1 < starts.size() ? starts[i + 1] - 1 : text.size();  // drop the '\n'
    const size_t nl = text.find('\n', nameAt);
    Section s;
    if (nl == std::string::npos || nl >= end) {
      s.name = text.substr(nameAt, end - nameAt);
    } else {
      s.name = text.substr(nameAt, nl - nameAt);
      s.bytes.assign(text.begin() + static_cast<std::ptrdiff_t>(nl + 1), text.begin() + static_cast<std::ptrdiff_t>(end));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string path = fuzz::scratchDir() + "/input.ora";
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
    fuzz::writeScratch("input.ora", data, size);
  } else {
    const std::vector<Section> sections = splitSections(data, size);
    if (sections.empty()) return -1;  // not worth keeping in the corpus
    try {
      OraZipWriter zip(path);
      for (const Section& s : sections) zip.add(s.name, s.bytes, /*compress=*/false);
      zip.close();
    } catch (const Error&) {
      return -1;  // an entry libzip refuses (duplicate or empty name): no archive to read
    }
  }
  LATENTSHOP_FUZZ_EXPECT_ERROR(path, {
    const Project p = loadOra(path);
    validateProject(p, path);
  });
  LATENTSHOP_FUZZ_EXPECT_ERROR(path, {
    const OraSummary s = readOraSummary(path);
    (void)s;
  });
  return 0;
}
