#include "engine/io/psd_packbits.h"

namespace latentshop {

std::size_t packBitsAppend(const std::uint8_t* d, std::size_t n, std::vector<std::uint8_t>& out) {
  const std::size_t before = out.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t run = 1;
    while (i + run < n && run < 128 && d[i + run] == d[i]) ++run;
    if (run >= 3) {  // a repeat: header 257 - run (as a signed byte: 1 - run)
      out.push_back(static_cast<std::uint8_t>(257 - run));
      out.push_back(d[i]);
      i += run;
      continue;
    }
    // A literal block up to the next run of three equal bytes, at most 128 bytes long.
    const std::size_t start = i;
    while (i < n && i - start < 128) {
      if (i + 2 < n && d[i] == d[i + 1] && d[i] == d[i + 2]) break;
      ++i;
    }
    out.push_back(static_cast<std::uint8_t>(i - start - 1));
    out.insert(out.end(), d + start, d + i);
  }
  return out.size() - before;
}

bool unpackBits(const std::uint8_t* d, std::size_t n, std::size_t expected, std::vector<std::uint8_t>& out) {
  out.clear();
  out.reserve(expected);
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t h = d[i++];
    if (h < 128) {
      const std::size_t count = static_cast<std::size_t>(h) + 1;
      if (i + count > n) return false;
      out.insert(out.end(), d + i, d + i + count);
      i += count;
    } else if (h > 128) {
      if (i >= n) return false;
      out.insert(out.end(), static_cast<std::size_t>(257 - h), d[i++]);
    }
    if (out.size() > expected) return false;
  }
  return out.size() == expected;
}

}  // namespace latentshop
