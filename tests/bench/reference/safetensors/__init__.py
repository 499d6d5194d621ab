# Offline stand-in for the safetensors package, which diffusers imports for loading weights. The
# benchmarks build their models from configs with random weights and never load or save a file.
__version__ = "0.4.2"


def safe_open(*args, **kwargs):
    raise RuntimeError("safetensors is not installed: this stand-in cannot read files")
