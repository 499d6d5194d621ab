// Reading a whole file into memory with a byte cap, for the readers of untrusted files (images,
// PNG text): a 3 GB "image" is refused by its size before it is read, and a pipe or a growing
// file never makes us hold more than the cap. Errors name the file and the problem.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace latentshop {

// Reads a whole file, never more than `maxBytes` (+1 to detect the excess). Throws
// fileError(path, ...) for a missing file, a folder, an unreadable file, an empty one, or one larger
// than maxBytes ("is 3.2 GB, more than the 2.1 GB an image may have").
std::vector<std::uint8_t> readFileBytes(const std::string& path, std::uint64_t maxBytes);

}  // namespace latentshop
