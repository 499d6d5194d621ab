# Offline stand-in for transformers, so diffusers' Stable Diffusion pipelines import on a machine
# without it (Debian has no python3-transformers). The benchmarks pass prompt embeddings to the
# pipelines (text_encoder=None, tokenizer=None), so no transformers model ever runs: every name
# diffusers imports exists as a class that refuses to be built or loaded.
__version__ = "4.38.0"


class _Unavailable:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("transformers is not installed: this offline stand-in has no models")

    @classmethod
    def from_pretrained(cls, *args, **kwargs):
        raise RuntimeError("transformers is not installed: this offline stand-in has no models")


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    cls = type(name, (_Unavailable,), {})
    globals()[name] = cls
    return cls
