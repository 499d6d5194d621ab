// Parsing the Hugging Face Hub's tree listing, its URLs, and choosing a manifest entry's files (see hub_listing.h).
#include "engine/io/hub_listing.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"

namespace latentshop {

namespace {

using nlohmann::json;

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Relative, '/'-separated, no empty, "." or ".." segment, no backslash or control character.
std::string pathProblem(const std::string& path) {
  if (path.empty()) return "an empty path";
  if (path[0] == '/') return "an absolute path";
  for (unsigned char c : path) {
    if (c == '\\') return "a backslash";
    if (c < 0x20 || c == 0x7f) return "a control character";
  }
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string segment = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment.empty()) return "an empty path segment";
    if (segment == "." || segment == "..") return "a '" + segment + "' segment";
    if (slash == std::string::npos) return "";
    start = slash + 1;
  }
}

bool isHexDigest(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

uint64_t sizeField(const json& object, const std::string& where) {
  auto it = object.find("size");
  if (it == object.end() || !it->is_number_unsigned()) {
    throw Error(where + ": no valid \"size\"");
  }
  return it->get<uint64_t>();
}

// RFC 3986 percent-encoding; the unreserved characters (and `keep`) stay as they are.
std::string percentEncode(const std::string& s, char keep) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved || (keep && c == static_cast<unsigned char>(keep))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

const char* const kPickleExtensions[] = {".bin", ".ckpt", ".pt", ".pth", ".pkl", ".msgpack", ".onnx"};

bool isPickle(const std::string& path) {
  return std::any_of(std::begin(kPickleExtensions), std::end(kPickleExtensions),
                     [&](const char* ext) { return endsWith(path, ext); });
}

std::string joinPatterns(const std::vector<std::string>& patterns) {
  std::string s;
  for (const auto& p : patterns) s += (s.empty() ? "" : ", ") + p;
  return s;
}

}  // namespace

std::vector<HubFile> parseHubTree(const std::string& text, const std::string& source) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(source + ": not valid JSON (" + e.what() + ")");
  }
  if (!root.is_array()) throw Error(source + ": not a repository file listing (a JSON array)");
  std::vector<HubFile> files;
  for (size_t i = 0; i < root.size(); ++i) {
    const json& item = root[i];
    const std::string where = source + ": item " + std::to_string(i + 1);
    if (!item.is_object()) throw Error(where + " is not an object");
    auto type = item.find("type");
    auto path = item.find("path");
    if (type == item.end() || !type->is_string()) throw Error(where + " has no \"type\"");
    if (path == item.end() || !path->is_string()) throw Error(where + " has no \"path\"");
    if (type->get<std::string>() != "file") continue;  // directories (and anything newer)
    HubFile f;
    f.path = path->get<std::string>();
    if (const std::string why = pathProblem(f.path); !why.empty()) {
      throw Error(where + ": refusing the path \"" + f.path + "\" (" + why + ")");
    }
    auto lfs = item.find("lfs");
    if (lfs != item.end() && lfs->is_object()) {
      f.size = sizeField(*lfs, where + " (" + f.path + ") lfs");
      auto oid = lfs->find("oid");
      if (oid == lfs->end() || !oid->is_string()) throw Error(where + " (" + f.path + "): lfs has no \"oid\"");
      f.sha256 = oid->get<std::string>();
      std::transform(f.sha256.begin(), f.sha256.end(), f.sha256.begin(),
                     [](char c) { return (c >= 'A' && c <= 'F') ? char(c - 'A' + 'a') : c; });
      if (!isHexDigest(f.sha256)) throw Error(where + " (" + f.path + "): lfs oid is not a sha256 digest");
    } else {
      f.size = sizeField(item, where + " (" + f.path + ")");
    }
    files.push_back(std::move(f));
  }
  return files;
}

