#include "engine/io/png_parameters.h"

#include <cctype>
#include <set>

#include "engine/core/error.h"

namespace latentshop {

namespace {

// The first of `keys` present in params (non-null), or nullptr.
const nlohmann::json* pick(const nlohmann::json& params, std::initializer_list<const char*> keys,
                          std::set<std::string>& used) {
  const nlohmann::json* found = nullptr;
  for (const char* k : keys) {
    auto it = params.find(k);
    if (it == params.end() || it->is_null()) continue;
    used.insert(k);
    if (!found) found = &*it;
  }
  return found;
}

std::string scalarText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();  // numbers: shortest round-trip form
}

// A1111's quote(): values with a comma, colon or newline are written as JSON strings.
std::string quoted(const std::string& s) {
  if (s.find_first_of(",:\n") == std::string::npos) return s;
  return nlohmann::json(s).dump();
}

std::string samplerName(const std::string& scheduler) {
  std::string k;
  for (char c : scheduler)
    if (std::isalnum(static_cast<unsigned char>(c))) k.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (k == "ddim" || k == "ddimscheduler") return "DDIM";
  if (k == "euler" || k == "eulerdiscrete" || k == "eulerdiscretescheduler") return "Euler";
  if (k == "eulera" || k == "eulerancestral" || k == "eulerancestraldiscretescheduler") return "Euler a";
  if (k == "dpmpp2m" || k == "dpm2m" || k == "dpmsolvermultistep" || k == "dpmsolvermultistepscheduler")
    return "DPM++ 2M";
  if (k == "pndm" || k == "plms") return "PLMS";
  if (k == "lms") return "LMS";
  return scheduler;
}

std::string sizeText(const nlohmann::json& params, std::set<std::string>& used) {
  auto w = params.find("width");
  auto h = params.find("height");
  if (w != params.end() && h != params.end() && w->is_number_integer() && h->is_number_integer()) {
    used.insert("width");
    used.insert("height");
    return std::to_string(w->get<long long>()) + "x" + std::to_string(h->get<long long>());
  }
  auto s = params.find("size");
  if (s == params.end()) return "";
  used.insert("size");
  if (s->is_array() && s->size() == 2 && (*s)[0].is_number() && (*s)[1].is_number())
    return (*s)[0].dump() + "x" + (*s)[1].dump();
  if (s->is_object() && s->contains("width") && s->contains("height"))
    return s->at("width").dump() + "x" + s->at("height").dump();
  if (s->is_string()) return s->get<std::string>();
  return "";
}

bool isKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// One "Key: value" item of an A1111 parameter line starting at `pos`; advances pos past the comma.
bool parseItem(const std::string& line, size_t& pos, std::string& key, std::string& value) {
  while (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos >= line.size() || !isKeyChar(line[pos])) return false;
  const size_t colon = line.find(':', pos);
  if (colon == std::string::npos) return false;
  key = line.substr(pos, colon - pos);
  for (char c : key)
    if (!(isKeyChar(c) || c == ' ' || c == '-' || c == '/')) return false;
  pos = colon + 1;
  while (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos < line.size() && line[pos] == '"') {
    size_t end = pos + 1;
    while (end < line.size() && line[end] != '"') end += line[end] == '\\' ? 2 : 1;
    if (end >= line.size()) return false;
    try {
      value = nlohmann::json::parse(line.substr(pos, end - pos + 1)).get<std::string>();
    } catch (const std::exception&) {
      return false;
    }
    pos = end + 1;
    while (pos < line.size() && line[pos] == ' ') ++pos;
    if (pos < line.size() && line[pos] != ',') return false;
  } else {
    const size_t comma = line.find(',', pos);
    const size_t end = comma == std::string::npos ? line.size() : comma;
    value = line.substr(pos, end - pos);
    while (!value.empty() && value.back() == ' ') value.pop_back();
    pos = end;
  }
  if (pos < line.size()) ++pos;  // the comma
  return true;
}

}  // namespace

