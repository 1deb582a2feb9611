"""china-ai-landscape: an open, sourced dataset of China's AI ecosystem.

>>> from china_ai_landscape import load, tables
>>> models = load("models")          # typed pandas DataFrame, offline

``import china_ai_landscape`` loads no validation libraries; the toolkit
(validate, diff, publish) imports them only when used.
"""

from __future__ import annotations

from .errors import DatasetError
from .api import load, tables
from .package import shipped as _shipped

__all__ = ["DatasetError", "__version__", "data_version", "descriptor", "load", "tables"]


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("china-ai-landscape")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return data_version()


def descriptor() -> dict:
    """A copy of the shipped ``datapackage.json`` as a dict."""
    import copy

    return copy.deepcopy(_shipped().descriptor)


def data_version() -> str:
    """Version of the shipped data (the descriptor's ``version``; the package version follows it)."""
    return _shipped().version


__version__ = _package_version()
