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


def read_csv_table(path: Path | str, table_schema: dict, dialect: dict | None = None, encoding: str = "utf-8") -> "pa.Table":
    """Read one CSV file into an Arrow table typed by its Table Schema (see ``typed_csv``).

    Meant for data that passes validation; malformed files raise DatasetError naming the
    file (``dataset validate`` says where and why).
    """
    from .typed_csv import read

    return read(path, table_schema, dialect, encoding)


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
    encoding = package.resource(name).get("encoding")
    return read_csv_table(path, schema, package.dialect(name), encoding if isinstance(encoding, str) else "utf-8")


def load_from(package: DataPackage, name: str, as_: str = "pandas") -> Any:
    """Load table ``name`` of any data package on disk."""
    if as_ not in FORMATS:
        raise DatasetError(f"unknown as_={as_!r}; choose one of: {', '.join(FORMATS)}")
    return to_frame(read_table(package, name), as_)
