"""The cells of a very wide table checked in long format: one pass per kind of field.

Checked column by column, a table of 10,000 columns costs tens of thousands of polars
expressions, and building them takes longer than running them. Here the cells are turned
into one long frame (row, column, value) and the fields are grouped by what their checks
depend on (type, format, constraints, ...): each group's cells are parsed and checked once,
with the same checks as ``field_checks`` builds for one column, and each finding takes its
field name from its row. The typed values are pivoted back into one column per field.

Messages leave out field descriptions (fields of one group may describe themselves
differently); everything else is as the column-by-column pass reports it.
"""

from __future__ import annotations

import json

import polars as pl

from .field_checks import Check, collect, field_checks, is_missing, stage
from .findings import Finding
from ..resource_bytes import Resource
from .reading import LINE, ROW, column

MIN_COLUMNS = 200  # narrower tables are checked column by column
MAX_CELLS = 20_000_000  # longer wide tables too: their long frame would not pay off
_NAME, _COLUMN = "__name", "__column"
_IGNORED = ("name", "title", "description", "example", "rdfType")


def applies(width: int, rows: int) -> bool:
    return width >= MIN_COLUMNS and width * max(rows, 1) <= MAX_CELLS


def _groups(fields: list[dict]) -> dict[str, list[int]]:
    """Field positions grouped by everything their checks depend on (all but names and words)."""
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(fields):
        key = json.dumps({k: v for k, v in f.items() if k not in _IGNORED}, sort_keys=True, default=str)
        groups.setdefault(key, []).append(i)
    return groups


def check_cells(res: Resource, frame: pl.DataFrame, fields: list[dict], missing_values: list[str],
                row_checks) -> tuple[list[Finding], pl.DataFrame, set[int]]:
    """Findings for every cell of ``fields`` (the first ``len(fields)`` raw columns), the typed
    values (``__row``, ``__line`` and one column per field) and the blank rows.

    ``row_checks(blank)`` gives the row-level checks (blank rows, missing extra cells) for a
    blank-row expression on the raw frame."""
    names = {column(i): f["name"] for i, f in enumerate(fields)}
    long = frame.unpivot(index=[ROW, LINE], on=list(names), variable_name=_COLUMN, value_name="__cell")
    long = long.rename({"__cell": column(0)})  # the one column the checks of one field read
    long = long.with_columns(is_missing(pl.col(column(0)), missing_values).alias("__missing_any"))
    blank_rows = long.group_by(ROW).agg(pl.col("__missing_any").all()).filter(pl.col("__missing_any")).get_column(ROW)
    blank_set = set(blank_rows.to_list())
    findings = collect(res, frame, row_checks(pl.col(ROW).is_in(blank_rows.implode())))
    long = long.with_columns(pl.col(ROW).is_in(blank_rows.implode()).alias("__blank"),
                             pl.col(_COLUMN).replace_strict(names, return_dtype=pl.String).alias(_NAME))
    typed = frame.select(ROW, LINE)
    for positions in _groups(fields).values():
        group_findings, values = _check_group(res, long, [fields[i] for i in positions], missing_values)
        findings += group_findings
        typed = typed.join(values, on=ROW, how="left")
    return findings, typed, blank_set


def _check_group(res: Resource, long: pl.DataFrame, fields: list[dict], missing_values: list[str]):
    model = {k: v for k, v in fields[0].items() if k not in ("description", "title")}
    cells = long.filter(pl.col(_NAME).is_in([f["name"] for f in fields]))
    cells = cells.with_columns(stage([model], 1, missing_values))
    checks, typed = field_checks([model], 1, pl.col("__blank"))
    checks = [Check(c.code, None, c.mask, c.message, c.severity, c.value, field_column=_NAME) for c in checks]
    findings = collect(res, cells, checks)
    values = cells.select(ROW, _NAME, next(iter(typed.values())).alias("__value"))
    wide = values.pivot(on=_NAME, index=ROW, values="__value")
    present = set(wide.columns)
    return findings, wide.select(ROW, *[f["name"] for f in fields if f["name"] in present])
