// The engine's process memory readers (engine/core/process_memory.h) under the tests' namespace.
#pragma once
#include "engine/core/process_memory.h"

namespace lstest {
using latentshop::peakRssMiB;
using latentshop::resetPeakRss;
using latentshop::rssMiB;
using latentshop::statusMiB;
}  // namespace lstest
