"""Rows of two versions matched on their key: one integer code per distinct key.

Codes are equal across sides for equal keys. Counting them per side (``numpy.bincount``)
finds duplicate keys, added, removed and matched rows in a few linear passes (``rows``).

Two ways to get them, with the same result:

- A single key column that increases strictly on both sides (a table kept sorted by its
  primary key, as most are) is matched by binary search of the new keys in the old ones.
  Strictly increasing also means unique, so no key can be duplicated.
- Anything else is dictionary-encoded on both sides together; a composite key combines its
  columns' codes. (A pyarrow hash ``group_by`` does the same job but needs about 3x the
  memory and time on a million keys.)
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

LIST_SEPARATOR = "\x1f"  # unit separator: cannot occur in CSV-split list items of real data
SEARCH_IN_HALVES = 100_000  # keys; above it the binary search runs on two threads


@dataclass
class Codes:
    """One integer per row and side naming its key; per code, rows and a row position per side."""

    old: "np.ndarray"
    new: "np.ndarray"
    old_count: "np.ndarray"
    new_count: "np.ndarray"
    old_at: "np.ndarray"
    new_at: "np.ndarray"


def key_codes(old: "pa.Table", new: "pa.Table", columns: list[str]) -> Codes:
    """Dense integer codes for the values of ``columns``, equal across sides for equal values."""
    if len(columns) == 1:
        codes = _sorted_codes(old.column(columns[0]), new.column(columns[0]))
        if codes is not None:
            return codes
    return _encoded_codes(old, new, columns)


def _sorted_codes(old_column, new_column) -> Codes | None:
    """Codes for one key column that increases strictly on both sides; None when it does not.

    Old row i gets code i; a new key found in the old side gets that row's code, the others
    codes after the old side's."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not hasattr(pc, "search_sorted") or old_column.type != new_column.type or pa.types.is_nested(old_column.type):
        return None
    old_keys, new_keys = _whole(old_column), _whole(new_column)
    if old_keys.null_count or new_keys.null_count or not (_increasing(old_keys) and _increasing(new_keys)):
        return None
    try:
        at = _search(old_keys, new_keys)
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # a type the search does not take
        return None
    old_rows = len(old_keys)
    found = at < old_rows
    if old_rows:
        found &= pc.equal(old_keys.take(pa.array(np.minimum(at, old_rows - 1))), new_keys).to_numpy(zero_copy_only=False)
    new_code = np.where(found, at, old_rows + np.cumsum(~found) - 1)
    size = old_rows + int((~found).sum())
    old_code = np.arange(old_rows, dtype=np.int64)
    return Codes(old_code, new_code, np.bincount(old_code, minlength=size), np.bincount(new_code, minlength=size),
                 _positions(old_code, size), _positions(new_code, size))


def _whole(column) -> "pa.Array":
    import pyarrow as pa

    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _increasing(keys: "pa.Array") -> bool:
    import pyarrow.compute as pc

    if len(keys) < 2:
        return True
    return bool(pc.all(pc.less(keys.slice(0, len(keys) - 1), keys.slice(1))).as_py())


def _search(old_keys: "pa.Array", new_keys: "pa.Array") -> "np.ndarray":
    """Where each new key would go in the (sorted) old keys; large inputs in two halves at once."""
    import numpy as np
    import pyarrow.compute as pc

    def search(needles) -> "np.ndarray":
        return pc.search_sorted(old_keys, needles).to_numpy().astype(np.int64)

    if len(new_keys) < SEARCH_IN_HALVES:
        return search(new_keys)
    half = len(new_keys) // 2
    with ThreadPoolExecutor(2) as pool:  # pyarrow lets go of the GIL in its kernels
        return np.concatenate(list(pool.map(search, [new_keys.slice(0, half), new_keys.slice(half)])))


def _encoded_codes(old: "pa.Table", new: "pa.Table", columns: list[str]) -> Codes:
    import numpy as np

    code, size = None, 1
    for column in columns:
        column_code, column_size = _column_codes(old.column(column), new.column(column))
        if code is None:
            code, size = column_code, column_size
            continue
        code = code * column_size + column_code
        size *= column_size
        if size > 2**40:  # keep the combined code far from int64 overflow
            size, code = _densify(code)
    if len(columns) > 1:
        size, code = _densify(code)
    old_code, new_code = code[:old.num_rows], code[old.num_rows:]
    return Codes(old_code, new_code, np.bincount(old_code, minlength=size), np.bincount(new_code, minlength=size),
                 _positions(old_code, size), _positions(new_code, size))


def _column_codes(old_column, new_column) -> tuple["np.ndarray", int]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    old_column, new_column = comparable(old_column), comparable(new_column)
    if old_column.type != new_column.type:
        old_column, new_column = pc.cast(old_column, pa.string()), pc.cast(new_column, pa.string())
    both = pa.chunked_array(list(old_column.chunks if isinstance(old_column, pa.ChunkedArray) else [old_column])
                            + list(new_column.chunks if isinstance(new_column, pa.ChunkedArray) else [new_column]),
                            type=old_column.type).combine_chunks()
    encoded = pc.dictionary_encode(both, null_encoding="encode")
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(encoded.dictionary)


def _densify(code: "np.ndarray") -> tuple[int, "np.ndarray"]:
    import numpy as np

    unique, inverse = np.unique(code, return_inverse=True)
    return len(unique), inverse.reshape(-1).astype(np.int64)


def _positions(code: "np.ndarray", size: int) -> "np.ndarray":
    """For every code, the position of a row holding it (-1 when none)."""
    import numpy as np

    at = np.full(size, -1, dtype=np.int64)
    at[code] = np.arange(len(code), dtype=np.int64)
    return at


def comparable(column):
    """A column whose values compare with ``==`` exactly: lists become length-prefixed text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_list(column.type) and not pa.types.is_large_list(column.type):
        return column
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    items = pc.fill_null(pc.cast(column.values, pa.string()), "\x00")
    rebuilt = type(column).from_arrays(column.offsets, items, mask=column.is_null())
    joined = pc.binary_join(rebuilt, LIST_SEPARATOR)
    length = pc.cast(pc.list_value_length(column), pa.string())
    return pc.binary_join_element_wise(length, joined, ":")
