# Offline stand-in (see __init__.py).
from . import safe_open as load_file, safe_open as save_file, safe_open as load  # noqa: F401
