// Reading diffusers `scheduler_config.json` files: Python's json module writes `-Infinity`,
// `Infinity` and `NaN` (e.g. DPMSolverMultistepScheduler's `lambda_min_clipped`), which strict
// JSON parsers reject; unknown keys are ignored and absent keys take diffusers' defaults, as
// `ConfigMixin.from_config` does. Reference: diffusers/src/diffusers/configuration_utils.py.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentshop {

// Parses JSON text that may hold the bare tokens NaN, Infinity and -Infinity (outside strings);
// they become the strings "NaN", "Infinity", "-Infinity", which ConfigReader::number() accepts.
// Throws Error("<source>: not valid JSON: ...").
nlohmann::json parseDiffusersJson(const std::string& text, const std::string& source);
// Reads and parses a file; throws Error naming the path when it cannot be read or parsed.
nlohmann::json loadDiffusersJson(const std::string& path);

// A double for a JSON value written by toJson(): numbers as numbers, infinities and NaN as the
// strings Python would write bare.
nlohmann::json jsonNumber(double value);

// Typed access to a config object with defaults. A key that is absent or null takes the default
// (diffusers passes an explicit null through, but every such case in these schedulers means "use
// the default"); a value of the wrong type throws Error("<source>: <key>: expected ...").
class ConfigReader {
public:
  ConfigReader(const nlohmann::json& config, std::string source);
  bool has(const std::string& key) const;
  double number(const std::string& key, double fallback) const;
  std::optional<double> optionalNumber(const std::string& key) const;
  int64_t integer(const std::string& key, int64_t fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  std::optional<std::string> optionalString(const std::string& key) const;
  std::optional<std::vector<double>> numberList(const std::string& key) const;
  const std::string& source() const { return source_; }
  // Error("<source>: <key>: <problem>")
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

private:
  const nlohmann::json* find(const std::string& key) const;
  const nlohmann::json& config_;
  std::string source_;
};

// The keys every scheduler shares (the training noise schedule and the inference spacing).
// Defaults are diffusers'; `timestepSpacing`'s default differs per class and is set by it.
struct BetaScheduleConfig {
  int64_t numTrainTimesteps = 1000;            // num_train_timesteps
  double betaStart = 0.0001;                   // beta_start
  double betaEnd = 0.02;                       // beta_end
  std::string betaSchedule = "linear";         // beta_schedule
  std::optional<std::vector<double>> trainedBetas;  // trained_betas
  std::string predictionType = "epsilon";      // prediction_type: epsilon | v_prediction | sample
  std::string timestepSpacing = "linspace";    // timestep_spacing: leading | linspace | trailing
  int64_t stepsOffset = 0;                     // steps_offset

  void read(const ConfigReader& r);
  void write(nlohmann::json& j) const;
  // Throws Error for an unknown prediction type / spacing (names the key and the accepted values).
  void validate(const std::string& source, const std::vector<std::string>& predictionTypes) const;
};

}  // namespace latentshop
