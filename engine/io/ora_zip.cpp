#include "engine/io/ora_zip.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <zip.h>

#include "engine/core/error.h"

namespace latentshop {

namespace {

std::string zipErrorText(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

}  // namespace

// ---------------------------------------------------------------- reader

struct OraZipReader::Impl {
  zip_t* archive = nullptr;
};

OraZipReader::OraZipReader(std::string path) : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) throw Error(path_ + ": no such file");
  if (std::filesystem::is_directory(path_, ec)) throw Error(path_ + ": is a folder, not a file");
  int code = 0;
  impl_->archive = zip_open(path_.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!impl_->archive) {
    switch (code) {
      case ZIP_ER_NOZIP:
        throw Error(path_ + ": not a zip archive, or truncated (no end-of-archive record found)");
      case ZIP_ER_INCONS:
        throw Error(path_ + ": damaged zip archive (its directory is inconsistent: truncated or corrupt)");
      default: throw Error(path_ + ": cannot open the archive: " + zipErrorText(code));
    }
  }
}

OraZipReader::~OraZipReader() {
  if (impl_->archive) zip_discard(impl_->archive);
}

bool OraZipReader::contains(const std::string& name) const {
  return zip_name_locate(impl_->archive, name.c_str(), 0) >= 0;
}

std::vector<std::string> OraZipReader::names() const {
  std::vector<std::string> out;
  const zip_int64_t n = zip_get_num_entries(impl_->archive, 0);
  for (zip_int64_t i = 0; i < n; ++i)
    if (const char* name = zip_get_name(impl_->archive, static_cast<zip_uint64_t>(i), 0)) out.emplace_back(name);
  return out;
}

namespace {

struct OpenEntry {
  zip_file_t* file = nullptr;
  ~OpenEntry() {
    if (file) zip_fclose(file);
  }
};

}  // namespace

