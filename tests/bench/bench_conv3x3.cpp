// The VAE's 3×3 convolutions on CPU, fp32, one sample: oneDNN's direct convolution (at::conv2d, NCHW
// and channels-last) against the engine's Winograd F(2×2, 3×3) path, and nearest ×2 up-sampling + conv
// against the fused up-sampling Winograd path. Prints per shape the median seconds, the ratio, GFLOP/s
// of the direct convolution and the largest difference to it.
//   bench_conv3x3 [--reps 3] [--size 512]   (size = the decoded image side; shapes follow the SD VAE)
#include <cstdio>
#include <vector>

#include "bench_common.h"
#include "engine/core/threads.h"
#include "engine/nn/winograd_conv.h"

using namespace latentshop;

int main(int argc, char** argv) {
  lsbench::Args args(argc, argv);
  configureTorchThreads();
  lsbench::printMachine();
  const int reps = static_cast<int>(args.integer("reps", 3));
  const int64_t size = args.integer("size", 512);
  std::printf("bench_conv3x3: libtorch %s, %d threads\n", TORCH_VERSION, at::get_num_threads());
  torch::InferenceMode inference;
  struct Shape {
    int64_t in, out, side;
    bool up;
  };
  const std::vector<Shape> shapes = {{512, 512, size / 8, false}, {512, 512, size / 4, false},
                                     {256, 256, size / 2, false}, {128, 128, size, false},
                                     {256, 128, size, false},     {512, 512, size / 8, true},
                                     {512, 512, size / 4, true},  {256, 256, size / 2, true}};
  for (const auto& s : shapes) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
    auto x = torch::randn({1, s.in, s.side, s.side}, gen);
    auto w = torch::randn({s.out, s.in, 3, 3}, gen) / std::sqrt(9.0 * static_cast<double>(s.in));
    auto b = torch::randn({s.out}, gen);
    auto U = nn::winogradTransformWeight(w);
    auto direct = [&] {
      auto in = s.up ? at::upsample_nearest2d(x, {2 * s.side, 2 * s.side}, 2.0, 2.0) : x;
      return at::conv2d(in, w, b, 1, 1);
    };
    auto xCl = x.contiguous(at::MemoryFormat::ChannelsLast);
    auto wCl = w.contiguous(at::MemoryFormat::ChannelsLast);
    auto directCl = [&] {
      auto in = s.up ? at::upsample_nearest2d(xCl, {2 * s.side, 2 * s.side}, 2.0, 2.0) : xCl;
      return at::conv2d(in, wCl, b, 1, 1);
    };
    auto wino = [&] { return nn::winogradConv3x3(x, U, b, s.up); };
    torch::Tensor ref = direct(), got = wino();
    const double diff = (ref - got).abs().max().item<double>();
    const double scale = ref.abs().max().item<double>();
    std::vector<double> td, tc, tw;
    for (int i = 0; i < reps; ++i) {
      td.push_back(lsbench::seconds([&] { ref = direct(); }));
      tc.push_back(lsbench::seconds([&] { ref = directCl(); }));
      tw.push_back(lsbench::seconds([&] { got = wino(); }));
    }
    const double side = static_cast<double>(s.up ? 2 * s.side : s.side);
    const double gflop = 2.0 * 9.0 * static_cast<double>(s.in * s.out) * side * side / 1e9;
    std::printf("%s%4lld->%4lld at %4.0f²: direct %.3f s (%.0f GFLOP/s) | channels-last %.3f s | winograd %.3f s "
                "= %.2fx direct | max diff %.1e (output max %.1f)\n",
                s.up ? "up+conv " : "conv    ", static_cast<long long>(s.in), static_cast<long long>(s.out), side,
                lsbench::median(td), gflop / lsbench::median(td), lsbench::median(tc), lsbench::median(tw),
                lsbench::median(td) / lsbench::median(tw), diff, scale);
    std::fflush(stdout);
  }
  return 0;
}
