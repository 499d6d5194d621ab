#include "engine/schedulers/scheduler_config.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "engine/core/error.h"

namespace latentshop {

namespace {

bool startsWithAt(const std::string& s, std::size_t i, const char* token) {
  return s.compare(i, std::char_traits<char>::length(token), token) == 0;
}

// Quotes NaN / Infinity / -Infinity tokens that stand outside strings.
std::string quoteNonFiniteTokens(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool inString = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    if (c == '"') {
      inString = true;
      out += c;
    } else if (startsWithAt(text, i, "-Infinity")) {
      out += "\"-Infinity\"";
      i += 8;
    } else if (startsWithAt(text, i, "Infinity")) {
      out += "\"Infinity\"";
      i += 7;
    } else if (startsWithAt(text, i, "NaN")) {
      out += "\"NaN\"";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

const char* typeName(const nlohmann::json& v) { return v.type_name(); }

}  // namespace

nlohmann::json parseDiffusersJson(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(quoteNonFiniteTokens(text));
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
    throw fileError(source, std::string("not valid JSON: ") + e.what());
  }
}

nlohmann::json loadDiffusersJson(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw fileError(path, "cannot be read");
  std::ostringstream s;
  s << f.rdbuf();
  auto j = parseDiffusersJson(s.str(), path);
  if (!j.is_object()) throw fileError(path, "expected a JSON object");
  return j;
}

nlohmann::json jsonNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

ConfigReader::ConfigReader(const nlohmann::json& config, std::string source)
    : config_(config), source_(std::move(source)) {
  if (!config_.is_object()) throw fileError(source_, "expected a JSON object");
}

void ConfigReader::fail(const std::string& key, const std::string& problem) const {
  throw fileError(source_, key + ": " + problem);
}

const nlohmann::json* ConfigReader::find(const std::string& key) const {
  auto it = config_.find(key);
  if (it == config_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool ConfigReader::has(const std::string& key) const { return find(key) != nullptr; }

double ConfigReader::number(const std::string& key, double fallback) const {
  auto v = optionalNumber(key);
  return v ? *v : fallback;
}

std::optional<double> ConfigReader::optionalNumber(const std::string& key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  }
  fail(key, std::string("expected a number, got ") + typeName(*v));
}

int64_t ConfigReader::integer(const std::string& key, int64_t fallback) const {
  const auto* v = find(key);
  if (!v) return fallback;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    const double d = v->get<double>();
    // 2^63 is exactly representable; casting a double outside [-2^63, 2^63) is undefined behaviour.
    if (std::floor(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0) return static_cast<int64_t>(d);
  }
  fail(key, std::string("expected an integer, got ") + v->dump());
}

bool ConfigReader::boolean(const std::string& key, bool fallback) const {
  const auto* v = find(key);
  if (!v) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  fail(key, std::string("expected true or false, got ") + v->dump());
}

std::string ConfigReader::string(const std::string& key, const std::string& fallback) const {
  auto v = optionalString(key);
  return v ? *v : fallback;
}

std::optional<std::string> ConfigReader::optionalString(const std::string& key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  fail(key, std::string("expected a string, got ") + v->dump());
}

std::optional<std::vector<double>> ConfigReader::numberList(const std::string& key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) fail(key, std::string("expected a list of numbers, got ") + typeName(*v));
  std::vector<double> out;
  out.reserve(v->size());
  for (const auto& e : *v) {
    if (!e.is_number()) fail(key, "expected a list of numbers, found " + e.dump());
    out.push_back(e.get<double>());
  }
  return out;
}

void BetaScheduleConfig::read(const ConfigReader& r) {
  numTrainTimesteps = r.integer("num_train_timesteps", numTrainTimesteps);
  betaStart = r.number("beta_start", betaStart);
  betaEnd = r.number("beta_end", betaEnd);
  betaSchedule = r.string("beta_schedule", betaSchedule);
  trainedBetas = r.numberList("trained_betas");
  predictionType = r.string("prediction_type", predictionType);
  timestepSpacing = r.string("timestep_spacing", timestepSpacing);
  stepsOffset = r.integer("steps_offset", stepsOffset);
  if (numTrainTimesteps < 2) r.fail("num_train_timesteps", "must be at least 2");
  if (trainedBetas && static_cast<int64_t>(trainedBetas->size()) != numTrainTimesteps) {
    r.fail("trained_betas", "has " + std::to_string(trainedBetas->size()) +
                                " values but num_train_timesteps is " + std::to_string(numTrainTimesteps));
  }
}

void BetaScheduleConfig::write(nlohmann::json& j) const {
  j["num_train_timesteps"] = numTrainTimesteps;
  j["beta_start"] = betaStart;
  j["beta_end"] = betaEnd;
  j["beta_schedule"] = betaSchedule;
  j["trained_betas"] = trainedBetas ? nlohmann::json(*trainedBetas) : nlohmann::json(nullptr);
  j["prediction_type"] = predictionType;
  j["timestep_spacing"] = timestepSpacing;
  j["steps_offset"] = stepsOffset;
}

void BetaScheduleConfig::validate(const std::string& source, const std::vector<std::string>& predictionTypes) const {
  bool known = false;
  std::string list;
  for (const auto& p : predictionTypes) {
    known = known || p == predictionType;
    list += (list.empty() ? "" : ", ") + p;
  }
  if (!known) throw fileError(source, "prediction_type '" + predictionType + "' is not supported (expected " + list + ")");
  if (timestepSpacing != "leading" && timestepSpacing != "linspace" && timestepSpacing != "trailing") {
    throw fileError(source, "timestep_spacing '" + timestepSpacing + "' is not supported (expected leading, linspace or trailing)");
  }
}

}  // namespace latentshop