std::vector<std::uint8_t> OraZipReader::read(const std::string& name, std::uint64_t maxBytes) const {
  const std::string where = path_ + ": " + name;
  const zip_int64_t index = zip_name_locate(impl_->archive, name.c_str(), 0);
  if (index < 0) throw Error(where + ": missing from the archive");
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(impl_->archive, static_cast<zip_uint64_t>(index), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    throw Error(where + ": damaged entry (" + zip_strerror(impl_->archive) + ")");
  if (st.size > maxBytes)
    throw Error(where + ": entry of " + std::to_string(st.size) + " bytes is larger than the " +
                std::to_string(maxBytes) + "-byte limit");
  OpenEntry entry;
  entry.file = zip_fopen_index(impl_->archive, static_cast<zip_uint64_t>(index), 0);
  if (!entry.file) throw Error(where + ": cannot be read (" + zip_strerror(impl_->archive) + ")");
  std::vector<std::uint8_t> bytes(static_cast<size_t>(st.size));
  zip_uint64_t done = 0;
  while (done < st.size) {
    const zip_int64_t n = zip_fread(entry.file, bytes.data() + done, st.size - done);
    if (n < 0) throw Error(where + ": damaged (" + std::string(zip_file_strerror(entry.file)) + ")");
    if (n == 0) break;
    done += static_cast<zip_uint64_t>(n);
  }
  if (done != st.size)
    throw Error(where + ": damaged (" + std::to_string(done) + " of " + std::to_string(st.size) + " bytes readable)");
  // libzip checks the CRC when the end of the data is read; a trailing read reports a mismatch.
  char probe = 0;
  if (zip_fread(entry.file, &probe, 1) < 0)
    throw Error(where + ": damaged (" + std::string(zip_file_strerror(entry.file)) + ")");
  return bytes;
}

std::vector<std::uint8_t> OraZipReader::readPrefix(const std::string& name, std::size_t count) const {
  const std::string where = path_ + ": " + name;
  const zip_int64_t index = zip_name_locate(impl_->archive, name.c_str(), 0);
  if (index < 0) throw Error(where + ": missing from the archive");
  OpenEntry entry;
  entry.file = zip_fopen_index(impl_->archive, static_cast<zip_uint64_t>(index), 0);
  if (!entry.file) throw Error(where + ": cannot be read (" + zip_strerror(impl_->archive) + ")");
  std::vector<std::uint8_t> bytes(count);
  size_t done = 0;
  while (done < count) {
    const zip_int64_t n = zip_fread(entry.file, bytes.data() + done, count - done);
    if (n < 0) throw Error(where + ": damaged (" + std::string(zip_file_strerror(entry.file)) + ")");
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

// ---------------------------------------------------------------- writer

// One entry's data, served to libzip through a source callback. Lazy entries produce their bytes
// when libzip first asks (for their size or data) and drop them once libzip has read them.
struct OraZipWriter::Entry {
  std::function<std::vector<std::uint8_t>()> produce;  // empty for eager entries
  std::vector<std::uint8_t> bytes;
  bool held = false;        // `bytes` holds the data
  bool sizeKnown = false;
  std::uint64_t size = 0;
  std::uint64_t pos = 0;
  std::string failure;      // the producer's exception message
  zip_error_t error;

  Entry() { zip_error_init(&error); }
  ~Entry() { zip_error_fini(&error); }

  bool ensureBytes() {
    if (held) return true;
    try {
      bytes = produce();
    } catch (const std::exception& e) {
      failure = e.what();
      zip_error_set(&error, ZIP_ER_INTERNAL, 0);
      return false;
    }
    held = true;
    if (sizeKnown && bytes.size() != size) {
      failure = "internal error: the entry changed size between reads";
      zip_error_set(&error, ZIP_ER_INTERNAL, 0);
      return false;
    }
    size = bytes.size();
    sizeKnown = true;
    return true;
  }

  static zip_int64_t callback(void* userdata, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
    auto* e = static_cast<Entry*>(userdata);
    switch (cmd) {
      case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
      case ZIP_SOURCE_STAT: {
        if (!e->sizeKnown && !e->ensureBytes()) return -1;
        auto* st = static_cast<zip_stat_t*>(data);
        zip_stat_init(st);
        st->valid = ZIP_STAT_SIZE;
        st->size = e->size;
        return sizeof(zip_stat_t);
      }
      case ZIP_SOURCE_OPEN:
        if (!e->ensureBytes()) return -1;
        e->pos = 0;
        return 0;
      case ZIP_SOURCE_READ: {
        const std::uint64_t n = std::min<std::uint64_t>(len, e->size - e->pos);
        if (n) std::memcpy(data, e->bytes.data() + e->pos, static_cast<size_t>(n));
        e->pos += n;
        return static_cast<zip_int64_t>(n);
      }
      case ZIP_SOURCE_CLOSE:
        if (e->produce) {
          std::vector<std::uint8_t>().swap(e->bytes);
          e->held = false;
        }
        return 0;
      case ZIP_SOURCE_ERROR: return zip_error_to_data(&e->error, data, len);
      case ZIP_SOURCE_FREE: return 0;
      default: zip_error_set(&e->error, ZIP_ER_OPNOTSUPP, 0); return -1;
    }
  }
};

struct OraZipWriter::Impl {
  zip_t* archive = nullptr;
  std::vector<std::unique_ptr<Entry>> entries;  // outlive the archive (destroyed after discard)
};

OraZipWriter::OraZipWriter(std::string path, std::string displayName)
    : path_(std::move(path)), name_(displayName.empty() ? path_ : std::move(displayName)),
      impl_(std::make_unique<Impl>()) {
  int code = 0;
  impl_->archive = zip_open(path_.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (!impl_->archive) throw Error(name_ + ": cannot create the archive: " + zipErrorText(code));
}

OraZipWriter::~OraZipWriter() {
  if (impl_->archive) zip_discard(impl_->archive);
}

void OraZipWriter::addEntry(const std::string& name, std::unique_ptr<Entry> entry, bool compress) {
  if (!impl_->archive) throw Error(name_ + ": internal error: add after close");
  zip_source_t* source = zip_source_function(impl_->archive, &Entry::callback, entry.get());
  if (!source) throw Error(name_ + ": " + name + ": " + zip_strerror(impl_->archive));
  const zip_int64_t index = zip_file_add(impl_->archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(source);
    throw Error(name_ + ": " + name + ": " + zip_strerror(impl_->archive));
  }
  if (zip_set_file_compression(impl_->archive, static_cast<zip_uint64_t>(index),
                               compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0)
    throw Error(name_ + ": " + name + ": " + zip_strerror(impl_->archive));
  impl_->entries.push_back(std::move(entry));
}

void OraZipWriter::add(const std::string& name, std::vector<std::uint8_t> bytes, bool compress) {
  auto entry = std::make_unique<Entry>();
  entry->size = bytes.size();
  entry->sizeKnown = true;
  entry->bytes = std::move(bytes);
  entry->held = true;
  addEntry(name, std::move(entry), compress);
}

void OraZipWriter::add(const std::string& name, const std::string& text, bool compress) {
  add(name, std::vector<std::uint8_t>(text.begin(), text.end()), compress);
}

void OraZipWriter::addLazy(const std::string& name, std::function<std::vector<std::uint8_t>()> produce,
                           bool compress) {
  auto entry = std::make_unique<Entry>();
  entry->produce = std::move(produce);
  addEntry(name, std::move(entry), compress);
}

void OraZipWriter::close() {
  if (!impl_->archive) return;
  if (zip_close(impl_->archive) != 0) {
    std::string message = zip_strerror(impl_->archive);
    for (const auto& e : impl_->entries)
      if (!e->failure.empty()) message = e->failure;
    zip_discard(impl_->archive);
    impl_->archive = nullptr;
    throw Error(name_ + ": writing the archive failed: " + message);
  }
  impl_->archive = nullptr;
}

}  // namespace latentshop
