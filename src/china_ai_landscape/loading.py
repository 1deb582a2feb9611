"""Reading tables into typed Arrow, pandas or polars frames.

Types come from the Table Schemas (see ``arrow_types``); nothing here lists columns.
Heavy libraries are imported inside the functions that need them, so that
``import china_ai_landscape`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DatasetError
from .package import DataPackage, shipped

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = ("pandas", "arrow", "polars")
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


def read_csv_table(path: Path | str, table_schema: dict) -> "pa.Table":
    """Read one CSV file into an Arrow table typed by its Table Schema.

    Meant for data that passes validation; malformed files raise DatasetError naming the
    file (``dataset validate`` says where and why).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    from .arrow_types import arrow_schema

    schema = arrow_schema(table_schema)
    fields = table_schema["fields"]
    names = [f["name"] for f in fields]
    read_types = {f["name"]: (pa.string() if f.get("type") == "list" else schema.field(f["name"]).type) for f in fields}
    convert = csv.ConvertOptions(
        column_types=read_types,
        include_columns=names,
        null_values=table_schema.get("missingValues", [""]),
        strings_can_be_null=True,
        true_values=_TRUE,
        false_values=_FALSE,
    )
    try:
        table = _read_whole_cells(csv, path, convert)
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except (pa.ArrowInvalid, pa.ArrowKeyError, OSError) as exc:  # ArrowKeyError: a column is missing
        raise DatasetError(f"{path}: cannot be read as typed by its schema ({exc}); run 'dataset validate' for details") from None
    for i, field in enumerate(fields):
        if field.get("type") == "list":
            parts = pc.split_pattern(table.column(i), pattern=field.get("delimiter", ","))
            table = table.set_column(i, schema.field(i), parts.cast(schema.field(i).type))
    try:
        return table.cast(schema)
    except (ValueError, pa.ArrowInvalid) as exc:  # a required field left empty
        raise DatasetError(f"{path}: cannot be read as typed by its schema ({exc}); run 'dataset validate' for details") from None


def _read_whole_cells(csv, path, convert):
    """pyarrow's reader, with one block as large as the file when a cell outgrows a block."""
    import pyarrow as pa

    try:
        return csv.read_csv(path, convert_options=convert)
    except pa.ArrowInvalid as exc:
        if "straddling" not in str(exc):
            raise
    block = min(Path(path).stat().st_size + 1, 2**31 - 1)
    return csv.read_csv(path, read_options=csv.ReadOptions(block_size=block), convert_options=convert)


def to_frame(table: "pa.Table", as_: str) -> Any:
    """Turn an Arrow table into the requested kind of frame."""
    if as_ == "arrow":
        return table
    if as_ == "pandas":
        import pandas as pd

        return table.to_pandas(types_mapper=pd.ArrowDtype)
    if as_ == "polars":
        try:
            import polars as pl
        except ImportError:
            raise DatasetError("as_='polars' needs polars: pip install 'china-ai-landscape[polars]'") from None
        return pl.from_arrow(table)
    raise DatasetError(f"unknown as_={as_!r}; choose one of: {', '.join(FORMATS)}")


def load_from(package: DataPackage, name: str, as_: str = "pandas") -> Any:
    """Load table ``name`` of any data package on disk."""
    if as_ not in FORMATS:
        raise DatasetError(f"unknown as_={as_!r}; choose one of: {', '.join(FORMATS)}")
    table = read_csv_table(package.data_path(name), package.schema(name))
    return to_frame(table, as_)


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
        from .releases import load_release_table

        return to_frame(load_release_table(name, version), as_)
    return load_from(shipped(), name, as_)


def tables() -> list[str]:
    """Names of the tables in the shipped dataset, in descriptor order."""
    return shipped().table_names()
