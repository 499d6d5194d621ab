// PackBits run-length coding (Apple Technical Note TN1023), the "RLE" compression of Photoshop
// files: a header byte n in 0..127 copies the next n+1 bytes literally; n in 129..255 (−127..−1 as
// a signed byte) repeats the next byte 257−n times; 128 is a no-op. PSD compresses each row of each
// channel separately.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace latentshop {

// Appends the PackBits code for `size` bytes to `out`; returns the number of bytes appended.
// Worst case: size + ceil(size / 128).
std::size_t packBitsAppend(const std::uint8_t* data, std::size_t size, std::vector<std::uint8_t>& out);

// Decodes PackBits data into exactly `expected` bytes; returns false when the code is malformed
// or yields a different length.
bool unpackBits(const std::uint8_t* data, std::size_t size, std::size_t expected, std::vector<std::uint8_t>& out);

}  // namespace latentshop
