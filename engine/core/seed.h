// Seeds as users type them: a whole number from 0 to 2^64 - 1 (torch's CPU generator takes any
// 64-bit seed), parsed exactly. "-1", "1e3", "18446744073709551616" or "12abc" are errors that name
// the value and the range, never a silent clamp or wrap.
#pragma once
#include <cstdint>
#include <string>

namespace latentshop {

inline constexpr const char* kSeedRangeText = "a whole number from 0 to 18446744073709551615";

// Throws Error("<what> <text>: ...") for anything but decimal digits within range (surrounding
// spaces are allowed).
std::uint64_t parseSeed(const std::string& text, const std::string& what = "seed");

}  // namespace latentshop
