"""Checks of one column of cells against its Table Schema field, as polars masks.

Shared by the ``tables`` layer's two passes: column by column (``tables``), and in long
format for very wide tables (``wide``). Each check is a mask that is True where a cell is
wrong, with words for its finding; ``collect`` evaluates them all in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from . import cells
from .findings import Finding
from ..resource_bytes import Resource
from .reading import LINE, ROW, column

LAYER = "tables"
MAX_PER_CHECK = 1000  # findings per check and table; the rest are counted in one line
_FORMULA = r"^[\t\r]*(=|@|[+-][A-Za-z(])"


@dataclass
class Check:
    code: str
    field: str | None  # the field named in findings (or, with field_column, taken from that column per row)
    mask: pl.Expr
    message: Callable[[dict], str]
    severity: str = "error"
    value: str | None = None  # raw column to show in the message
    field_column: str | None = None


def is_missing(raw_col: pl.Expr, missing_values: list[str]) -> pl.Expr:
    """True where a cell is absent (a short row) or one of the schema's missing values."""
    if len(missing_values) == 1:
        return raw_col.is_null() | (raw_col == missing_values[0])
    return raw_col.is_null() | raw_col.is_in(missing_values)


def plain_string(field: dict) -> bool:
    return field.get("type", "string") == "string" and field.get("format", "default") not in cells.FORMAT_HINTS


def staged(i: int, field: dict) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The per-field columns computed once: missing, typed value, valid.

    A plain string is its own value: it is not copied into a staged column.
    """
    missing = pl.col(f"__missing{i}")
    if plain_string(field):
        return missing, pl.when(~missing).then(pl.col(column(i))), pl.lit(True)
    return missing, pl.col(f"__value{i}"), pl.col(f"__ok{i}")


def stage(fields: list[dict], width: int, missing_values: list[str]) -> list[pl.Expr]:
    """Expressions for the staged columns: each cell is parsed once for all checks."""
    exprs = []
    for i, f in enumerate(fields[:width]):
        raw = pl.col(column(i))
        missing = is_missing(raw, missing_values)
        exprs.append(missing.alias(f"__missing{i}"))
        if not plain_string(f):
            parsed = cells.parse(pl.when(~missing).then(raw), f)
            exprs += [parsed.value.alias(f"__value{i}"), parsed.ok.alias(f"__ok{i}")]
    return exprs


def field_checks(fields: list[dict], width: int, blank: pl.Expr) -> tuple[list[Check], dict[str, pl.Expr]]:
    """Checks for every cell and the typed value of every field present in the file."""
    checks, typed = [], {}
    for i, f in enumerate(fields[:width]):
        name, raw = f.get("name"), pl.col(column(i))
        missing, value, ok = staged(i, f)
        present = pl.when(~missing).then(raw)
        typed[name] = pl.when(ok).then(value)
        hint = cells.type_hint(f)
        described = f" ({f['description']})" if f.get("description") else ""
        checks.append(Check("missing-cell", name, raw.is_null() & ~blank,
                             lambda r, n=name: f'the row ends before column "{r.get("field") or n}": add the missing cell (or the delimiters) so that every row has as many cells as the header'))
        checks.append(Check("type-error", name, ~ok & ~blank,
                             lambda r, h=hint, t=cells.type_name(f): f'"{cells.short(r["value"])}" is not a valid {t}: {h}', value=column(i)))
        if (f.get("constraints") or {}).get("required"):
            checks.append(Check("constraint-error", name, missing & ~blank,
                                 lambda r, n=name, d=described: f"{r.get('field') or n} is required but empty: fill it in{d}"))
        valid = ~missing & ok & ~blank
        for c in cells.constraints(present, value, f):
            checks.append(Check("constraint-error", name, valid & c.broken.fill_null(False),
                                 lambda r, c=c, d=described: c.describe(r["value"]) + d, value=column(i)))
        if f.get("type", "string") == "string":
            checks.append(Check("formula-cell", name, valid & raw.str.contains(_FORMULA),
                                 lambda r: f'"{cells.short(r["value"])}" starts like a spreadsheet formula, which spreadsheets may run: '
                                 "remove the leading character or rephrase", severity="warning", value=column(i)))
    return checks, typed


class Collector:
    """Findings of a fixed list of checks over one table, fed whole or in batches of rows.

    Each check keeps its first ``MAX_PER_CHECK`` hits in row order and counts the rest, so
    a table checked in batches gives the findings it gives when checked whole."""

    def __init__(self, res: Resource, checks: list[Check]):
        self.res, self.checks = res, checks
        self.hits: list[list[Finding]] = [[] for _ in checks]
        self.counts = [0] * len(checks)

    def add(self, frame: pl.DataFrame) -> None:
        if frame.height == 0 or not self.checks:
            return
        masks = frame.select(*[c.mask.fill_null(False).alias(f"m{i}") for i, c in enumerate(self.checks)])
        counts = masks.select(pl.col(f"m{i}").sum() for i in range(len(self.checks))).row(0)
        for i, (check, count) in enumerate(zip(self.checks, counts)):
            room = MAX_PER_CHECK - len(self.hits[i])
            self.counts[i] += count
            if not count or room <= 0:
                continue
            cols = [pl.col(ROW), pl.col(LINE)] + ([pl.col(check.value).alias("value")] if check.value else [])
            cols += [pl.col(check.field_column).alias("field")] if check.field_column else []
            for r in frame.filter(masks.get_column(f"m{i}")).select(cols).head(room).iter_rows(named=True):
                self.hits[i].append(Finding(check.code, check.message(r), self.res.name, r[ROW], r.get("field", check.field),
                                            LAYER, check.severity, self.res.file, r[LINE]))

    def findings(self) -> list[Finding]:
        out = []
        for check, hits, count in zip(self.checks, self.hits, self.counts):
            out += hits
            if count > MAX_PER_CHECK:
                out.append(Finding(check.code, f"… and {count - MAX_PER_CHECK} more rows with this problem", self.res.name,
                                   None, check.field, LAYER, check.severity, self.res.file))
        return out


def collect(res: Resource, frame: pl.DataFrame, checks: list[Check]) -> list[Finding]:
    """Run all masks in one pass and turn the true cells into findings."""
    collector = Collector(res, checks)
    collector.add(frame)
    return collector.findings()
