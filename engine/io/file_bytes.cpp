// Reading a file with a byte cap (see file_bytes.h).
#include "engine/io/file_bytes.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>

#include "engine/core/error.h"

namespace fs = std::filesystem;

namespace latentshop {

namespace {

using u64 = std::uint64_t;
constexpr u64 kMax = std::numeric_limits<u64>::max();

std::string humanBytes(u64 bytes) {
  char buf[64];
  if (bytes >= 1000000000ull) std::snprintf(buf, sizeof buf, "%.1f GB", double(bytes) / 1e9);
  else if (bytes >= 1000000ull) std::snprintf(buf, sizeof buf, "%.1f MB", double(bytes) / 1e6);
  else if (bytes >= 1000ull) std::snprintf(buf, sizeof buf, "%.1f KB", double(bytes) / 1e3);
  else std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
  return buf;
}

std::string exactBytes(u64 bytes) { return std::to_string(bytes) + " bytes"; }

Error tooLarge(const std::string& path, u64 size, u64 maxBytes, bool sizeExact) {
  std::string have = humanBytes(size), limit = humanBytes(maxBytes);
  if (sizeExact && have == limit) have = exactBytes(size), limit = exactBytes(maxBytes);
  return fileError(path, sizeExact ? "is " + have + ", more than the " + limit + " an image may have"
                                   : "is larger than the " + limit + " an image may have");
}

}  // namespace

std::vector<std::uint8_t> readFileBytes(const std::string& path, std::uint64_t maxBytes) {
  if (path.empty()) throw Error("file path is empty");
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) {
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
      throw fileError(path, "cannot be examined (" + ec.message() + ")");
    throw fileError(path, "no such file");
  }
  if (fs::is_directory(st)) throw fileError(path, "is a folder, not a file");

  u64 expected = 0;
  if (fs::is_regular_file(st)) {
    const std::uintmax_t s = fs::file_size(path, ec);
    if (!ec) expected = s;
    if (expected > maxBytes) throw tooLarge(path, expected, maxBytes, true);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fileError(path, "cannot be opened for reading (permissions?)");

  // Read in chunks whatever the reported size says (the file may grow, or be a pipe), never
  // holding more than maxBytes + 1 bytes: the one extra byte tells that the file is too large.
  std::vector<std::uint8_t> bytes;
  bytes.reserve(std::size_t(expected));
  const u64 cap = maxBytes == kMax ? kMax : maxBytes + 1;
  constexpr u64 kChunk = u64(1) << 20;
  for (;;) {
    const u64 have = bytes.size();
    if (have >= cap) break;
    const u64 want = std::min<u64>(std::max<u64>(kChunk, expected > have ? expected - have : 0), cap - have);
    bytes.resize(std::size_t(have + want));
    in.read(reinterpret_cast<char*>(bytes.data() + have), std::streamsize(want));
    const u64 got = u64(in.gcount());
    bytes.resize(std::size_t(have + got));
    if (in.bad()) throw fileError(path, "could not be read (input/output error)");
    if (got < want) {
      if (!in.eof()) throw fileError(path, "could not be read (input/output error)");
      break;
    }
  }
  if (bytes.size() > maxBytes) throw tooLarge(path, bytes.size(), maxBytes, false);
  if (bytes.empty()) throw fileError(path, "is empty (0 bytes)");
  return bytes;
}

}  // namespace latentshop
