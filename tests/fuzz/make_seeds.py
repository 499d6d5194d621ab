#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<harness>/) from scratch.

Standard library only. The seeds are small valid and nearly-valid inputs; re-running this script
rewrites the same files (run_fuzzers.sh uses the committed ones and never needs it).
"""
import gzip
import io
import json
import os
import struct
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def put(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- safetensors

def safetensors(tensors, metadata=None, pad=True):
    header, blob = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - (len(text) + 8) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blob


f32 = struct.pack("<4f", 1, 2, 3, 4)
put("safetensors", "f32_2x2", safetensors({"w": ("F32", [2, 2], f32)}, {"format": "pt"}))
put("safetensors", "dtypes", safetensors({
    "a": ("F16", [2], b"\x00\x3c\x00\x40"), "b": ("BF16", [1], b"\x80\x3f"), "c": ("I64", [1], struct.pack("<q", -5)),
    "d": ("U8", [3], b"\x01\x02\x03"), "e": ("BOOL", [2], b"\x00\x01"), "f": ("F64", [], struct.pack("<d", 2.5)),
    "g": ("I32", [0, 3], b""), "h": ("I16", [1], b"\x07\x00"), "i": ("I8", [1], b"\xff")}))
put("safetensors", "unaligned", safetensors({"u": ("U8", [1], b"\x09"), "w": ("F32", [1], struct.pack("<f", 7))}, pad=False))
put("safetensors", "truncated", safetensors({"w": ("F32", [2, 2], f32)})[:-3])
put("safetensors", "overlap", struct.pack("<Q", 80) + json.dumps(
    {"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}},
    separators=(",", ":")).encode().ljust(80) + b"xyz")
put("safetensors", "header_only", struct.pack("<Q", 2) + b"{}")

# ---------------------------------------------------------------- PNG

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(w, h, color_type=2, depth=8, rows=None, text=(), interlace=0, palette=None, trns=None):
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    row_bytes = (w * channels * depth + 7) // 8
    if rows is None:
        rows = [bytes((x * 37 + y * 11) & 0xFF for x in range(row_bytes)) for y in range(h)]
    raw = b"".join(b"\x00" + r for r in rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, interlace))
    if palette:
        out += chunk(b"PLTE", palette)
    if trns:
        out += chunk(b"tRNS", trns)
    for kind, data in text:
        out += chunk(kind, data)
    out += chunk(b"IDAT", zlib.compress(raw))
    return out + chunk(b"IEND", b"")


A1111 = ("a wooden bench in a park\nNegative prompt: blurry, low quality\n"
         "Steps: 25, Sampler: DPM++ 2M, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: sd-1.5-inpainting, "
         "Denoising strength: 1, Method: sd-inpaint, note: \"a, b: c\"")
OWN = json.dumps({"latentshop": "0.1.0", "params": {"prompt": "a wooden bench", "seed": 42, "steps": 25,
                                                   "guidance_scale": 7.5, "width": 512, "height": 512},
                  "layers": [{"id": "original", "name": "Original", "kind": "image", "params": {}}]})


def itxt(key, text, compressed=False):
    body = text.encode("utf-8")
    if compressed:
        body = zlib.compress(body)
    return b"iTXt", key.encode("latin-1") + b"\x00" + (b"\x01" if compressed else b"\x00") + b"\x00en\x00\x00" + body


put("png_text", "rgb_parameters.png", png(2, 2, text=[(b"tEXt", b"parameters\x00" + A1111.encode())]))
put("png_text", "rgba_latentshop_itxt.png", png(3, 2, 6, text=[(b"tEXt", b"parameters\x00" + A1111.encode()),
                                                            itxt("latentshop", OWN)]))
put("png_text", "gray_ztxt.png", png(2, 2, 0, text=[(b"zTXt", b"parameters\x00\x00" + zlib.compress("Caf\xe9 au lait\nSteps: 3".encode("latin-1")))]))
put("png_text", "palette_trns.png", png(4, 2, 3, depth=2, palette=b"\x00\x00\x00\xff\x00\x00\x00\xff\x00\x00\x00\xff",
                                        trns=b"\x00\x80", rows=[b"\x1b", b"\xe4"],
                                        text=[itxt("parameters", "caf\u00e9 \u2603\nSteps: 5, Seed: 1", compressed=True)]))
put("png_text", "gray16_alpha.png", png(2, 1, 4, depth=16, rows=[b"\x12\x34\xff\xff\x56\x78\x00\x00"]))
put("png_text", "interlaced.png", png(1, 1, 2, interlace=1))
put("png_text", "bad_json_chunk.png", png(1, 1, 0, text=[(b"tEXt", b"latentshop\x00{\"params\": ")]))
put("png_text", "truncated.png", png(2, 2)[:-20])

# ---------------------------------------------------------------- A1111 / latentshop text

put("png_parameters", "full.txt", A1111)
put("png_parameters", "prompt_only.txt", "a cat sitting on a chair")
put("png_parameters", "few_items.txt", "Steps: 20, Seed: 7")
put("png_parameters", "multiline_negative.txt", "line one\nline two\nNegative prompt: ugly\nmore negative\nSteps: 1, Sampler: Euler a")
put("png_parameters", "quoted.txt", "x\nSteps: 2, Lora hashes: \"a: 1, b: 2\", Escaped: \"q\\\"uote\\\\\"")
put("png_parameters", "latentshop.json", OWN)

# ---------------------------------------------------------------- configs

UNET = {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.6.0", "act_fn": "silu", "attention_head_dim": 8,
        "block_out_channels": [32, 64], "center_input_sample": False, "cross_attention_dim": 32,
        "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "downsample_padding": 1, "flip_sin_to_cos": True,
        "freq_shift": 0, "in_channels": 4, "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05,
        "norm_num_groups": 32, "out_channels": 4, "sample_size": 64, "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
        "transformer_layers_per_block": [1, 1], "only_cross_attention": [False, False], "num_attention_heads": None}
VAE = {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [32, 64],
       "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"], "in_channels": 3, "latent_channels": 4,
       "layers_per_block": 1, "norm_num_groups": 32, "out_channels": 3, "sample_size": [32, 32], "scaling_factor": 0.18215,
       "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"], "force_upcast": True}
CLIP = {"architectures": ["CLIPTextModel"], "hidden_act": "quick_gelu", "hidden_size": 32, "intermediate_size": 37,
        "layer_norm_eps": 1e-05, "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 4,
        "num_hidden_layers": 2, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2, "projection_dim": 32, "vocab_size": 1000}
CLIP_FULL = {"model_type": "clip", "text_config": CLIP, "vision_config": {"hidden_size": 32}}
INDEX = {"_class_name": "StableDiffusionInpaintPipeline", "_diffusers_version": "0.6.0",
         "feature_extractor": ["transformers", "CLIPImageProcessor"], "safety_checker": [None, None],
         "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
         "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
         "vae": ["diffusers", "AutoencoderKL"]}
put("config_json", "unet.json", json.dumps(UNET, indent=1))
put("config_json", "vae.json", json.dumps(VAE, indent=1))
put("config_json", "clip_text.json", json.dumps(CLIP, indent=1))
put("config_json", "clip_full.json", json.dumps(CLIP_FULL))
put("config_json", "model_index.json", json.dumps(INDEX, indent=1))
put("config_json", "scheduler_dpm.json",
    '{"_class_name": "DPMSolverMultistepScheduler", "algorithm_type": "dpmsolver++", "beta_end": 0.012, '
    '"beta_schedule": "scaled_linear", "beta_start": 0.00085, "lambda_min_clipped": -Infinity, "num_train_timesteps": 1000, '
    '"prediction_type": "epsilon", "solver_order": 2, "steps_offset": 1, "timestep_spacing": "leading", '
    '"trained_betas": null, "use_karras_sigmas": false, "variance_type": null, "sample_max_value": NaN}')
put("config_json", "scheduler_ddim.json", json.dumps({"_class_name": "DDIMScheduler", "clip_sample": False, "set_alpha_to_one": False,
                                                     "num_train_timesteps": 4, "trained_betas": [0.1, 0.2, 0.3, 0.4],
                                                     "timestep_spacing": "trailing", "prediction_type": "v_prediction"}))
put("config_json", "not_object.json", "[1, 2, 3]")
put("config_json", "broken.json", '{"in_channels": 4, "block_out_channels": [32, ')

# ---------------------------------------------------------------- tokenizer

for i, p in enumerate(["a photo of a cat", "A Wooden BENCH, in the park!!! 1234",
                       "<|startoftext|>hello<|endoftext|> world", "Caf\u00e9 na\u00efve \u00c5ngstr\u00f6m \u2603 \U0001F600",
                       "it's what we'll do, isn't it? they'd've", "&amp; &lt;b&gt; &#x263a; &eacute;",
                       "\u00e2\u0080\u0099mojibake\u00c3\u00a9 fix me", "tabs\tand\nnew\r\nlines\u3000ideographic",
                       "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u65e5\u672c\u8a9e \ud55c\uad6d\uc5b4 \u0939\u093f\u0928\u094d\u0926\u0940",
                       "supercalifragilisticexpialidocious" * 3]):
    put("tokenizer", "prompt%02d.txt" % i, p)
put("tokenizer", "invalid_utf8.bin", b"caf\xe9 \xff\xfe \xc3\x28 ok")

VOCAB = {}
for b in "acehot":
    VOCAB[b] = len(VOCAB)
for b in "acehot":
    VOCAB[b + "</w>"] = len(VOCAB)
for t in ["ca", "cat</w>", "th", "the</w>", "<|startoftext|>", "<|endoftext|>"]:
    VOCAB[t] = len(VOCAB)
MERGES = "#version: 0.2\nc a\nca t</w>\nt h\nth e</w>\n"
put("tokenizer_files", "folder",
    json.dumps(VOCAB) + "\n#--- merges.txt\n" + MERGES +
    "#--- tokenizer_config.json\n" + json.dumps({"model_max_length": 8, "bos_token": {"content": "<|startoftext|>"}}) +
    "\n#--- special_tokens_map.json\n" + json.dumps({"pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}))
put("tokenizer_files", "no_merges", json.dumps(VOCAB) + "\n#--- merges.txt\n#version: 0.2\n")
put("tokenizer_files", "bad_special", json.dumps(VOCAB) + "\n#--- merges.txt\n" + MERGES +
    "#--- special_tokens_map.json\n{\"pad_token\": \"!\"}")
put("tokenizer_files", "openai.gz", gzip.compress(("#version: 0.2\n" + "\n".join(
    ["c a", "ca t</w>", "t h", "th e</w>", "a n", "an d</w>"])).encode(), mtime=0))

# ---------------------------------------------------------------- ORA

def sections(entries):
    return b"\n".join(b"--8<-- " + n.encode() + b"\n" + (d.encode() if isinstance(d, str) else d) for n, d in entries)


LAYER = png(2, 2, 6)
MASK = png(2, 2, 0)
PLAIN_STACK = ('<?xml version="1.0" encoding="UTF-8"?>\n<image version="0.0.6" w="2" h="2"><stack>'
               '<layer name="top" src="data/top.png" x="0" y="0" opacity="0.5" selected="true"/>'
               '<stack name="group" x="1" y="-1" visibility="hidden"><layer name="inner" src="data/inner.png"/></stack>'
               '<layer name="bottom" src="data/bottom.png" composite-op="svg:multiply"/></stack></image>')
plain = [("mimetype", "image/openraster"), ("stack.xml", PLAIN_STACK), ("data/top.png", LAYER),
         ("data/inner.png", png(1, 1, 2)), ("data/bottom.png", LAYER), ("mergedimage.png", LAYER),
         ("Thumbnails/thumbnail.png", LAYER)]
put("ora", "plain.sections", sections(plain))

OWN_STACK = ('<?xml version="1.0" encoding="UTF-8"?>\n<image version="0.0.6" w="2" h="2" '
             'xmlns:latentshop="urn:x-latentshop:openraster:1" latentshop:project="latentshop/project.json"><stack>'
             '<layer name="Result" src="data/layer-001.png" x="0" y="0" opacity="1" visibility="visible" '
             'composite-op="svg:src-over" selected="true" latentshop:id="layer-2" latentshop:kind="result" '
             'latentshop:meta="latentshop/layers/layer-001.json" latentshop:mask="latentshop/masks/layer-001.png"/>'
             '<layer name="Original" src="data/layer-000.png" x="0" y="0" opacity="1" visibility="visible" '
             'composite-op="svg:src-over" latentshop:id="original" latentshop:kind="image"/>'
             '<layer name="Empty" src="data/layer-002.png" latentshop:id="layer-3" latentshop:kind="annotation" latentshop:empty="true"/>'
             '</stack></image>')
PROJECT = json.dumps({"format": "latentshop-project", "version": 1, "app_version": "0.1.0", "model": "sd15",
                      "original_layer": "original", "active_layer": "layer-2",
                      "working_points": [{"handle": [0.5, 1], "target": [1, 1.5]}],
                      "working_mask": "latentshop/working-mask.png", "selection": [0, 0, 2, 2],
                      "source_path": "/tmp/photo.jpg", "extra": {"zoom": 1}})
META = json.dumps({"params": {"prompt": "a bench", "seed": 42}, "points": [{"handle": [0, 0], "target": [1, 1]}]})
own = [("mimetype", "image/openraster"), ("stack.xml", OWN_STACK), ("data/layer-000.png", LAYER),
       ("data/layer-001.png", LAYER), ("data/layer-002.png", png(1, 1, 6)), ("latentshop/layers/layer-001.json", META),
       ("latentshop/masks/layer-001.png", MASK), ("latentshop/working-mask.png", MASK),
       ("latentshop/project.json", PROJECT), ("Thumbnails/thumbnail.png", LAYER), ("mergedimage.png", LAYER)]
put("ora", "latentshop.sections", sections(own))
put("ora", "newer_format.sections", sections([(n, d.replace('"version": 1', '"version": 9') if n.endswith("project.json") else d)
                                              for n, d in own]))
put("ora", "no_stack.sections", sections([("mimetype", "image/openraster"), ("data/a.png", LAYER)]))

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    for i, (n, d) in enumerate(own):
        info = zipfile.ZipInfo(n, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED if i == 0 else zipfile.ZIP_DEFLATED
        z.writestr(info, d)
put("ora", "latentshop.zip", buf.getvalue())

total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(CORPUS) for f in fs)
print("seed corpora: %d bytes in %s" % (total, CORPUS))
