"""Keyed row comparison of two Arrow tables, vectorised with pyarrow and numpy.

Rows are matched on integer codes of their key (``keys``); matched rows are gathered and
compared column by column, two fields at a time. A table without a primary key is matched
on all shared fields instead, so whole rows are matched as a multiset.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..errors import DatasetError
from .keys import Codes, comparable, key_codes
from .model import TableDiff

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

POSITION = "__position"  # a row's place in its file, when diffed in parts (``parts``): carried, never compared


def diff_rows(name: str, old: "pa.Table", new: "pa.Table", key: list[str], sides: tuple[str, str] = ("OLD", "NEW")) -> TableDiff:
    """Compare two versions of a table, matching rows on ``key`` (whole rows when empty)."""
    import numpy as np

    shared = [f for f in new.column_names if f in old.column_names and f != POSITION]
    carried = [POSITION] if POSITION in old.column_names and POSITION in new.column_names else []
    if not key and not shared:  # nothing to match on: every row is new or gone
        return TableDiff(name, "compared", [], old.num_rows, new.num_rows, added=new.num_rows,
                         removed=old.num_rows, added_rows=new, removed_rows=old)
    if key:
        _check_key_types(name, old, new, key, sides)
    codes = key_codes(old, new, key or shared)
    result = TableDiff(name, "compared", list(key), old.num_rows, new.num_rows)
    if key:
        _refuse_duplicates(name, old, new, key, codes, sides)
        only_new, only_old = codes.old_count == 0, codes.new_count == 0
        matched = ~only_new & ~only_old
        result.added, result.removed = int(only_new.sum()), int(only_old.sum())
        result.added_rows = new.take(np.sort(codes.new_at[only_new]))
        result.removed_rows = old.take(np.sort(codes.old_at[only_old]))
        order = np.argsort(codes.old_at[matched], kind="stable")  # report in the old file's order
        _compare_matched(result, old, new, codes.old_at[matched][order], codes.new_at[matched][order],
                         [f for f in shared if f not in key], carried)
        return result
    # Whole rows: a row present n times on one side and m on the other leaves |n - m| extra.
    common = np.minimum(codes.old_count, codes.new_count)
    extra_new, extra_old = codes.new_count - common, codes.old_count - common
    result.added, result.removed, result.unchanged = int(extra_new.sum()), int(extra_old.sum()), int(common.sum())
    result.added_rows = new.take(np.sort(codes.new_at[extra_new > 0]))
    result.removed_rows = old.take(np.sort(codes.old_at[extra_old > 0]))
    return result


def _check_key_types(name, old, new, key, sides) -> None:
    for field in key:
        for side, table in zip(sides, (old, new)):
            if field not in table.column_names:
                raise DatasetError(f"{name}: key field {field!r} is missing in {side}; rows cannot be matched")
        old_type, new_type = old.schema.field(field).type, new.schema.field(field).type
        if old_type != new_type:
            raise DatasetError(
                f"{name}: key field {field!r} is {old_type} in {sides[0]} but {new_type} in {sides[1]}; "
                "rows cannot be matched on keys of different types"
            )


def _refuse_duplicates(name, old, new, key, codes: Codes, sides) -> None:
    import numpy as np

    for side, table, count, code in ((sides[0], old, codes.old_count, codes.old), (sides[1], new, codes.new_count, codes.new)):
        duplicated = np.flatnonzero(count > 1)
        if not len(duplicated):
            continue
        rows = np.flatnonzero(code == duplicated[0])
        first = table.slice(int(rows[0]), 1).to_pylist()[0]
        shown = ", ".join(f"{k}={first[k]!r}" for k in key)
        numbers = ", ".join(str(int(i) + 2) for i in rows[:5])  # row numbers count the header as row 1
        raise DatasetError(
            f"{name}: duplicate primary key ({shown}) in {side} at rows {numbers} "
            f"({len(duplicated)} duplicated key(s)); rows must be unique on {', '.join(key)} to be compared"
        )


def _compare_matched(result: TableDiff, old, new, old_at, new_at, fields: list[str], carried: list[str]) -> None:
    import numpy as np
    import pyarrow as pa

    def mask(f: str) -> "np.ndarray":
        old_views, new_views = _list_bytes(old.column(f)), _list_bytes(new.column(f))
        pairs = zip(old_views, new_views) if old_views and new_views else [(old.column(f), new.column(f))]
        return np.logical_or.reduce([differs(_gather(a, old_at), _gather(b, new_at)).to_numpy(zero_copy_only=False).astype(bool)
                                     for a, b in pairs])

    # pyarrow lets go of the GIL in its kernels: two fields at a time
    with ThreadPoolExecutor(2) as pool:
        masks = dict(zip(fields, pool.map(mask, fields)))
    changed = np.logical_or.reduce(list(masks.values())) if masks else np.zeros(len(old_at), dtype=bool)
    result.changed = int(changed.sum())
    result.unchanged = len(old_at) - result.changed
    result.field_changes = {f: int(m.sum()) for f, m in masks.items() if m.any()}
    shared = result.key + fields + carried
    result.changed_old = old.select(shared).take(pa.array(old_at[changed]))
    result.changed_new = new.select(shared).take(pa.array(new_at[changed]))
    result.changed_mask = pa.table({f: m[changed] for f, m in masks.items()}) if masks else None


def _gather(column, positions: "np.ndarray"):
    """column[positions]; rows in file order (the usual case) are filtered, not gathered one by one."""
    import numpy as np
    import pyarrow as pa

    if len(positions) and np.all(positions[1:] > positions[:-1]):
        keep = np.zeros(len(column), dtype=bool)
        keep[positions] = True
        return column if keep.all() else column.filter(pa.array(keep))
    return column.take(pa.array(positions))


def _list_bytes(column) -> tuple | None:
    """Two byte strings per list of text items, equal on two rows exactly when their lists are:
    the items' bytes run together, and the items' lengths. Both are views of the list's own
    buffers, so comparing them costs what comparing a text column costs. None for lists of
    anything else, or holding a null item."""
    import pyarrow as pa

    if not _is_list(column.type) or not _is_text(column.type.value_type):
        return None
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    views = [_chunk_bytes(chunk) for chunk in chunks]
    if any(v is None for v in views):
        return None
    return tuple(pa.chunked_array([v[i] for v in views], pa.large_binary()) for i in (0, 1))


def _chunk_bytes(chunk) -> tuple | None:
    import numpy as np
    import pyarrow as pa

    items = chunk.values  # the whole child array: the list's offsets index it, whatever the slice
    if items.null_count:
        return None
    wide = pa.types.is_large_list(chunk.type)
    list_at = np.frombuffer(chunk.buffers()[1], np.int64 if wide else np.int32)[:chunk.offset + len(chunk) + 1]
    item_wide = pa.types.is_large_string(items.type) or pa.types.is_large_binary(items.type)
    item_at = np.frombuffer(items.buffers()[1], np.int64 if item_wide else np.int32)[:items.offset + len(items) + 1]
    first = items.offset + list_at.astype(np.int64)  # each list's first item, in the items' buffers
    text = items.buffers()[2] or pa.py_buffer(b"")
    lengths = np.diff(item_at).astype(np.int32)
    validity = chunk.buffers()[0]
    joined = pa.Array.from_buffers(pa.large_binary(), len(chunk), [validity, pa.py_buffer(item_at[first].astype(np.int64)), text],
                                   offset=chunk.offset)
    shape = pa.Array.from_buffers(pa.large_binary(), len(chunk), [validity, pa.py_buffer(first * 4), pa.py_buffer(lengths)],
                                  offset=chunk.offset)
    return joined, shape


def _is_text(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)


def differs(a, b):
    """Per row: do the two values differ? Nulls equal nulls; NaN equals NaN; lists item by item."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if _is_list(a.type) and _is_list(b.type):
        return _lists_differ(a, b)
    a, b = comparable(a), comparable(b)
    if a.type != b.type:
        a, b = pc.cast(a, pa.string()), pc.cast(b, pa.string())
    out = pc.fill_null(pc.not_equal(a, b), False)
    if pa.types.is_floating(a.type):
        both_nan = pc.fill_null(pc.and_(pc.is_nan(a), pc.is_nan(b)), False)
        out = pc.and_(out, pc.invert(both_nan))
    return pc.or_(out, pc.not_equal(pc.is_null(a), pc.is_null(b)))


def _is_list(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_list(kind) or pa.types.is_large_list(kind)


def _lists_differ(a, b):
    """Lists differ when their lengths (or nullness) differ, or any item at the same place does."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def numpy(values):
        return values.to_numpy(zero_copy_only=False)

    lengths = pc.list_value_length(a)
    out = numpy(differs(lengths, pc.list_value_length(b))).astype(bool)
    same_shape = np.flatnonzero(~out & numpy(a.is_valid()).astype(bool))
    a_same, b_same = _gather(a, same_shape), _gather(b, same_shape)
    items_differ = numpy(differs(pc.list_flatten(a_same), pc.list_flatten(b_same))).astype(bool)
    if items_differ.any():
        parents = np.repeat(same_shape, numpy(pc.fill_null(lengths, 0)).astype(np.int64)[same_shape])
        out[parents[items_differ]] = True
    return pa.array(out)
