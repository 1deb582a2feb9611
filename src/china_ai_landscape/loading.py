"""Reading tables into typed Arrow, pandas or polars frames.

Types come from the Table Schemas (see ``arrow_types``); nothing here lists columns.
Heavy libraries are imported inside the functions that need them, so that
``import china_ai_landscape`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DatasetError
from .package import DataPackage

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


def read_parquet_table(path: Path | str, table_schema: dict) -> "pa.Table":
    """Read a Parquet file (a release's) into an Arrow table typed by its Table Schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .arrow_types import arrow_schema

    schema = arrow_schema(table_schema)
    try:
        table = pq.read_table(path, columns=schema.names)
        return table.select(schema.names).cast(schema)
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, KeyError, ValueError) as exc:
        raise DatasetError(f"{path}: cannot be read as typed by its schema ({exc})") from None


def read_table(package: DataPackage, name: str) -> "pa.Table":
    """Table ``name`` of a package typed by its Table Schema, from CSV or (``.parquet``) Parquet.

    The path is resolved safely inside the package (see ``DataPackage.resolve``).
    """
    path = package.data_path(name)
    schema = package.schema(name)
    if path.suffix == ".parquet":
        return read_parquet_table(path, schema)
    return read_csv_table(path, schema)


def load_from(package: DataPackage, name: str, as_: str = "pandas") -> Any:
    """Load table ``name`` of any data package on disk."""
    if as_ not in FORMATS:
        raise DatasetError(f"unknown as_={as_!r}; choose one of: {', '.join(FORMATS)}")
    return to_frame(read_table(package, name), as_)
