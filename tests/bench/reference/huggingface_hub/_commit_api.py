# Offline stand-in (see __init__.py).
from . import _Unavailable as CommitOperationAdd  # noqa: F401
