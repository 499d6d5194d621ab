// Exact seed parsing (see seed.h).
#include "engine/core/seed.h"

#include <limits>

#include "engine/core/error.h"

namespace latentshop {

std::uint64_t parseSeed(const std::string& text, const std::string& what) {
  const size_t first = text.find_first_not_of(" \t");
  const size_t last = text.find_last_not_of(" \t");
  const std::string digits = first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
  auto fail = [&](const std::string& why) -> std::uint64_t {
    throw Error(what + " '" + text + "': " + why + "; a seed is " + kSeedRangeText);
  };
  if (digits.empty()) return fail("empty");
  if (digits[0] == '-') return fail("negative");
  std::uint64_t value = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (const char c : digits) {
    if (c < '0' || c > '9') return fail("not a whole number");
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (value > (kMax - d) / 10) return fail("too large");
    value = value * 10 + d;
  }
  return value;
}

}  // namespace latentshop
