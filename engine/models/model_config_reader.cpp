#include "engine/models/model_config_reader.h"

#include <fstream>
#include <sstream>

#include "engine/core/error.h"

namespace latentshop::modelcfg {

ConfigReader::ConfigReader(const nlohmann::json& json, std::string source) : json_(json), source_(std::move(source)) {
  if (!json_.is_object()) throw Error(source_ + ": expected a JSON object");
}

void ConfigReader::fail(const std::string& key, const std::string& problem) const {
  throw Error(source_ + ": " + key + ": " + problem);
}

bool ConfigReader::has(const std::string& key) const { return json_.contains(key); }

bool ConfigReader::isNullOrAbsent(const std::string& key) const {
  return !json_.contains(key) || json_.at(key).is_null();
}

const nlohmann::json& ConfigReader::raw(const std::string& key) const { return json_.at(key); }

int64_t ConfigReader::integer(const std::string& key, int64_t fallback) const {
  if (!json_.contains(key)) return fallback;
  const auto& v = json_.at(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  // A whole float (diffusers configs carry 1.0 for 1) in int64 range; casting a double outside
  // [-2^63, 2^63) (or NaN) is undefined behaviour, so the range is checked first.
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == static_cast<double>(static_cast<int64_t>(d)))
      return static_cast<int64_t>(d);
  }
  fail(key, "expected an integer, got " + v.dump());
}

double ConfigReader::number(const std::string& key, double fallback) const {
  if (!json_.contains(key)) return fallback;
  const auto& v = json_.at(key);
  if (v.is_number()) return v.get<double>();
  fail(key, "expected a number, got " + v.dump());
}

bool ConfigReader::boolean(const std::string& key, bool fallback) const {
  if (!json_.contains(key)) return fallback;
  const auto& v = json_.at(key);
  if (v.is_boolean()) return v.get<bool>();
  fail(key, "expected true or false, got " + v.dump());
}

std::string ConfigReader::string(const std::string& key, const std::string& fallback) const {
  if (!json_.contains(key)) return fallback;
  const auto& v = json_.at(key);
  if (v.is_string()) return v.get<std::string>();
  fail(key, "expected a string, got " + v.dump());
}

std::optional<int64_t> ConfigReader::optionalInteger(const std::string& key) const {
  if (isNullOrAbsent(key)) return std::nullopt;
  return integer(key, 0);
}

std::optional<double> ConfigReader::optionalNumber(const std::string& key) const {
  if (isNullOrAbsent(key)) return std::nullopt;
  return number(key, 0.0);
}

std::optional<std::string> ConfigReader::optionalString(const std::string& key,
                                                        std::optional<std::string> fallback) const {
  if (!json_.contains(key)) return fallback;
  if (json_.at(key).is_null()) return std::nullopt;
  return string(key, "");
}

std::vector<std::string> ConfigReader::strings(const std::string& key, const std::vector<std::string>& fallback) const {
  if (!json_.contains(key)) return fallback;
  const auto& v = json_.at(key);
  if (!v.is_array()) fail(key, "expected a list of strings, got " + v.dump());
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) fail(key, "expected a list of strings, got " + v.dump());
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<int64_t> ConfigReader::integers(const std::string& key, const std::vector<int64_t>& fallback) const {
  if (!json_.contains(key)) return fallback;
  const auto& v = json_.at(key);
  if (!v.is_array()) fail(key, "expected a list of integers, got " + v.dump());
  std::vector<int64_t> out;
  for (const auto& e : v) {
    if (!e.is_number_integer()) fail(key, "expected a list of integers, got " + v.dump());
    out.push_back(e.get<int64_t>());
  }
  return out;
}

std::vector<int64_t> ConfigReader::integerOrList(const std::string& key, int64_t fallback, std::size_t count,
                                                 const std::string& countName) const {
  if (!json_.contains(key) || json_.at(key).is_number()) return std::vector<int64_t>(count, integer(key, fallback));
  if (!json_.at(key).is_array()) fail(key, "expected an integer or a list of integers, got " + json_.at(key).dump());
  auto list = integers(key, {});
  if (list.size() != count)
    fail(key, "has " + std::to_string(list.size()) + " entries but " + countName + " has " + std::to_string(count));
  return list;
}

std::vector<bool> ConfigReader::booleanOrList(const std::string& key, bool fallback, std::size_t count,
                                              const std::string& countName) const {
  if (!json_.contains(key) || json_.at(key).is_boolean()) return std::vector<bool>(count, boolean(key, fallback));
  const auto& v = json_.at(key);
  if (!v.is_array()) fail(key, "expected true, false or a list of booleans, got " + v.dump());
  std::vector<bool> out;
  for (const auto& e : v) {
    if (!e.is_boolean()) fail(key, "expected a list of booleans, got " + v.dump());
    out.push_back(e.get<bool>());
  }
  if (out.size() != count)
    fail(key, "has " + std::to_string(out.size()) + " entries but " + countName + " has " + std::to_string(count));
  return out;
}

nlohmann::json readJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw fileError(path, "cannot open the file");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::exception& e) {
    throw fileError(path, std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace latentshop::modelcfg