std::string formatA1111Parameters(const nlohmann::json& params) {
  if (!params.is_object() || params.empty()) return "";
  std::set<std::string> used;
  std::string out;
  if (const auto* p = pick(params, {"prompt", "instruction"}, used)) out = scalarText(*p);
  if (const auto* n = pick(params, {"negative_prompt", "negativePrompt"}, used); n && !scalarText(*n).empty())
    out += "\nNegative prompt: " + scalarText(*n);

  std::vector<std::pair<std::string, std::string>> items;
  auto add = [&](const char* name, const nlohmann::json* v) {
    if (v) items.emplace_back(name, scalarText(*v));
  };
  add("Steps", pick(params, {"steps", "num_inference_steps"}, used));
  if (const auto* s = pick(params, {"scheduler", "sampler"}, used))
    items.emplace_back("Sampler", samplerName(scalarText(*s)));
  add("CFG scale", pick(params, {"guidance_scale", "guidance", "cfg_scale"}, used));
  add("Image CFG scale", pick(params, {"image_guidance_scale", "image_guidance"}, used));
  add("Seed", pick(params, {"seed"}, used));
  if (auto size = sizeText(params, used); !size.empty()) items.emplace_back("Size", size);
  add("Model", pick(params, {"model"}, used));
  add("Denoising strength", pick(params, {"strength"}, used));
  add("Method", pick(params, {"method"}, used));
  for (const auto& [key, value] : params.items()) {
    if (used.count(key) || !(value.is_primitive()) || value.is_null()) continue;
    bool validKey = !key.empty() && isKeyChar(key[0]);
    for (char c : key) validKey = validKey && (isKeyChar(c) || c == ' ' || c == '-' || c == '/');
    if (validKey) items.emplace_back(key, scalarText(value));
  }
  std::string line;
  for (const auto& [name, value] : items) line += (line.empty() ? "" : ", ") + name + ": " + quoted(value);
  if (!line.empty()) out += (out.empty() ? "" : "\n") + line;
  return out;
}

nlohmann::json parseA1111Parameters(const std::string& text) {
  nlohmann::json out = nlohmann::json::object();
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  // The last line holds the parameters when it parses as ≥ 1 "Key: value" items to its end
  // (A1111 requires 3; Latentshop's own results may carry fewer).
  nlohmann::json items = nlohmann::json::object();
  if (!lines.empty()) {
    const std::string& last = lines.back();
    size_t pos = 0;
    std::string key, value;
    bool ok = true;
    int count = 0;
    while (pos < last.size()) {
      if (!parseItem(last, pos, key, value)) {
        ok = false;
        break;
      }
      items[key] = value;
      ++count;
    }
    const bool isNegativeLine = last.rfind("Negative prompt:", 0) == 0;
    if (ok && count > 0 && !isNegativeLine && (count >= 3 || lines.size() > 1 || last.find(',') != std::string::npos))
      lines.pop_back();
    else
      items = nlohmann::json::object();
  }
  // Lines before "Negative prompt:" are the prompt; that line and the ones after it, the negative.
  std::string prompt, negative;
  bool inNegative = false, firstPrompt = true;
  for (const auto& l : lines) {
    if (!inNegative && l.rfind("Negative prompt:", 0) == 0) {
      inNegative = true;
      negative = l.substr(16);
      if (!negative.empty() && negative[0] == ' ') negative.erase(0, 1);
    } else if (inNegative) {
      negative += "\n" + l;
    } else {
      prompt += (firstPrompt ? "" : "\n") + l;
      firstPrompt = false;
    }
  }
  out["prompt"] = prompt;
  out["negative_prompt"] = negative;
  for (auto& [k, v] : items.items()) out[k] = v;
  return out;
}

std::vector<PngText> parameterTextChunks(const nlohmann::json& params, const nlohmann::json& layers) {
  std::vector<PngText> out;
  const std::string a1111 = formatA1111Parameters(params);
  if (!a1111.empty()) out.push_back({kPngParametersKey, a1111});
  nlohmann::json own = {{"latentshop", LATENTSHOP_VERSION},
                        {"params", params.is_object() ? params : nlohmann::json::object()}};
  if (!layers.is_null()) own["layers"] = layers;
  out.push_back({kPngLatentshopKey, own.dump()});
  return out;
}

PngParameters parametersFromText(const std::vector<PngText>& text, const std::string& what) {
  PngParameters out;
  out.a1111 = findPngText(text, kPngParametersKey);
  const std::string own = findPngText(text, kPngLatentshopKey);
  if (!own.empty()) {
    try {
      out.latentshop = nlohmann::json::parse(own);
    } catch (const std::exception& e) {
      throw Error(what + ": the 'latentshop' text chunk is not valid JSON: " + e.what());
    }
    if (out.latentshop.is_object() && out.latentshop.contains("params") && out.latentshop["params"].is_object())
      out.params = out.latentshop["params"];
  } else if (!out.a1111.empty()) {
    out.params = parseA1111Parameters(out.a1111);
  }
  return out;
}

PngParameters readPngParameters(const std::string& path) {
  return parametersFromText(readPngText(path), path);
}

}  // namespace latentshop
