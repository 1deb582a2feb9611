"""Keyed row comparison of two Arrow tables, vectorised with pyarrow.

Both sides' key columns go into one table with each row's position on its own side; a single
hash ``group_by`` then says, for every key, how many rows each side has and where the first
one is. That one pass finds duplicate keys, added, removed and matched rows. Matched rows are
gathered with ``take`` and compared column by column. A table without a primary key is
grouped on all shared fields instead, so whole rows are matched as a multiset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DatasetError
from .model import TableDiff

if TYPE_CHECKING:
    import pyarrow as pa

OLD_ROW, NEW_ROW = "__old_row", "__new_row"
LIST_SEPARATOR = "\x1f"  # unit separator: cannot occur in CSV-split list items of real data


def diff_rows(name: str, old: "pa.Table", new: "pa.Table", key: list[str], sides: tuple[str, str] = ("OLD", "NEW")) -> TableDiff:
    """Compare two versions of a table, matching rows on ``key`` (whole rows when empty)."""
    import pyarrow.compute as pc

    shared = [f for f in new.column_names if f in old.column_names]
    if not key and not shared:  # nothing to match on: every row is new or gone
        return TableDiff(name, "compared", [], old.num_rows, new.num_rows, added=new.num_rows,
                         removed=old.num_rows, added_rows=new, removed_rows=old)
    if key:
        _check_key_types(name, old, new, key, sides)
    groups = _group_sides(old, new, key or shared, typed=bool(key))
    old_count, new_count = groups[f"{OLD_ROW}_count"], groups[f"{NEW_ROW}_count"]
    if key:
        _refuse_duplicates(name, old, new, key, groups, sides)
        only_old = pc.equal(new_count, 0)
        only_new = pc.equal(old_count, 0)
        matched = pc.and_(pc.invert(only_old), pc.invert(only_new))
        result = TableDiff(name, "compared", list(key), old.num_rows, new.num_rows,
                           added=_count(only_new), removed=_count(only_old))
        result.added_rows = new.take(groups[f"{NEW_ROW}_min"].filter(only_new))
        result.removed_rows = old.take(groups[f"{OLD_ROW}_min"].filter(only_old))
        old_at = groups[f"{OLD_ROW}_min"].filter(matched)
        new_at = groups[f"{NEW_ROW}_min"].filter(matched)
        _compare_matched(result, old, new, old_at, new_at, [f for f in shared if f not in key])
        return result
    # Whole rows: a row present n times on one side and m on the other leaves |n - m| extra.
    common = pc.min_element_wise(old_count, new_count)
    extra_new = pc.subtract(new_count, common)
    extra_old = pc.subtract(old_count, common)
    has_new, has_old = pc.greater(extra_new, 0), pc.greater(extra_old, 0)
    result = TableDiff(name, "compared", [], old.num_rows, new.num_rows,
                       added=_sum(extra_new), removed=_sum(extra_old), unchanged=_sum(common))
    result.added_rows = new.take(groups[f"{NEW_ROW}_min"].filter(has_new))
    result.removed_rows = old.take(groups[f"{OLD_ROW}_min"].filter(has_old))
    return result


def _count(mask) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(mask.cast("int64")).as_py() or 0)


def _sum(values) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(values).as_py() or 0)


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


def _group_sides(old, new, columns: list[str], typed: bool) -> "pa.Table":
    """Per distinct value of ``columns``: rows on each side and the first row's position."""
    import numpy as np
    import pyarrow as pa

    def side(table, own):
        cols = {c: _groupable(table.column(c), as_text=not typed) for c in columns}
        positions = pa.array(np.arange(table.num_rows, dtype=np.int64))
        missing = pa.nulls(table.num_rows, pa.int64())
        cols[OLD_ROW], cols[NEW_ROW] = (positions, missing) if own == OLD_ROW else (missing, positions)
        return pa.table(cols)

    both = pa.concat_tables([side(old, OLD_ROW), side(new, NEW_ROW)])
    aggregates = [(c, agg) for c in (OLD_ROW, NEW_ROW) for agg in ("count", "min")]
    return both.group_by(columns).aggregate(aggregates)


def _groupable(column, as_text: bool):
    """A column a hash group-by accepts: lists become text; with ``as_text`` everything does."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = comparable(column)
    if as_text and column.type != pa.string():
        column = pc.cast(column, pa.string())
    return column


def _refuse_duplicates(name, old, new, key, groups, sides) -> None:
    import pyarrow.compute as pc

    for side, table, prefix in ((sides[0], old, OLD_ROW), (sides[1], new, NEW_ROW)):
        dup = pc.greater(groups[f"{prefix}_count"], 1)
        if not pc.any(dup).as_py():
            continue
        first = groups.filter(dup).slice(0, 1)
        value = {f: first[f][0].as_py() for f in key}
        match = pc.equal(_groupable(table.column(key[0]), False), first[key[0]][0])
        for f in key[1:]:
            match = pc.and_(match, pc.equal(_groupable(table.column(f), False), first[f][0]))
        rows = [i + 2 for i in pc.indices_nonzero(pc.fill_null(match, False)).to_pylist()]
        shown = ", ".join(f"{k}={v!r}" for k, v in value.items())
        raise DatasetError(
            f"{name}: duplicate primary key ({shown}) in {side} at rows {', '.join(map(str, rows[:5]))} "
            f"({_count(dup)} duplicated key(s)); rows must be unique on {', '.join(key)} to be compared"
        )


def _compare_matched(result: TableDiff, old, new, old_at, new_at, fields: list[str]) -> None:
    import numpy as np
    import pyarrow as pa

    masks = {}
    for f in fields:
        masks[f] = differs(old.column(f).take(old_at), new.column(f).take(new_at))
        result.field_changes[f] = _count(masks[f])
    changed = _any(list(masks.values())) if masks else pa.array(np.zeros(len(old_at), dtype=bool))
    result.changed = _count(changed)
    result.unchanged = len(old_at) - result.changed
    shared = result.key + fields
    result.changed_old = old.select(shared).take(old_at.filter(changed))
    result.changed_new = new.select(shared).take(new_at.filter(changed))
    result.changed_mask = pa.table({f: m.filter(changed) for f, m in masks.items()}) if masks else None
    result.field_changes = {f: n for f, n in result.field_changes.items() if n}


def _any(masks):
    import pyarrow.compute as pc

    out = masks[0]
    for m in masks[1:]:
        out = pc.or_(out, m)
    return out


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


def differs(a, b):
    """Per row: do the two values differ? Nulls equal nulls; NaN equals NaN."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a, b = comparable(a), comparable(b)
    if a.type != b.type:
        a, b = pc.cast(a, pa.string()), pc.cast(b, pa.string())
    out = pc.fill_null(pc.not_equal(a, b), False)
    if pa.types.is_floating(a.type):
        both_nan = pc.fill_null(pc.and_(pc.is_nan(a), pc.is_nan(b)), False)
        out = pc.and_(out, pc.invert(both_nan))
    return pc.or_(out, pc.not_equal(pc.is_null(a), pc.is_null(b)))
