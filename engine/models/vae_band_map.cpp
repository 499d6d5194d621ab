#include "engine/models/vae_band_map.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "engine/core/error.h"

namespace latentshop {

namespace {
std::string tempTemplate() {
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  return (dir / "latentshop-vae-XXXXXX").string();
}
}  // namespace

VaeBandMap::VaeBandMap(int64_t batch, int64_t channels, int64_t height, int64_t width, c10::ScalarType dtype,
                       int64_t groups, bool onDisk)
    : batch_(batch), channels_(channels), height_(height), width_(width), dtype_(dtype) {
  moments_.groups = groups;
  if (!onDisk) {
    memory_ = at::empty({height, batch, channels, width}, torch::TensorOptions().dtype(dtype));
    return;
  }
  std::string path = tempTemplate();
  fd_ = ::mkstemp(path.data());
  if (fd_ < 0) throw Error("tiled VAE: cannot create a temporary file " + path + ": " + std::strerror(errno));
  ::unlink(path.c_str());  // gone when closed, even after a crash
  if (::ftruncate(fd_, static_cast<off_t>(bytes())) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw Error("tiled VAE: cannot reserve " + std::to_string(bytes() >> 20) + " MiB in " + path + ": " + why);
  }
}

VaeBandMap::~VaeBandMap() {
  if (fd_ >= 0) ::close(fd_);
}

int64_t VaeBandMap::rowBytes() const {
  return batch_ * channels_ * width_ * static_cast<int64_t>(c10::elementSize(dtype_));
}

int64_t VaeBandMap::bytes() const { return rowBytes() * height_; }

torch::Tensor VaeBandMap::read(int64_t r0, int64_t r1) const {
  if (r0 < 0 || r1 > height_ || r0 > r1) throw Error("tiled VAE: rows outside the map");
  torch::Tensor rows;
  if (fd_ < 0) {
    rows = memory_.slice(0, r0, r1);
  } else {
    rows = at::empty({r1 - r0, batch_, channels_, width_}, torch::TensorOptions().dtype(dtype_));
    auto* p = static_cast<char*>(rows.data_ptr());
    int64_t left = (r1 - r0) * rowBytes(), at = r0 * rowBytes();
    while (left > 0) {
      const ssize_t n = ::pread(fd_, p, static_cast<size_t>(left), static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw Error(std::string("tiled VAE: reading a temporary file failed: ") + std::strerror(errno));
      p += n, left -= n, at += n;
    }
  }
  return rows.permute({1, 2, 0, 3}).contiguous();
}

void VaeBandMap::write(int64_t r0, const torch::Tensor& x) {
  const int64_t n = x.size(2);
  if (r0 < 0 || r0 + n > height_ || x.size(0) != batch_ || x.size(1) != channels_ || x.size(3) != width_)
    throw Error("tiled VAE: a band does not fit its map");
  if (moments_.groups > 0) moments_.add(x);
  const auto rows = x.to(dtype_).permute({2, 0, 1, 3}).contiguous();  // [n, B, C, W]
  if (fd_ < 0) {
    memory_.slice(0, r0, r0 + n).copy_(rows);
    return;
  }
  const auto* p = static_cast<const char*>(rows.data_ptr());
  int64_t left = n * rowBytes(), at = r0 * rowBytes();
  while (left > 0) {
    const ssize_t w = ::pwrite(fd_, p, static_cast<size_t>(left), static_cast<off_t>(at));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      throw Error(std::string("tiled VAE: writing a temporary file failed (is the temporary folder full?): ") +
                  std::strerror(errno));
    p += w, left -= w, at += w;
  }
}

}  // namespace latentshop
