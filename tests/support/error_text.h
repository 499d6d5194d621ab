// What the engine says when it refuses something, for tests that assert on the message: errorOf runs
// `fn` and returns the latentshop::Error's text ("" when nothing was thrown; any other exception
// propagates and fails the test). Header-only, std + engine/core only (Qt-free tests use it too).
#pragma once
#include <string>
#include <utility>

#include "engine/core/error.h"

namespace lstest {

template <class F>
std::string errorOf(F&& fn) {
  try {
    std::forward<F>(fn)();
  } catch (const latentshop::Error& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace lstest
