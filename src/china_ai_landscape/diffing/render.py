"""A diff as text (terminal), markdown (release notes, pull-request comments) or JSON."""

from __future__ import annotations

# "Diff" and "TableDiff" in annotations are diffing.model's values, not imported here:
# model imports this module.

import datetime
import json
import math
from typing import Any

from ..errors import DatasetError


COUNTS = ("old_rows", "new_rows", "added", "removed", "changed", "unchanged")
HEADERS = ("table", "key", "old rows", "new rows", "added", "removed", "changed", "unchanged")


def render(diff: "Diff", fmt: str, limit: int | None) -> str:
    if fmt == "json":
        return json.dumps(to_dict(diff, limit), indent=2, ensure_ascii=False)
    if fmt == "text":
        return "\n".join(_text(diff, limit))
    if fmt == "markdown":
        return "\n".join(_markdown(diff, limit))
    raise DatasetError(f"unknown format {fmt!r}; choose one of: text, markdown, json")


# --- values -------------------------------------------------------------------------------

def jsonable(value: Any) -> Any:
    """A value as JSON can hold it: dates as ISO 8601 text, NaN and infinities as text."""
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def shown(value: Any) -> str:
    """A value on one line, unambiguous: strings quoted, missing values as null."""
    return json.dumps(jsonable(value), ensure_ascii=False)


def change_text(old: Any, new: Any) -> str:
    """old → new; for two lists that differ in their items, just the items added and removed."""
    if isinstance(old, list) and isinstance(new, list):
        came = [shown(v) for v in new if v not in old]
        gone = [shown(v) for v in old if v not in new]
        if came or gone:
            return "; ".join(part for part in (
                "added " + ", ".join(came) if came else "", "removed " + ", ".join(gone) if gone else "") if part)
    return f"{shown(old)} → {shown(new)}"


def _rows(table, limit: int | None) -> list[dict]:
    if table is None:
        return []
    return [jsonable(row) for row in (table if limit is None else table.slice(0, limit)).to_pylist()]


def changed_rows(t: "TableDiff", limit: int | None) -> list[dict]:
    """Changed rows as {"key": {...}, "changes": {field: {"old": ..., "new": ...}}}."""
    if not t.changed or t.changed_old is None:
        return []
    olds, news = _rows(t.changed_old, limit), _rows(t.changed_new, limit)
    masks = _rows(t.changed_mask, limit)
    out = []
    for old, new, mask in zip(olds, news, masks):
        changes = {f: {"old": old[f], "new": new[f]} for f, changed in mask.items() if changed}
        out.append({"key": {k: new[k] for k in t.key}, "changes": changes})
    return out


# --- JSON -----------------------------------------------------------------------------------

def to_dict(diff: "Diff", limit: int | None) -> dict:
    return {
        "old": {"source": diff.old, "version": diff.old_version},
        "new": {"source": diff.new, "version": diff.new_version},
        "bump": diff.bump,
        "reasons": diff.reasons,
        "differs": diff.differs,
        "tables": {name: _table_dict(t, limit) for name, t in diff.tables.items()},
        "schema": [
            {"kind": c.kind, "table": c.table, "field": c.field, "bump": c.bump, "message": c.message,
             "old": jsonable(c.old), "new": jsonable(c.new)}
            for c in diff.schema
        ],
        "warnings": list(diff.warnings),
    }


def _table_dict(t: "TableDiff", limit: int | None) -> dict:
    sample = {
        "added_rows": _rows(t.added_rows, limit),
        "removed_rows": _rows(t.removed_rows, limit),
        "changed_rows": changed_rows(t, limit),
    }
    available = [_num_rows(t.added_rows), _num_rows(t.removed_rows), t.changed if t.changed_old is not None else 0]
    truncated = any(len(rows) < n for rows, n in zip(sample.values(), available))
    return {"status": t.status, "key": list(t.key), **{c: getattr(t, c) for c in COUNTS},
            "changed_fields": dict(t.field_changes), **sample, "truncated": truncated}


def _num_rows(table) -> int:
    return 0 if table is None else table.num_rows


# --- text -----------------------------------------------------------------------------------

def _side(source: str, version: str | None) -> str:
    return f"{source} ({version})" if version else source


def _summary_cells(t: "TableDiff") -> list[str]:
    key = ", ".join(t.key) if t.key else "(whole rows)"
    if t.status != "compared":
        return [t.name, key, str(t.old_rows), str(t.new_rows), f"table {t.status}", "", "", ""]
    return [t.name, key, *(str(getattr(t, c)) for c in COUNTS)]


