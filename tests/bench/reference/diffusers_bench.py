"""The diffusers side of the Latentshop benchmarks: builds the same model from its config with random
weights and times the same operation, printing `TIME <seconds>` per timed run (after one warm-up).

Run by the C++ benchmarks (bench_vae --diffusers DIR) as
    python3 diffusers_bench.py --diffusers DIR vae-decode|vae-encode --size 512 --threads 2 --serve
which builds the model, runs the warm-up, prints READY, then times one run for every line `run` it
reads on stdin (so the two implementations can alternate) and prints `PEAK_RSS_MIB <n>` at the end of
its input. Without --serve it times --reps runs. It runs with Debian's python3-torch (the interpreter the goldens were made with). The directory holds a
diffusers checkout (its `src/`); this folder's offline stand-ins for huggingface_hub and
safetensors let it import without those packages. Nothing is downloaded.
"""
import argparse
import os
import resource
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["vae-decode", "vae-encode"])
    p.add_argument("--diffusers", required=True, help="diffusers checkout (the folder holding src/diffusers)")
    p.add_argument("--size", type=int, default=512, help="image side in pixels")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--serve", action="store_true", help="time one run per line read on stdin")
    a = p.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(a.diffusers, "src")
    sys.path[:0] = [src if os.path.isdir(src) else a.diffusers, here]

    import torch
    import diffusers
    from diffusers import AutoencoderKL

    torch.set_num_threads(a.threads)
    print("diffusers %s, torch %s, %d threads" % (diffusers.__version__, torch.__version__, torch.get_num_threads()))
    torch.manual_seed(0)
    vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), layers_per_block=2,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                        latent_channels=4, sample_size=512).eval()
    if a.what == "vae-decode":
        x = torch.randn(1, 4, a.size // 8, a.size // 8)
        run = lambda: vae.decode(x).sample
    else:
        x = torch.rand(1, 3, a.size, a.size) * 2 - 1
        run = lambda: vae.encode(x).latent_dist.mean
    def timed():
        t0 = time.perf_counter()
        run()
        print("TIME %.4f" % (time.perf_counter() - t0), flush=True)

    with torch.inference_mode():
        run()
        if a.serve:
            print("READY", flush=True)
            for line in sys.stdin:
                if line.strip() == "run":
                    timed()
        else:
            for _ in range(a.reps):
                timed()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("PEAK_RSS_MIB %.0f" % peak, flush=True)


if __name__ == "__main__":
    main()
