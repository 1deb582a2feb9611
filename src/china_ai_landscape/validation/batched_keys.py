"""Unique fields and primary keys of a table read in batches, kept as compact hashes.

For every key, each row adds a 64-bit hash of its key values and its row number (12 bytes
a row, whatever the keys hold), filed in one of 16 buckets by the hash's top bits. Once the
table is read, each bucket is sorted on its own (so sorting needs a sixteenth of the
memory), and rows whose hash an earlier row has are the repeats; their values, and those of the first row with the same hash, are read back
from the spill files, so the findings name the values and a hash collision between
different keys is not reported. Messages are those of the whole-table check.
"""

from __future__ import annotations

import polars as pl

from ..resource_bytes import Resource
from . import cells
from .field_checks import LAYER, MAX_PER_CHECK
from .findings import Finding
from .reading import LINE, ROW

_SEED = 0x5EED
_BUCKET_BITS = 4


def key_fields(value) -> list[str]:
    """The fields of a key as a list (a Table Schema key is one name or a list of names)."""
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def key_groups(schema: dict, fields: list[dict], present: set[str]) -> list[tuple[str, list[str]]]:
    """(finding code, key fields) for every unique field and the primary key, in the order checked."""
    groups = [("unique-error", [f["name"]]) for f in fields
              if (f.get("constraints") or {}).get("unique") and f["name"] in present]
    pk = key_fields(schema.get("primaryKey"))
    if pk and set(pk) <= present:
        groups.append(("primary-key", pk))
    return groups


def _all_null(keys: list[str]) -> pl.Expr:
    return pl.all_horizontal([pl.col(k).is_null() for k in keys])


class KeyIndex:
    def __init__(self, res: Resource, fields: list[dict], present: set[str], lines_differ: bool):
        self.res = res
        self.groups = key_groups(res.schema, fields, present)
        self.lines_differ = lines_differ
        self.parts: dict[tuple[str, ...], dict[int, list[pl.DataFrame]]] = {tuple(keys): {} for _, keys in self.groups}
        self.found: dict[tuple[str, ...], pl.DataFrame | None] = {}
        self.empty: list[tuple[int, int]] = []  # rows whose primary key is empty (the first MAX_PER_CHECK)

    def add(self, typed: pl.DataFrame) -> None:
        for keys, parts in self.parts.items():
            cols = [pl.struct(list(keys)).hash(_SEED).alias("h"), pl.col(ROW).cast(pl.UInt32)]
            cols += [pl.col(LINE).cast(pl.UInt32)] if self.lines_differ else []
            hashed = typed.filter(~_all_null(list(keys))).select(cols)
            buckets = hashed.with_columns((pl.col("h") // (1 << (64 - _BUCKET_BITS))).cast(pl.UInt8).alias("b"))
            for (bucket,), part in buckets.partition_by("b", as_dict=True).items():
                parts.setdefault(bucket, []).append(part.drop("b"))
        for code, keys in self.groups:
            if code == "primary-key" and len(self.empty) < MAX_PER_CHECK:
                empty = typed.filter(_all_null(keys)).select(ROW, LINE).head(MAX_PER_CHECK - len(self.empty))
                self.empty += empty.iter_rows()

    def findings(self, scan: pl.LazyFrame) -> list[Finding]:
        out = []
        for code, keys in self.groups:
            if code == "primary-key":
                out += [Finding(code, f"the primary key ({', '.join(keys)}) is empty: every row needs a key", self.res.name,
                                row, ",".join(keys), LAYER, "error", self.res.file, line) for row, line in self.empty]
            out += self._repeats(code, keys, scan)
        return out

    def _hits(self, keys: list[str]) -> pl.DataFrame | None:
        """The repeated rows of one key, in row order (worked out once, for a key that is
        both unique and the primary key)."""
        key = tuple(keys)
        if key not in self.found:
            repeats = [_bucket_repeats(parts) for parts in self.parts.pop(key, {}).values()]
            self.found[key] = pl.concat(repeats).sort(ROW) if repeats else None
        return self.found[key]

    def _repeats(self, code: str, keys: list[str], scan: pl.LazyFrame) -> list[Finding]:
        hits = self._hits(keys)
        if hits is None or hits.height == 0:
            return []
        shown = hits.head(MAX_PER_CHECK)
        wanted = pl.concat([shown.get_column(ROW), shown.get_column("first")]).unique().cast(pl.Int64)
        values = {row[0]: row[1:] for row in scan.filter(pl.col(ROW).is_in(wanted.implode())).select(ROW, *keys).collect().iter_rows()}
        out = []
        for r in shown.iter_rows(named=True):
            value = values[r[ROW]]
            if value != values[r["first"]]:  # same hash, different key: not a repeat
                continue
            text = cells.short(", ".join("" if v is None else str(v) for v in value))
            if code == "unique-error":
                message = f'{keys[0]} "{text}" already appears in row {r["first"]}: each value must be unique'
            else:
                message = (f"the primary key ({', '.join(keys)}) = ({text}) is already used in row {r['first']}: "
                           "make it unique or merge the rows")
            line = r[LINE] if self.lines_differ else r[ROW]
            out.append(Finding(code, message, self.res.name, r[ROW], ",".join(keys), LAYER, "error", self.res.file, line))
        if hits.height > MAX_PER_CHECK:
            out.append(Finding(code, f"… and {hits.height - MAX_PER_CHECK} more rows with this problem", self.res.name,
                               None, ",".join(keys), LAYER, "error", self.res.file))
        return out


def _bucket_repeats(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Rows of one bucket whose hash an earlier row has, with that earlier row (``first``).

    Sorted by hash with rows in order within a hash, a row repeats when the row before has
    its hash."""
    hashed = pl.concat(parts, rechunk=True).sort("h", maintain_order=True)
    parts.clear()
    starts = (pl.col("h") != pl.col("h").shift(1)).fill_null(True)
    hashed = hashed.with_columns(pl.when(starts).then(pl.col(ROW)).forward_fill().alias("first"))
    return hashed.filter(pl.col(ROW) != pl.col("first"))
