"""Reading tables into typed Arrow, pandas or polars frames.

Types come from the Table Schemas (see ``arrow_types``); nothing here lists columns.
Heavy libraries are imported inside the functions that need them, so that
``import china_ai_landscape`` stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DatasetError
from .package import DataPackage

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = ("pandas", "arrow", "polars")


def read_csv_table(path: Path | str, table_schema: dict, dialect: dict | None = None, encoding: str = "utf-8",
                   use_threads: bool = True) -> "pa.Table":
    """Read one CSV file into an Arrow table typed by its Table Schema (see ``typed_csv``).

    Meant for data that passes validation; malformed files raise DatasetError naming the
    file (``dataset validate`` says where and why).
    """
    from .typed_csv import read

    return read(path, table_schema, dialect, encoding, use_threads=use_threads)


def threads_beside(readers: int) -> bool:
    """Whether each of ``readers`` reads running at once should use pyarrow's thread pool:
    only when there are more cores than readers. (On two cores, two 1M-row CSV files read
    side by side took 0.24 s on one thread each, 0.33 s with the pool.)"""
    return (os.cpu_count() or 1) > readers


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


def read_parquet_table(path: Path | str, table_schema: dict, use_threads: bool = True) -> "pa.Table":
    """Read a Parquet file (a release's) into an Arrow table typed by its Table Schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .arrow_types import arrow_schema

    schema = arrow_schema(table_schema)
    try:
        table = pq.read_table(path, columns=schema.names, use_threads=use_threads)
        return table.select(schema.names).cast(schema)
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, KeyError, ValueError) as exc:
        raise DatasetError(f"{path}: cannot be read as typed by its schema ({exc})") from None


def read_table(package: DataPackage, name: str, use_threads: bool = True) -> "pa.Table":
    """Table ``name`` of a package typed by its Table Schema: from Parquet (``.parquet``), or
    from CSV as its dialect says (compressed, multipart or inline data included), reading the
    same bytes as ``dataset validate`` (see ``resource_bytes``).

    Paths are resolved safely inside the package (see ``DataPackage.resolve``).
    ``use_threads=False`` reads on the calling thread only, for a caller that reads several
    tables at once.
    """
    res = package.resource(name)
    schema = package.schema(name)
    path = res.get("path")
    if path is None and isinstance(res.get("data"), list):
        from .resource_bytes import inline_csv
        from .typed_csv import read

        return read(inline_csv(res["data"], [f["name"] for f in schema["fields"]]), schema, name=f"{name} (inline data)")
    parts = path if isinstance(path, list) and path else [path]
    if not all(isinstance(p, str) and p for p in parts):
        raise DatasetError(f"{package.path}: resource {name!r} needs a 'path' (a string or a list of strings) or inline 'data'")
    locations = [package.resolve(p, what=f"path of {name!r}") for p in parts]
    if len(parts) == 1 and locations[0].suffix == ".parquet":
        return read_parquet_table(locations[0], schema, use_threads)
    encoding = res.get("encoding") if isinstance(res.get("encoding"), str) else "utf-8"
    from .typed_csv import with_format_defaults

    dialect = with_format_defaults(package.dialect(name), res, parts[0])
    return _read_csv_resource(res, name, parts, locations, schema, dialect, encoding, use_threads)


def _read_csv_resource(res: dict, name: str, parts: list[str], locations: list[Path], schema: dict, dialect: dict,
                       encoding: str, use_threads: bool) -> "pa.Table":
    from .resource_bytes import ReadProblem, Resource, compression_of, load_bytes
    from .typed_csv import read

    compression = compression_of(res, parts[0])
    if len(parts) == 1 and compression is None:
        return read_csv_table(locations[0], schema, dialect, encoding, use_threads)
    location = locations[0] if len(locations) == 1 else locations
    file = " + ".join(parts)
    try:
        data = load_bytes(Resource(name, file, location, schema, dialect, encoding, compression))
    except ReadProblem as problem:
        raise DatasetError(f"{file}: {problem}") from None
    return read(data, schema, dialect, encoding, name=file, use_threads=use_threads)


def load_from(package: DataPackage, name: str, as_: str = "pandas") -> Any:
    """Load table ``name`` of any data package on disk."""
    if as_ not in FORMATS:
        raise DatasetError(f"unknown as_={as_!r}; choose one of: {', '.join(FORMATS)}")
    return to_frame(read_table(package, name), as_)
