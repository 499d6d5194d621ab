// The zip container under OpenRaster files, through libzip: a reader with per-entry errors that name
// the archive and the entry, and a writer whose entries may be produced lazily — encoded only when
// libzip writes them and released right after — so saving a large project holds one encoded layer
// at a time rather than all of them.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace latentshop {

class OraZipReader {
public:
  // Opens and checks the archive; throws Error("<path>: ...") when it is missing, not a zip or
  // truncated/inconsistent.
  explicit OraZipReader(std::string path);
  ~OraZipReader();
  OraZipReader(const OraZipReader&) = delete;
  OraZipReader& operator=(const OraZipReader&) = delete;

  const std::string& path() const { return path_; }
  bool contains(const std::string& name) const;
  // The whole entry; throws Error("<path>: <name>: missing from the archive" / "...: damaged (...)").
  std::vector<std::uint8_t> read(const std::string& name, std::uint64_t maxBytes = 4ull << 30) const;
  // The first `count` bytes of an entry (fewer when it is shorter).
  std::vector<std::uint8_t> readPrefix(const std::string& name, std::size_t count) const;
  // Entry names in archive order.
  std::vector<std::string> names() const;

private:
  std::string path_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class OraZipWriter {
public:
  // Creates (or truncates) the archive at `path`; nothing is written before close(). Errors name
  // `displayName` (default: path), e.g. the final file name when `path` is a temporary file.
  explicit OraZipWriter(std::string path, std::string displayName = "");
  ~OraZipWriter();  // discards the archive when close() was not reached
  OraZipWriter(const OraZipWriter&) = delete;
  OraZipWriter& operator=(const OraZipWriter&) = delete;

  // Entries are written in the order they are added. `compress`: deflate, else stored (use stored
  // for PNGs, which are compressed already, and for OpenRaster's `mimetype`).
  void add(const std::string& name, std::vector<std::uint8_t> bytes, bool compress);
  void add(const std::string& name, const std::string& text, bool compress);
  // `produce` runs while close() writes this entry; its bytes are freed once written.
  void addLazy(const std::string& name, std::function<std::vector<std::uint8_t>()> produce, bool compress);

  // Writes the archive; throws Error("<path>: ...") with the libzip or producer message.
  void close();

  struct Entry;

private:
  void addEntry(const std::string& name, std::unique_ptr<Entry> entry, bool compress);
  std::string path_;
  std::string name_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace latentshop
