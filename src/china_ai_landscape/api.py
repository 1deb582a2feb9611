"""The public loading API: ``load()`` and ``tables()`` for the shipped data and releases.

``loading`` reads a table of any package; this module adds the choice between the data
shipped with the package and a downloaded release (``releases``, imported only when asked).
"""

from __future__ import annotations

from typing import Any

from .errors import DatasetError
from .loading import FORMATS, read_table, to_frame
from .package import DataPackage, shipped


def load(name: str, version: str | None = None, as_: str = "pandas", labels: bool = False) -> Any:
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
    labels:
        Add a readable name beside every id that references another table
        (``developer_id`` → ``developer_name``, with the developer's ``country`` and its
        top-level group ``developer_group_id`` / ``developer_group_name``; see ``labels``),
        and ``amount_usd`` beside every amount, at the year's average rate (see ``money``).
    """
    if as_ not in FORMATS:
        raise DatasetError(f"unknown as_={as_!r}; choose one of: {', '.join(FORMATS)}")
    if version is not None:
        from .releases.download import load_release_table, open_release

        read = lambda table: load_release_table(table, version)  # noqa: E731
        package = DataPackage(open_release(version).folder / "datapackage.json") if labels else None
    else:
        package = shipped()
        read = lambda table: read_table(package, table)  # noqa: E731
    table = labelled(package, name, read) if labels else read(name)
    return to_frame(table, as_)


def labelled(package: DataPackage, name: str, read):
    """Table ``name`` with names beside ids and amounts in US dollars (``load(labels=True)``);
    ``read(table)`` gives any table of the package as Arrow."""
    from .labels import with_labels
    from .money import with_amount_usd

    return with_amount_usd(package, name, with_labels(package, name, read(name), read), read)


def tables() -> list[str]:
    """Names of the tables in the shipped dataset, in descriptor order."""
    return shipped().table_names()
