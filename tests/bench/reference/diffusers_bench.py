"""The diffusers side of the Latentshop benchmarks: builds the same model from its config with random
weights and times the same operation, printing `TIME <seconds>` per timed run (after one warm-up).

Run by the C++ benchmarks (bench_vae / bench_edit --diffusers DIR) as
    python3 diffusers_bench.py --diffusers DIR vae-decode|vae-encode --size 512 --threads 2 --serve
    python3 diffusers_bench.py --diffusers DIR edit-inpaint|edit-instruct --size 512 --steps 25 \
        --configs DIR --threads 2 --serve
(the edits run StableDiffusionInpaintPipeline / StableDiffusionInstructPix2PixPipeline on random
weights built from the UNet, VAE and scheduler configs bench_edit wrote into --configs, with prompt
embeddings passed in)
which builds the model, runs the warm-up, prints READY, then times one run for every line `run` it
reads on stdin (so the two implementations can alternate) and prints `PEAK_RSS_MIB <n>` at the end of
its input. Without --serve it times --reps runs. It runs with Debian's python3-torch (the interpreter the goldens were made with). The directory holds a
diffusers checkout (its `src/`); this folder's offline stand-ins for huggingface_hub and
safetensors (and transformers, for the pipelines) let it import without those packages. Nothing is downloaded.
"""
import argparse
import os
import resource
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["vae-decode", "vae-encode", "edit-inpaint", "edit-instruct"])
    p.add_argument("--steps", type=int, default=25)
    p.add_argument("--configs", help="folder with unet.json, vae.json, scheduler.json (edits)")
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
    if a.what.startswith("edit-"):
        run = edit_run(a)
    else:
        run = vae_run(a, AutoencoderKL)

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


def random_fill(module, seed):
    """Weights as latentshop's fillRandomWeights: N(0, 1/fan_in), 1-D non-bias 1, biases N(0, 0.02²)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith(".bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)
            elif p.dim() == 1:
                p.fill_(1.0)
            else:
                p.copy_(torch.randn(p.shape, generator=g) / (p[0].numel() ** 0.5))


def edit_run(a):
    import json
    import numpy as np
    import PIL.Image
    import torch
    import diffusers
    from diffusers import AutoencoderKL, UNet2DConditionModel

    def config(name):
        with open(os.path.join(a.configs, name)) as f:
            c = json.load(f)
        return {k: v for k, v in c.items() if not k.startswith("_")}, c.get("_class_name")

    unet = UNet2DConditionModel(**config("unet.json")[0]).eval()
    vae = AutoencoderKL(**config("vae.json")[0]).eval()
    random_fill(unet, 1)
    random_fill(vae, 2)
    scheduler_args, scheduler_class = config("scheduler.json")
    scheduler = getattr(diffusers, scheduler_class).from_config(scheduler_args)  # as from_pretrained: unknown keys ignored
    rng = np.random.default_rng(7)
    image = PIL.Image.fromarray(rng.integers(0, 256, (a.size, a.size, 3), dtype=np.uint8))
    embeds = torch.randn(1, 77, 768, generator=torch.Generator().manual_seed(3))
    negative = torch.randn(1, 77, 768, generator=torch.Generator().manual_seed(4))
    common = dict(vae=vae, text_encoder=None, tokenizer=None, unet=unet, scheduler=scheduler, safety_checker=None,
                  feature_extractor=None, requires_safety_checker=False)
    if a.what == "edit-inpaint":
        pipe = diffusers.StableDiffusionInpaintPipeline(**common)
        mask = np.zeros((a.size, a.size), dtype=np.uint8)
        mask[a.size // 4:3 * a.size // 4, a.size // 4:3 * a.size // 4] = 255
        mask_image = PIL.Image.fromarray(mask)
        call = lambda: pipe(prompt_embeds=embeds, negative_prompt_embeds=negative, image=image, mask_image=mask_image,
                            height=a.size, width=a.size, strength=1.0, num_inference_steps=a.steps, guidance_scale=7.5,
                            generator=torch.Generator().manual_seed(1)).images[0]
    else:
        pipe = diffusers.StableDiffusionInstructPix2PixPipeline(**common)
        call = lambda: pipe(prompt_embeds=embeds, negative_prompt_embeds=negative, image=image,
                            num_inference_steps=a.steps, guidance_scale=7.5, image_guidance_scale=1.5,
                            generator=torch.Generator().manual_seed(1)).images[0]
    pipe.set_progress_bar_config(disable=True)
    print("%s with %s, %d steps" % (type(pipe).__name__, scheduler_class, a.steps), flush=True)
    return call


def vae_run(a, AutoencoderKL):
    import torch
    vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), layers_per_block=2,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                        latent_channels=4, sample_size=512).eval()
    if a.what == "vae-decode":
        x = torch.randn(1, 4, a.size // 8, a.size // 8)
        return lambda: vae.decode(x).sample
    x = torch.rand(1, 3, a.size, a.size) * 2 - 1
    return lambda: vae.encode(x).latent_dist.mean


if __name__ == "__main__":
    main()
