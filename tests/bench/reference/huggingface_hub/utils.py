# Offline stand-in (see __init__.py).


class EntryNotFoundError(Exception):
    pass


class RepositoryNotFoundError(Exception):
    pass


class RevisionNotFoundError(Exception):
    pass


class OfflineModeIsEnabled(Exception):
    pass


class HfHubHTTPError(Exception):
    pass


def validate_hf_hub_args(fn):
    return fn


def is_jinja_available():
    return False
