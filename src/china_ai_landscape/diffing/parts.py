"""A keyed diff of two large CSV files in parts that fit in memory.

Both files are read once in batches, typed as ``loading`` types them (``typed_csv`` with
pyarrow's streaming reader, or a Parquet file's row batches), and each row is written into
one of N Arrow IPC part files chosen by a hash of its key's text, with its position in the
file; a key's rows on both sides so land in the same part. Each pair of parts is then
diffed whole (``rows.diff_rows``), and the partial diffs are merged, rows put back in file
order: the result is the whole-table diff's.

Used when the two files together are at least ``PARTS_ABOVE`` bytes
(``DATASET_PARTS_ABOVE`` overrides it), the key fields are strings (their text is their
value, so equal keys have equal text) and both files are plain local UTF-8 CSV in a dialect
pyarrow reads. Anything else, or a part that cannot be read or has a repeated key, is
diffed whole, which also gives the whole diff's error messages.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DatasetError
from ..loading import threads_beside
from ..paced_file import PacedFile
from ..package import DataPackage
from ..resource_bytes import compression_of
from ..typed_csv import PYTHON_ONLY, header_rows, typed_batches, with_format_defaults
from .model import TableDiff
from .rows import POSITION, diff_rows

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

PARTS_ABOVE = 512 << 20  # bytes of both files together; below it, a whole diff is faster and small enough
PARTS_ABOVE_VARIABLE = "DATASET_PARTS_ABOVE"
PART_BYTES = 48 << 20  # CSV bytes per part, roughly
_BLOCK = 8 << 20


class Unsplittable(Exception):
    """The files cannot be diffed in parts exactly as they would be whole."""


def threshold() -> int:
    value = os.environ.get(PARTS_ABOVE_VARIABLE, "").strip()
    return int(value) if value.isdigit() else PARTS_ABOVE


def _splittable(package: DataPackage, name: str) -> tuple[Path, dict | None] | None:
    """(file, dialect) of a plain local CSV resource, (file, None) of a Parquet one, or None."""
    res = package.resource(name)
    path = res.get("path")
    if isinstance(path, str) and path.endswith(".parquet"):
        return package.resolve(path, what=f"path of {name!r}"), None
    if not isinstance(path, str) or compression_of(res, path):
        return None
    encoding = res.get("encoding") if isinstance(res.get("encoding"), str) else "utf-8"
    dialect = with_format_defaults(package.dialect(name), res, path)
    if encoding.lower().replace("-", "") != "utf8" or any(dialect.get(option) for option in PYTHON_ONLY + ("escapeChar",)):
        return None
    if dialect.get("header", True) is False or header_rows(dialect) != [1]:
        return None
    return package.resolve(path, what=f"path of {name!r}"), dialect


def _string_key(schema: dict, key: list[str]) -> bool:
    types = {f.get("name"): f.get("type", "string") for f in schema.get("fields", []) if isinstance(f, dict)}
    return bool(key) and all(types.get(k) == "string" for k in key)


def applies(name: str, old: DataPackage, new: DataPackage, key: list[str]) -> tuple | None:
    """The (path, dialect) of both sides when the table is diffed in parts, else None."""
    if not (_string_key(old.schema(name), key) and _string_key(new.schema(name), key)):
        return None
    sides = _splittable(old, name), _splittable(new, name)
    if None in sides:
        return None
    try:
        size = sum(_data_bytes(path, dialect) for path, dialect in sides)
    except (OSError, ValueError):
        return None
    return sides if size >= threshold() else None


def _data_bytes(path: Path, dialect: dict | None) -> int:
    """The size of a file's data: a CSV file's bytes, a Parquet file's uncompressed bytes."""
    if dialect is not None:
        return path.stat().st_size
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    return sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))


def diff_in_parts(name: str, old: DataPackage, new: DataPackage, key: list[str], labels, sides) -> TableDiff:
    """The diff of table ``name`` part by part; Unsplittable when it must be done whole."""
    (old_path, old_dialect), (new_path, new_dialect) = sides
    count = _part_count(_data_bytes(old_path, old_dialect) + _data_bytes(new_path, new_dialect))
    with tempfile.TemporaryDirectory(prefix="dataset-diff-") as tmp, ThreadPoolExecutor(2) as pool:
        # pyarrow lets go of the GIL while it parses, writes and compares: two at a time
        threaded = threads_beside(2)
        splits = [pool.submit(_split, path, dialect, package.schema(name), key, count, Path(tmp) / side, threaded)
                  for side, path, dialect, package in (("old", old_path, old_dialect, old), ("new", new_path, new_dialect, new))]
        old_parts, new_parts = (split.result() for split in splits)

        def one(pair: tuple[Path, Path]) -> TableDiff:
            try:
                old_table, new_table = _read_part(pair[0]), _read_part(pair[1])
                return diff_rows(name, old_table, new_table, key, labels)
            except DatasetError as exc:  # a repeated key, a cell that does not read: say it as the whole diff does
                raise Unsplittable(str(exc)) from None

        partials = list(pool.map(one, zip(old_parts, new_parts)))
    return merged(name, key, partials)


def _part_count(size: int) -> int:
    count = 1
    while count * PART_BYTES < size and count < 4096:
        count *= 2
    return count


