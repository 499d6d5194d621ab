// Parsing and validating models/manifest.json, and its fnmatch-style file patterns (see model_manifest.h).
#include "engine/io/model_manifest.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"

namespace latentshop {

namespace {

using nlohmann::json;

bool isNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

// [A-Za-z0-9._-]+, not starting with '.' (so never "", ".", ".." or a hidden folder).
bool isSafeId(const std::string& id) {
  if (id.empty() || id[0] == '.') return false;
  for (char c : id) {
    if (!isNameChar(c)) return false;
  }
  return true;
}

// "owner/name": one '/', both parts of [A-Za-z0-9._-], neither starting with '.', no "..".
bool isRepoId(const std::string& repo) {
  const size_t slash = repo.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == repo.size()) return false;
  if (repo.find('/', slash + 1) != std::string::npos || repo.find("..") != std::string::npos) return false;
  if (repo[slash + 1] == '.' || repo[0] == '.') return false;
  for (char c : repo) {
    if (c != '/' && !isNameChar(c)) return false;
  }
  return true;
}

// A branch, tag or commit: [A-Za-z0-9._/-]+ without ".." (it becomes part of a URL).
bool isRevision(const std::string& rev) {
  if (rev.empty() || rev.find("..") != std::string::npos || rev == "." || rev[0] == '/') return false;
  for (char c : rev) {
    if (c != '/' && !isNameChar(c)) return false;
  }
  return true;
}

// One '[...]' class at pattern[pi] ('[' included). Sets `end` past the ']' and returns whether `c`
// is in it; returns false with end = npos when the class is not closed (then '[' is a literal).
bool matchClass(const std::string& pattern, size_t pi, char c, size_t& end) {
  size_t i = pi + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool found = false;
  bool first = true;
  for (; i < pattern.size(); ++i) {
    const char p = pattern[i];
    if (p == ']' && !first) {
      end = i + 1;
      return found != negate;
    }
    first = false;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      if (pattern[i] <= c && c <= pattern[i + 2]) found = true;
      i += 2;
    } else if (p == c) {
      found = true;
    }
  }
  end = std::string::npos;
  return false;
}

// fnmatch on one '/'-free segment: '*' any run, '?' one character, '[...]' a class.
bool matchSegment(const std::string& pattern, const std::string& text) {
  size_t p = 0, t = 0;
  size_t starP = std::string::npos, starT = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starT = t;
      continue;
    }
    if (p < pattern.size()) {
      bool ok = false;
      size_t next = p + 1;
      if (pattern[p] == '?') {
        ok = true;
      } else if (pattern[p] == '[') {
        size_t end = 0;
        ok = matchClass(pattern, p, text[t], end);
        if (end == std::string::npos) {
          ok = text[t] == '[';
        } else {
          next = end;
        }
      } else {
        ok = pattern[p] == text[t];
      }
      if (ok) {
        p = next;
        ++t;
        continue;
      }
    }
    if (starP == std::string::npos) return false;
    p = starP + 1;  // let the last '*' take one more character
    t = ++starT;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> splitSlash(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t slash = s.find('/', start);
    parts.push_back(s.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return parts;
    start = slash + 1;
  }
}

std::string entryName(size_t index, const std::string& id) {
  std::string s = "entry " + std::to_string(index + 1);
  if (!id.empty()) s += " (" + id + ")";
  return s;
}

// The string at `key`, "" when absent; Error when present but not a string.
std::string optionalString(const json& entry, const char* key, const std::string& where) {
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) return "";
  if (!it->is_string()) throw Error(where + ": \"" + key + "\" is not a string");
  return it->get<std::string>();
}

std::vector<std::string> stringArray(const json& entry, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) return out;
  if (!it->is_array()) throw Error(where + ": \"" + key + "\" is not an array of strings");
  for (const auto& v : *it) {
    if (!v.is_string() || v.get<std::string>().empty()) {
      throw Error(where + ": \"" + key + "\" holds something that is not a non-empty string");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

const ManifestModel* ModelManifest::find(const std::string& id) const {
  for (const auto& m : models) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

ModelManifest parseModelManifest(const std::string& text, const std::string& source) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(source + ": not valid JSON (" + e.what() + ")");
  }
  const json* list = nullptr;
  if (root.is_object() && root.contains("models")) list = &root["models"];
  if (!list || !list->is_array()) throw Error(source + ": no \"models\" array");

  ModelManifest manifest;
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    if (!entry.is_object()) throw Error(source + ": " + entryName(i, "") + " is not an object");
    ManifestModel m;
    m.id = optionalString(entry, "id", source + ": " + entryName(i, ""));
    const std::string where = source + ": " + entryName(i, m.id);
    if (m.id.empty()) throw Error(where + " has no id");
    if (!isSafeId(m.id)) {
      throw Error(where + ": the id must be letters, digits, '.', '_' or '-' and not start with '.'");
    }
    if (!seen.insert(m.id).second) throw Error(where + ": the id \"" + m.id + "\" is used twice");
    m.name = optionalString(entry, "name", where);
    if (m.name.empty()) throw Error(where + " has no name");
    m.repo = optionalString(entry, "repo", where);
    if (m.repo.empty()) throw Error(where + " has no repo");
    if (!isRepoId(m.repo)) throw Error(where + ": repo \"" + m.repo + "\" is not a Hub repository (owner/name)");
    if (entry.contains("revision")) {
      m.revision = optionalString(entry, "revision", where);
      if (!isRevision(m.revision)) throw Error(where + ": revision \"" + m.revision + "\" is not a branch, tag or commit");
    }
    m.kind = optionalString(entry, "kind", where);
    m.licence = optionalString(entry, "licence", where);
    m.licenceUrl = optionalString(entry, "licence_url", where);
    m.variant = optionalString(entry, "variant", where);
    if (!m.variant.empty() && !isSafeId(m.variant)) throw Error(where + ": variant \"" + m.variant + "\" is not a name");
    m.notes = optionalString(entry, "notes", where);
    if (auto it = entry.find("size_gb"); it != entry.end() && !it->is_null()) {
      if (!it->is_number() || it->get<double>() < 0) throw Error(where + ": \"size_gb\" is not a size");
      m.sizeGb = it->get<double>();
    }
    m.files = stringArray(entry, "files", where);
    if (m.files.empty()) throw Error(where + " has no files");
    m.uses = stringArray(entry, "uses", where);
    manifest.models.push_back(std::move(m));
  }
  return manifest;
}

ModelManifest readModelManifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fileError(path, "cannot open the model manifest");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw fileError(path, "cannot read the model manifest");
  return parseModelManifest(text.str(), path);
}

bool manifestPatternMatches(const std::string& pattern, const std::string& path) {
  const auto patternParts = splitSlash(pattern);
  const auto pathParts = splitSlash(path);
  if (patternParts.size() != pathParts.size()) return false;
  for (size_t i = 0; i < pathParts.size(); ++i) {
    if (!matchSegment(patternParts[i], pathParts[i])) return false;
  }
  return true;
}

}  // namespace latentshop