def _text(diff: "Diff", limit: int | None) -> list[str]:
    lines = [f"dataset diff: {_side(diff.old, diff.old_version)} → {_side(diff.new, diff.new_version)}"]
    lines.append(f"bump required: {diff.bump.upper()}" + ("" if diff.differs else " (no differences)"))
    if diff.tables:
        lines += ["", *_aligned([list(HEADERS)] + [_summary_cells(t) for t in diff.tables.values()])]
    if diff.reasons:
        lines += ["", "Why:", *(f"  {r}" for r in diff.reasons)]
    if diff.schema:
        lines += ["", "Schema and descriptor changes:", *(f"  [{c.bump}] {c.message}" for c in diff.schema)]
    for t in diff.tables.values():
        lines += _text_rows(t, limit)
    if diff.warnings:
        lines += ["", "Warnings:", *(f"  {w}" for w in diff.warnings)]
    return lines


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        if row[4].startswith("table "):  # an added or removed table: no counts to align
            cells = cells[:4] + [row[4]]
        out.append("  ".join(cells).rstrip())
    return out


def _key_text(row: dict, key: list[str]) -> str:
    fields = key or list(row)
    return ", ".join(f"{f}={shown(row[f])}" for f in fields)


def _more(total: int, listed: int, indent: str = "  ") -> list[str]:
    return [f"{indent}... and {total - listed} more (raise --limit to see them)"] if total > listed else []


def _text_rows(t: "TableDiff", limit: int | None) -> list[str]:
    if t.status != "compared":
        return []
    lines = []
    if t.changed:
        fields = ", ".join(f"{f} {n}" for f, n in t.field_changes.items())
        lines += ["", f"{t.name}: {t.changed} changed (by field: {fields})"]
        rows = changed_rows(t, limit)
        for row in rows:
            lines.append(f"  {_key_text(row['key'], t.key)}")
            lines += [f"    {f}: {change_text(v['old'], v['new'])}" for f, v in row["changes"].items()]
        lines += _more(t.changed, len(rows))
    for kind, table in (("added", t.added_rows), ("removed", t.removed_rows)):
        total = getattr(t, kind)
        if total:
            rows = _rows(table, limit)
            lines += ["", f"{t.name}: {total} {kind}", *(f"  {_key_text(r, t.key)}" for r in rows)]
            lines += _more(table.num_rows, len(rows))
    return lines


# --- markdown -------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[Any]], right: int = 0) -> list[str]:
    align = ["---"] * (len(header) - right) + ["--:"] * right
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
    ]


def _markdown(diff: "Diff", limit: int | None) -> list[str]:
    lines = [f"## Data changes: `{_side(diff.old, diff.old_version)}` → `{_side(diff.new, diff.new_version)}`", ""]
    lines.append(f"**Required version bump: {diff.bump}**" + ("" if diff.differs else " (no differences)"))
    if diff.reasons:
        lines += ["", *(f"- {r}" for r in diff.reasons)]
    if diff.tables:
        rows = []
        for t in diff.tables.values():
            cells = _summary_cells(t)
            rows.append([f"`{t.name}`", cells[1], *cells[2:]])
        lines += ["", *_md_table(list(HEADERS), rows, right=6)]
    if diff.schema:
        lines += ["", "### Schema and descriptor changes", ""]
        lines += [f"- **{c.bump}** {_cell(c.message)}" for c in diff.schema]
    for t in diff.tables.values():
        lines += _markdown_rows(t, limit)
    if diff.warnings:
        lines += ["", "### Warnings", "", *(f"- {_cell(w)}" for w in diff.warnings)]
    return lines


def _markdown_rows(t: "TableDiff", limit: int | None) -> list[str]:
    if t.status != "compared" or not (t.changed or t.added or t.removed):
        return []
    lines = ["", f"### `{t.name}`"]
    if t.changed:
        rows = changed_rows(t, limit)
        body = [[_key_text(r["key"], t.key), f, change_text(v["old"], v["new"])]
                for r in rows for f, v in r["changes"].items()]
        lines += _details(_plural(t.changed, "changed row"), _md_table(["row", "field", "change"], body), t.changed, len(rows))
    for kind, table in (("added", t.added_rows), ("removed", t.removed_rows)):
        if getattr(t, kind):
            rows = _rows(table, limit)
            columns = t.key or (list(rows[0]) if rows else [])
            body = [[shown(r[c]) for c in columns] for r in rows]
            lines += _details(_plural(getattr(t, kind), f"{kind} row"), _md_table(columns, body), table.num_rows, len(rows))
    return lines


def _plural(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _details(summary: str, table: list[str], total: int, listed: int) -> list[str]:
    more = ["", f"... and {total - listed} more."] if total > listed else []
    return ["", f"<details><summary>{summary}</summary>", "", *table, *more, "", "</details>"]
