#!/usr/bin/env python3
"""Download a checkpoint Latentshop knows into your models folder (run on a networked machine).

    python3 fetch_model.py --list
    python3 fetch_model.py sd15-inpainting [--dest ~/.local/share/latentshop/models] [--token HF_TOKEN]

Only the files listed in manifest.json are fetched (safetensors only: Latentshop never loads pickled
weights). When the entry names a variant (fp16), `name.fp16.safetensors` is taken where the
repository has it, otherwise `name.safetensors`. Downloads resume, go to a `.part` file first and
are renamed when complete, so an interrupted run never leaves a truncated weight file behind.
Standard library only.
"""
import argparse
import fnmatch
import json
import os
import sys
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DEST = os.path.join(os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share")),
                            "latentshop", "models")
HUB = os.environ.get("HF_ENDPOINT", "https://huggingface.co")


def load_manifest(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def request(url, token, extra_headers=None):
    headers = {"User-Agent": "latentshop-fetch-model/1"}
    if token:
        headers["Authorization"] = "Bearer " + token
    headers.update(extra_headers or {})
    return urllib.request.Request(url, headers=headers)


def list_repo_files(repo, token):
    with urllib.request.urlopen(request(f"{HUB}/api/models/{repo}", token), timeout=60) as r:
        info = json.load(r)
    return [s["rfilename"] for s in info.get("siblings", [])]


def select_files(repo_files, patterns, variant):
    """The files to fetch: every match of `patterns`, preferring `<stem>.<variant>.safetensors`."""
    chosen = []
    for name in sorted(repo_files):
        if not any(fnmatch.fnmatch(name, p) for p in patterns):
            continue
        if name.endswith((".bin", ".ckpt", ".pt", ".pth", ".msgpack", ".onnx")):
            continue
        if name.endswith(".safetensors") and variant:
            is_variant = name.endswith(f".{variant}.safetensors")
            if is_variant:
                chosen.append(name)
                continue
            base = name[: -len(".safetensors")]
            if f"{base}.{variant}.safetensors" in repo_files:
                continue  # the variant file will be taken instead
        elif name.endswith(".safetensors") and ".fp16." in name:
            continue
        chosen.append(name)
    return chosen


def download(repo, name, dest, token):
    target = os.path.join(dest, name)
    if os.path.exists(target):
        print(f"  have {name}")
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    part = target + ".part"
    have = os.path.getsize(part) if os.path.exists(part) else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    url = f"{HUB}/{repo}/resolve/main/{name}"
    try:
        with urllib.request.urlopen(request(url, token, headers), timeout=60) as r, \
                open(part, "ab" if have and r.status == 206 else "wb") as out:
            total = int(r.headers.get("Content-Length", 0)) + (have if r.status == 206 else 0)
            done = have if r.status == 206 else 0
            while True:
                chunk = r.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                if total:
                    print(f"\r  {name}: {done * 100 // total:3d}% of {total / 1e6:.0f} MB", end="", flush=True)
            print()
    except urllib.error.HTTPError as e:
        sys.exit(f"fetch_model: {url}: HTTP {e.code} {e.reason}"
                 + (" (gated model: pass --token or set HF_TOKEN)" if e.code in (401, 403) else ""))
    os.replace(part, target)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("id", nargs="?", help="manifest id, e.g. sd15-inpainting")
    ap.add_argument("--list", action="store_true", help="list the known checkpoints")
    ap.add_argument("--dest", default=DEFAULT_DEST, help=f"models folder (default {DEFAULT_DEST})")
    ap.add_argument("--manifest", default=os.path.join(HERE, "manifest.json"))
    ap.add_argument("--token", default=os.environ.get("HF_TOKEN"), help="Hugging Face token for gated repos")
    args = ap.parse_args()
    manifest = load_manifest(args.manifest)
    entries = {m["id"]: m for m in manifest["models"]}
    if args.list or not args.id:
        for m in manifest["models"]:
            print(f"{m['id']:18} {m['kind']:16} {m['size_gb']:5.2f} GB  {m['licence']:24} {m['repo']}")
        return
    if args.id not in entries:
        sys.exit(f"fetch_model: unknown id '{args.id}' (known: {', '.join(entries)})")
    m = entries[args.id]
    print(f"{m['name']} ({m['repo']}), licence {m['licence']}: {m['licence_url']}")
    files = select_files(list_repo_files(m["repo"], args.token), m["files"], m.get("variant"))
    if not files:
        sys.exit(f"fetch_model: {m['repo']} has none of the files Latentshop needs")
    dest = os.path.join(os.path.expanduser(args.dest), args.id)
    for name in files:
        download(m["repo"], name, dest, args.token)
    print(f"done: {dest}\nIn Latentshop: Model → Choose model folder… and pick that folder, "
          f"or pass --model {dest} to latentshop-cli.")


if __name__ == "__main__":
    main()
