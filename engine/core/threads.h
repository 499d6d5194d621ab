// libtorch's intra-op thread count. It defaults to 1 on the machines we target, so every thread
// that runs tensor work (the engine worker, the CLI, tests, benchmarks) calls this first.
#pragma once

namespace latentshop {

// Threads to use: $LATENTSHOP_THREADS if set and positive, else std::thread::hardware_concurrency().
int preferredThreadCount();
// Sets libtorch's intra-op (and OpenMP) thread count for the calling thread to preferredThreadCount().
// Returns the count in effect afterwards.
int configureTorchThreads();

}  // namespace latentshop