std::string defaultHubEndpoint() {
  std::string endpoint = "https://huggingface.co";
  if (const char* env = std::getenv("HF_ENDPOINT"); env && *env) endpoint = env;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

std::string hubTreeUrl(const std::string& endpoint, const std::string& repo, const std::string& revision) {
  // huggingface_hub quotes the revision with safe="" ("refs/pr/1" → "refs%2Fpr%2F1").
  return endpoint + "/api/models/" + repo + "/tree/" + percentEncode(revision, 0) + "?recursive=1";
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// "scheme://host[:port]" of a URL, lower-cased, with the scheme's default port made explicit.
std::string origin(const std::string& url) {
  const auto colon = url.find("://");
  if (colon == std::string::npos) return {};
  const std::string scheme = lower(url.substr(0, colon));
  const auto start = colon + 3;
  const auto end = url.find_first_of("/?#", start);
  std::string authority = lower(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
  if (authority.empty() || authority.find('@') != std::string::npos) return {};  // no userinfo
  const auto bracket = authority.rfind(']');
  const auto portColon = authority.rfind(':');
  if (portColon == std::string::npos || (bracket != std::string::npos && portColon < bracket))
    authority += scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  return scheme + "://" + authority;
}

}  // namespace

std::string hubNextPageUrl(const std::string& linkHeader) {
  // link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ), separated by commas. A URL may
  // itself hold commas or semicolons, so each value is read from its '<' to the matching '>'.
  size_t pos = 0;
  while (true) {
    const auto lt = linkHeader.find('<', pos);
    if (lt == std::string::npos) return {};
    const auto gt = linkHeader.find('>', lt + 1);
    if (gt == std::string::npos) return {};
    const std::string url = linkHeader.substr(lt + 1, gt - lt - 1);
    auto next = linkHeader.find('<', gt + 1);
    // Only commas outside quotes end a value; params rarely hold '<', so the next '<' bounds them.
    const std::string params = linkHeader.substr(gt + 1, next == std::string::npos ? std::string::npos : next - gt - 1);
    size_t p = 0;
    while ((p = params.find(';', p)) != std::string::npos) {
      ++p;
      const auto end = params.find_first_of(";,", p);
      const std::string param = trim(params.substr(p, end == std::string::npos ? std::string::npos : end - p));
      const auto eq = param.find('=');
      if (eq != std::string::npos && lower(trim(param.substr(0, eq))) == "rel") {
        std::string value = trim(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        std::istringstream types(lower(value));
        std::string type;
        while (types >> type)
          if (type == "next") return url;
      }
    }
    if (next == std::string::npos) return {};
    pos = next;
  }
}

bool sameOrigin(const std::string& url, const std::string& endpoint) {
  const std::string a = origin(url);
  return !a.empty() && a == origin(endpoint);
}

std::string hubFileUrl(const std::string& endpoint, const std::string& repo, const std::string& revision,
                       const std::string& path) {
  return endpoint + "/" + repo + "/resolve/" + percentEncode(revision, 0) + "/" + percentEncode(path, '/');
}

std::vector<HubFile> selectModelFiles(const ManifestModel& model, const std::vector<HubFile>& listing) {
  std::vector<HubFile> sorted = listing;
  std::sort(sorted.begin(), sorted.end(), [](const HubFile& a, const HubFile& b) { return a.path < b.path; });
  auto matches = [&](const std::string& path) {
    return std::any_of(model.files.begin(), model.files.end(),
                       [&](const std::string& p) { return manifestPatternMatches(p, path); });
  };
  std::set<std::string> candidates;  // matching, not pickled
  for (const auto& f : sorted) {
    if (matches(f.path) && !isPickle(f.path)) candidates.insert(f.path);
  }
  const std::string variantSuffix = model.variant.empty() ? "" : "." + model.variant + ".safetensors";
  std::vector<HubFile> chosen;
  for (const auto& f : sorted) {
    if (!candidates.count(f.path)) continue;
    if (endsWith(f.path, ".safetensors")) {
      if (!model.variant.empty()) {
        if (!endsWith(f.path, variantSuffix)) {
          const std::string base = f.path.substr(0, f.path.size() - std::string(".safetensors").size());
          if (candidates.count(base + variantSuffix)) continue;  // the variant file is taken instead
        }
      } else if (f.path.find(".fp16.") != std::string::npos) {
        continue;
      }
    }
    if (!chosen.empty() && chosen.back().path == f.path) continue;  // listed twice
    chosen.push_back(f);
  }
  if (chosen.empty()) {
    throw Error(model.repo + ": none of the files Latentshop needs for " + model.id + " (" +
                joinPatterns(model.files) + ") are in the repository");
  }
  // A weight pattern that found nothing while the same name exists as a pickle: say so.
  for (const auto& pattern : model.files) {
    if (!endsWith(pattern, ".safetensors")) continue;
    if (std::any_of(chosen.begin(), chosen.end(), [&](const HubFile& f) { return manifestPatternMatches(pattern, f.path); })) {
      continue;
    }
    const std::string stem = pattern.substr(0, pattern.size() - std::string(".safetensors").size());
    for (const auto& f : sorted) {
      for (const char* ext : kPickleExtensions) {
        if (manifestPatternMatches(stem + ext, f.path)) {
          throw Error(model.repo + " has only " + f.path + " for " + pattern +
                      " (pickled weights, which Latentshop never loads; it needs safetensors)");
        }
      }
    }
  }
  return chosen;
}

}  // namespace latentshop
