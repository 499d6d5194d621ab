// The SD VAE on CPU: AutoencoderKL with SD 1.5's config (block_out_channels 128/256/512/512,
// layers_per_block 2, latent 4), random weights; decode of a random latent and encode of a random
// image at each --size, one sample. Prints the machine, per case the median wall seconds of the timed
// runs (after a warm-up) and the peak RSS (weights included), as `latentshop-cli bench vae` does.
// With --diffusers DIR (a diffusers checkout, e.g. v0.26.3) the same model is built by diffusers'
// AutoencoderKL in a child process (tests/bench/reference/diffusers_bench.py under --python, Debian's
// python3-torch by default) and the runs alternate: ours, theirs, ours, … in one sitting; the ratio
// ours / theirs is printed per case.
//   bench_vae [--what decode,encode] [--size 512,768] [--reps 3] [--dtype fp32|bf16]
//             [--channels-last 0|1] [--diffusers DIR] [--python /usr/bin/python3] [--profile trace.json]
//             [--vae-memory MIB] [--warm-up 1|0]
// --vae-memory sets the tiling budget (engine/models/autoencoder_kl_tiling.h): sizes over it run in
// bands ("in bands" in the label); e.g. --vae-memory 768 --size 512,2048 --reps 1 shows a 2048²
// decode's peak beside a 512² one's.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <torch/csrc/autograd/profiler_legacy.h>

#include "bench_common.h"
#include "bench_reference.h"
#include "engine/core/device.h"
#include "engine/core/threads.h"
#include "engine/models/autoencoder_kl.h"
#include "engine/runtime/model_benchmark.h"

using namespace latentshop;

namespace {

std::vector<std::string> list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  lsbench::Args args(argc, argv);
  const int threads = configureTorchThreads();
  const auto dtype = parseDtype(args.get("dtype", "fp32"));
  const int reps = static_cast<int>(args.integer("reps", 3));
  const std::string diffusers = args.get("diffusers", "");
  const std::string python = args.get("python", "/usr/bin/python3");
  lsbench::printMachine();
  std::printf("bench_vae: libtorch %s, %d threads, dtype %s, load average %s\n", TORCH_VERSION, threads,
              dtypeName(dtype).c_str(), lsbench::loadAverage().c_str());

  const double rssBefore = lsbench::rssMiB();
  AutoencoderKL vae(AutoencoderKLConfig::stableDiffusion(), torch::TensorOptions().dtype(dtype));
  lsbench::fillRandom(*vae, 99);
  if (args.get("channels-last", "") != "") vae->setChannelsLast(args.integer("channels-last", 0) != 0);
  if (args.get("vae-memory", "") != "") {
    VaeTilingPolicy policy;
    policy.memoryBudgetBytes = args.integer("vae-memory", 0) << 20;
    vae->setTilingPolicy(policy);
  }
  std::printf("AutoencoderKL SD config, weights %.0f MiB (RSS %.0f -> %.0f MiB), channels-last %d\n",
              static_cast<double>(lsbench::parameterBytes(*vae)) / (1024.0 * 1024.0), rssBefore, lsbench::rssMiB(),
              int(vae->channelsLast()));

  std::vector<std::string> table;
  for (const auto& what : list(args.get("what", "decode,encode"))) {
    for (const auto& sizeText : list(args.get("size", "512,768"))) {
      const int64_t size = std::stoll(sizeText);
      auto run = vaeBenchRun(vae, what, size);
      const std::string label = "VAE " + what + " " + sizeText + "², " + dtypeName(dtype) +
                                (vae->tiles(1, size / 8, size / 8) ? ", in bands" : "");
      const std::string profile = args.get("profile", "");
      if (!profile.empty()) {  // one run's operators as a Chrome trace (chrome://tracing)
        torch::autograd::profiler::RecordProfile record(profile + "." + what + sizeText + ".json");
        run();
      }
      std::unique_ptr<lsbench::ReferenceProcess> reference;
      if (!diffusers.empty()) {
        reference = std::make_unique<lsbench::ReferenceProcess>(std::vector<std::string>{
            python, lsbench::referenceScript(), "vae-" + what, "--diffusers", diffusers, "--size", sizeText,
            "--threads", std::to_string(threads)});
        if (!reference->ready()) std::printf("  (diffusers did not start: see its output above)\n");
      }
      // Alternate: one warm-up of ours, then ours / theirs per repetition.
      BenchTiming ours;
      if (args.integer("warm-up", 1) != 0) ours.warmUpSeconds = lsbench::seconds(run);
      std::vector<double> theirs;
      lsbench::resetPeakRss();
      for (int i = 0; i < reps; ++i) {
        ours.seconds.push_back(lsbench::seconds(run));
        std::printf("%s run %d: latentshop %.2f s", label.c_str(), i + 1, ours.seconds.back());
        if (reference && reference->ready()) {
          theirs.push_back(reference->run());
          std::printf(" | diffusers %.2f s", theirs.back());
        }
        std::printf(" | load average %s\n", lsbench::loadAverage().c_str());
        std::fflush(stdout);
      }
      ours.peakRssMiB = lsbench::peakRssMiB();
      std::string row = benchRow(label, ours);
      if (reference) {
        const double peak = reference->finish();
        const double med = lsbench::median(theirs);
        char b[160];
        std::snprintf(b, sizeof b, " diffusers %.2f s, %.0f MiB | ratio %.2f |", med, peak,
                      med > 0 ? ours.median() / med : 0.0);
        row += b;
      }
      std::printf("RESULT %s\n", row.c_str());
      table.push_back(row);
    }
  }
  std::printf("\nmachine: %s\n| what | Latentshop median | runs | peak RSS |%s\n", lsbench::cpuDescription().c_str(),
              diffusers.empty() ? "" : " diffusers median, peak RSS | Latentshop / diffusers |");
  for (const auto& row : table) std::printf("%s\n", row.c_str());
  return 0;
}
