"""The ``expectations`` layer: dataset-level quality, run by great-expectations.

What no per-row rule expresses: how complete a field is, whether values are plausible,
and that tables do not lose rows against the previous release. Expectations are plain
values (``Expectation``), derived from the ``expectations`` property of Table Schema fields
(see ``schema_expectations``); rule sets may add views (derived frames with their own
schema) and expectations, and the row-count check is generated for any package given a
baseline. great-expectations itself runs in ``gx`` (in a worker process started early,
because it takes seconds to import); Data Docs HTML is written when asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ..package import DataPackage
from . import gx
from .findings import Finding
from .gx import LAYER, ROW, Expectation, Job, Worker
from .rules import RuleContext, applicable
from .tables import TypedTable



def schema_expectations(table: str, schema: dict) -> list[Expectation]:
    """Expectations a Table Schema states on its fields, in the ``expectations`` property.

    A field's ``expectations`` is a list of objects, each one of::

        {"filled": 0.9}                      at least 90% of the rows have a value
        {"between": [1000, null]}            values lie in this range (null: open)

    with optional ``where`` (``{"country": "CN"}``: only rows with these values),
    ``severity`` (``warning``, the default, or ``error``) and ``hint`` (what to do).
    """
    out = []
    for field in schema.get("fields", []):
        stated = field.get("expectations") if isinstance(field, dict) else None
        for spec in stated if isinstance(stated, list) else []:
            if isinstance(spec, dict):
                out += _expectation(table, field["name"], spec)
    return out


def _row_condition(where) -> dict:
    if not isinstance(where, dict) or not where:
        return {}
    parts = [f"{column}=={json.dumps(value)}" for column, value in sorted(where.items())]
    return {"row_condition": " & ".join(parts), "condition_parser": "pandas"}


def _expectation(table: str, column: str, spec: dict) -> list[Expectation]:
    severity = spec.get("severity") if spec.get("severity") in ("error", "warning") else "warning"
    condition = _row_condition(spec.get("where"))
    where = dict(spec.get("where")) if condition else {}
    if isinstance(spec.get("filled"), (int, float)):
        hint = spec.get("hint") or f"fill in {column} where the sources state it"
        return [Expectation(table, "ExpectColumnValuesToNotBeNull", {"column": column, "mostly": float(spec["filled"]), **condition},
                            severity, hint, where)]
    bounds = spec.get("between")
    if isinstance(bounds, list) and len(bounds) == 2:
        hint = spec.get("hint") or "check the value and its unit"
        return [Expectation(table, "ExpectColumnValuesToBeBetween", {"column": column, "min_value": bounds[0],
                                                                      "max_value": bounds[1], **condition}, severity, hint, where)]
    return []


def filled_share(frame: pl.DataFrame, column: str, where: dict | None = None) -> tuple[int, int]:
    """(rows with a value, rows) of a column, among the rows matching ``where``."""
    for key, value in (where or {}).items():
        frame = frame.filter(pl.col(key) == value)
    return frame.height - frame.get_column(column).null_count(), frame.height


def _row_count(package: DataPackage, name: str) -> int | None:
    try:
        path = package.data_path(name)
    except Exception:  # noqa: BLE001 (a baseline without this table has no count)
        return None
    if not path.is_file():
        return None
    return pl.scan_csv(path, infer_schema=False).select(pl.len()).collect().item()


def _major(version: str | None) -> int:
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return 0


def row_count_expectations(package: DataPackage, baseline: DataPackage, tables: dict[str, TypedTable]) -> list[Expectation]:
    """No table may lose rows against the baseline, unless the version makes a MAJOR bump."""
    major_bump = _major(package.version) > _major(baseline.version)
    out = []
    for name in tables:
        before = _row_count(baseline, name)
        if before:
            out.append(Expectation(name, "ExpectTableRowCountToBeBetween", {"min_value": before},
                                   "warning" if major_bump else "error",
                                   f"the previous release ({baseline.version}) had {before} rows: restore the removed rows, "
                                   "or bump the MAJOR version and say why in CHANGELOG.md"))
    return out


def _ipc(table: TypedTable, columns: set[str]) -> bytes:
    """The columns an expectation needs (and ``__row``), as Arrow IPC stream bytes."""
    import pyarrow as pa

    # only those columns are loaded, also from a table read in batches (see tables.TypedTable)
    frame = table.scan().select([ROW] + sorted(c for c in columns if c in table.columns)).collect().to_arrow()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, frame.schema) as writer:
        writer.write_table(frame)
    return sink.getvalue().to_pybytes()


def _job(expectations: list[Expectation], tables: dict[str, TypedTable], html_report: Path | None) -> Job:
    needed: dict[str, set[str]] = {}
    for exp in expectations:
        if exp.table in tables:
            needed.setdefault(exp.table, set()).update({exp.column} if exp.column else set(), exp.where)
    return Job(expectations, {name: _ipc(tables[name], columns) for name, columns in needed.items()},
               {name: tables[name].file for name in needed}, str(html_report) if html_report is not None else None)


def check(package: DataPackage, tables: dict[str, TypedTable], html_report: str | Path | None = None,
          baseline: DataPackage | None = None, worker: Worker | None = None) -> tuple[list[Finding], list[str]]:
    """Findings of the expectations the Table Schemas state, those of every applicable rule
    set (on its tables and views), and the baseline row counts. great-expectations runs in
    ``worker`` when one was started (see ``gx.Worker``), else in this process."""
    ctx = RuleContext(package, tables)
    checked = dict(tables)
    expectations: list[Expectation] = [e for t in tables.values() for e in schema_expectations(t.name, t.schema)]
    broken: list[Finding] = []
    for ruleset in applicable(package):
        try:
            if ruleset.expectations is not None:
                expectations += list(ruleset.expectations(ctx))
            for name, (frame, schema) in (ruleset.views(ctx) if ruleset.views is not None else {}).items():
                checked[name] = TypedTable(name, None, schema, frame)
                expectations += schema_expectations(name, schema)
        except Exception as exc:  # noqa: BLE001 (a plug-in's failure is a finding, not a traceback)
            broken.append(Finding("rule-error", f"rule set {ruleset.name!r} cannot list its expectations "
                                  f"({type(exc).__name__}: {exc})", None, None, None, LAYER, "error"))
    if baseline is not None:
        expectations += row_count_expectations(package, baseline, tables)
    notes = []
    if not expectations and html_report is None:
        return broken, ["expectations: none apply to this package (give --baseline to compare row counts)"]
    report_dir = Path(html_report) if html_report is not None else None
    job = _job(expectations, checked, report_dir)
    findings = broken + (worker.run(job) if worker is not None else gx.run(job))
    if report_dir is not None:
        notes.append(f"expectations: Data Docs written to {report_dir / 'index.html'}")
    return findings, notes
