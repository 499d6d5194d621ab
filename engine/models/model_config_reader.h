// Reading diffusers config.json values with diffusers' defaults and messages that name the file and
// the key ("unet/config.json: block_out_channels: expected a list of integers"). Helpers of the model
// config parsers in engine/models (namespace modelcfg).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentshop::modelcfg {

class ConfigReader {
public:
  ConfigReader(const nlohmann::json& json, std::string source);

  // The value of `key`, or `fallback` when the key is absent (null counts as absent only for optionals).
  int64_t integer(const std::string& key, int64_t fallback) const;
  double number(const std::string& key, double fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  std::optional<int64_t> optionalInteger(const std::string& key) const;
  std::optional<double> optionalNumber(const std::string& key) const;
  std::optional<std::string> optionalString(const std::string& key, std::optional<std::string> fallback) const;
  std::vector<std::string> strings(const std::string& key, const std::vector<std::string>& fallback) const;
  std::vector<int64_t> integers(const std::string& key, const std::vector<int64_t>& fallback) const;
  // An int broadcast to `count` entries, or a list that must have `count` entries.
  std::vector<int64_t> integerOrList(const std::string& key, int64_t fallback, std::size_t count,
                                     const std::string& countName) const;
  std::vector<bool> booleanOrList(const std::string& key, bool fallback, std::size_t count,
                                  const std::string& countName) const;
  bool isNullOrAbsent(const std::string& key) const;
  bool has(const std::string& key) const;
  const nlohmann::json& raw(const std::string& key) const;

  // Error("<source>: <key>: <problem>").
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  const std::string& source() const { return source_; }

private:
  const nlohmann::json& json_;
  std::string source_;
};

// Parses a JSON file; throws latentshop::Error naming the file when it is missing or malformed.
nlohmann::json readJsonFile(const std::string& path);

}  // namespace latentshop::modelcfg
