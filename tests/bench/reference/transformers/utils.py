# File names diffusers' pipeline_utils imports from transformers.utils (offline stand-in).
FLAX_WEIGHTS_NAME = "flax_model.msgpack"
SAFE_WEIGHTS_NAME = "model.safetensors"
WEIGHTS_NAME = "pytorch_model.bin"