def _split(path: Path, dialect: dict | None, schema: dict, key: list[str], count: int, folder: Path,
           use_threads: bool = True) -> list[Path]:
    """A file's rows, typed as ``loading`` types them and with their positions, in ``count``
    Arrow IPC part files by the hash of their key."""
    import numpy as np
    import pyarrow as pa

    from ..arrow_types import arrow_schema

    folder.mkdir()
    typed = arrow_schema(schema)
    files = [folder / f"{i:04d}.arrow" for i in range(count)]
    writers = [pa.ipc.new_file(str(f), typed.append(pa.field(POSITION, pa.int64()))) for f in files]
    paced = PacedFile(path, _BLOCK) if dialect is not None else None
    try:
        seen = 0
        for table in _typed_batches(path, paced, dialect, schema, typed, use_threads):
            table = table.append_column(POSITION, pa.array(np.arange(seen, seen + table.num_rows, dtype=np.int64)))
            seen += table.num_rows
            _write_parts(table, _part_of(table, key, count), writers)
            if paced is not None:
                paced.done()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, DatasetError, KeyError, ValueError, TypeError) as exc:
        raise Unsplittable(str(exc)) from None  # the whole diff says what is wrong, and where
    finally:
        if paced is not None:
            paced.close()
        for writer in writers:
            writer.close()
    return files


def _typed_batches(path: Path, paced: PacedFile | None, dialect: dict | None, schema: dict, typed: pa.Schema,
                   use_threads: bool):
    """Batches of a CSV file (``typed_csv``, paced) or of a Parquet file, typed by the schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if dialect is not None:
        yield from typed_batches(paced, path, schema, dialect, _BLOCK, use_threads)
        return
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1 << 16, columns=typed.names, use_threads=use_threads):
        yield pa.Table.from_batches([batch]).select(typed.names).cast(typed)


def _write_parts(table: "pa.Table", part: "np.ndarray", writers: list) -> None:
    """The rows of ``table`` to the writers of their parts, in file order within each part:
    one gather puts the rows in part order, and each part gets its slice."""
    import numpy as np
    import pyarrow as pa

    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(len(writers) + 1))
    grouped = table.take(pa.array(order))
    for i, writer in enumerate(writers):
        if bounds[i + 1] > bounds[i]:
            writer.write_table(grouped.slice(int(bounds[i]), int(bounds[i + 1] - bounds[i])))


def _read_part(part: Path) -> pa.Table:
    import pyarrow as pa

    with pa.memory_map(str(part)) as source:
        return pa.ipc.open_file(source).read_all()


_POWERS = None


def _part_of(batch: pa.Table, columns: list[str], count: int) -> np.ndarray:
    """A part number per row from its key's text: a polynomial hash over the bytes of every
    key cell, spread over ``count`` (a power of two) parts."""
    import numpy as np
    import pyarrow as pa

    global _POWERS
    if _POWERS is None:
        _POWERS = np.cumprod(np.full(64, 0x100000001B3, dtype=np.uint64), dtype=np.uint64)
    hashed = np.zeros(batch.num_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for name in columns:
            text = batch.column(name).combine_chunks().cast(pa.large_string())
            offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
            data = text.buffers()[2]
            data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
            start, lengths = offsets[0], np.diff(offsets)
            within = np.arange(offsets[-1] - start, dtype=np.int64) - np.repeat(offsets[:-1] - start, lengths)
            weighted = data[start:offsets[-1]].astype(np.uint64) * _POWERS[within % 64]
            sums = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(weighted, dtype=np.uint64)])
            hashed = hashed * np.uint64(0x9E3779B97F4A7C15) + (sums[offsets[1:] - start] - sums[offsets[:-1] - start]) \
                + lengths.astype(np.uint64)
        mixed = (hashed ^ (hashed >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9)
    shift = np.uint64(64 - max(count.bit_length() - 1, 0))
    return (mixed >> shift).astype(np.int64) if count > 1 else np.zeros(batch.num_rows, dtype=np.int64)


def merged(name: str, key: list[str], partials: list[TableDiff]) -> TableDiff:
    """One table's diff from the diffs of its parts, rows in file order, positions dropped."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = TableDiff(name, "compared", list(key), sum(p.old_rows for p in partials), sum(p.new_rows for p in partials))
    for count in ("added", "removed", "changed", "unchanged"):
        setattr(out, count, sum(getattr(p, count) for p in partials))
    fields = [f for f in (partials[0].changed_old.column_names if partials else []) if f not in key and f != POSITION]
    out.field_changes = {f: sum(p.field_changes.get(f, 0) for p in partials) for f in fields}
    out.field_changes = {f: n for f, n in out.field_changes.items() if n}

    def in_order(tables: list[pa.Table]) -> tuple[pa.Table, pa.Array]:
        whole = pa.concat_tables(tables)
        order = pc.sort_indices(whole.column(POSITION))
        return whole.take(order).drop_columns([POSITION]), order

    out.added_rows, _ = in_order([p.added_rows for p in partials])
    out.removed_rows, _ = in_order([p.removed_rows for p in partials])
    out.changed_old, order = in_order([p.changed_old for p in partials])
    out.changed_new = pa.concat_tables([p.changed_new for p in partials]).take(order).drop_columns([POSITION])
    masks = [p.changed_mask for p in partials if p.changed_mask is not None]
    out.changed_mask = pa.concat_tables(masks, promote_options="default").take(order) if masks else None
    return out
