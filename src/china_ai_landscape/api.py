"""The public loading API: ``load()`` and ``tables()`` for the shipped data and releases.

``loading`` reads a table of any package; this module adds the choice between the data
shipped with the package and a downloaded release (``releases``, imported only when asked).
"""

from __future__ import annotations

from typing import Any

from .errors import DatasetError
from .loading import FORMATS, load_from, to_frame
from .package import shipped


def load(name: str, version: str | None = None, as_: str = "pandas") -> Any:
    """Load one table of the dataset as a typed frame.

    Parameters
    ----------
    name:
        Table name, for example ``"models"``; ``tables()`` lists them.
    version:
        A released data version such as ``"0.1.0"``; ``None`` (default) reads the data
        shipped with this package, offline.
    as_:
        ``"pandas"`` (default; Arrow-backed dtypes: nullable integers, dates, lists),
        ``"arrow"`` (a ``pyarrow.Table``) or ``"polars"`` (needs the ``polars`` extra).
    """
    if as_ not in FORMATS:
        raise DatasetError(f"unknown as_={as_!r}; choose one of: {', '.join(FORMATS)}")
    if version is not None:
        from .releases.download import load_release_table

        return to_frame(load_release_table(name, version), as_)
    return load_from(shipped(), name, as_)


def tables() -> list[str]:
    """Names of the tables in the shipped dataset, in descriptor order."""
    return shipped().table_names()
