# Offline stand-in for huggingface_hub, so diffusers' model and pipeline classes import on a machine
# without the Hub client. The benchmarks build every model from a config and never download: each
# name diffusers imports exists, and calling any of the Hub functions raises.
__version__ = "0.20.3"


class _Unavailable:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("huggingface_hub is not installed: this offline stand-in cannot reach the Hub")


def _unavailable(*args, **kwargs):
    raise RuntimeError("huggingface_hub is not installed: this offline stand-in cannot reach the Hub")


ModelCard = ModelCardData = _Unavailable
cached_download = create_commit = create_repo = hf_hub_download = model_info = _unavailable
snapshot_download = upload_folder = _unavailable
