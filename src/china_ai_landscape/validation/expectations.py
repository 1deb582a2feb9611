"""The ``expectations`` layer: dataset-level quality, run by great-expectations.

What no per-row rule expresses: how complete a field is, whether values are plausible,
and that tables do not lose rows against the previous release. Expectations are plain
values (``Expectation``), derived from the ``expectations`` property of Table Schema fields
(see ``schema_expectations``); rule sets may add views (derived frames with their own
schema) and expectations, and the row-count check is generated for any package given a
baseline. great-expectations
takes seconds to import, so it is imported here only, and Data Docs HTML is written when
asked for.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..package import DataPackage
from .findings import Finding
from .rules import RuleContext, applicable
from .tables import TypedTable

LAYER = "expectations"
ROW = "__row"
MAX_ROWS = 50  # rows listed per failed expectation


@dataclass(frozen=True)
class Expectation:
    """One great-expectations expectation on one table, with words for its finding."""

    table: str
    kind: str  # class name in great_expectations.expectations, e.g. ExpectColumnValuesToBeBetween
    kwargs: dict = field(default_factory=dict)
    severity: str = "error"
    hint: str = ""
    where: dict = field(default_factory=dict)  # the rows it applies to (for messages and the columns needed)

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


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


def _message(exp: Expectation, result: dict, value=None) -> str:
    if exp.kind == "ExpectColumnValuesToNotBeNull":
        filled = 100 - (result.get("unexpected_percent") or 0)
        rows = "rows" + ("".join(f" where {k} is {v}" for k, v in exp.where.items()))
        return f"{exp.column} is filled in {filled:.1f}% of {rows}; at least {exp.kwargs['mostly']:.0%} expected: {exp.hint}"
    if exp.kind == "ExpectTableRowCountToBeBetween":
        return f"the table has {result.get('observed_value')} rows: {exp.hint}"
    if exp.kind == "ExpectColumnValuesToBeBetween":
        low, high = exp.kwargs.get("min_value"), exp.kwargs.get("max_value")
        shown = f" {value}" if value is not None else ""
        if high is None:
            return f"{exp.column}{shown} is below the plausible minimum {low}: {exp.hint}"
        if low is None:
            return f"{exp.column}{shown} is above the plausible maximum {high}: {exp.hint}"
        return f"{exp.column}{shown} is outside the plausible range {low}–{high}: {exp.hint}"
    return f"{exp.kind} failed: {exp.hint}"


def _plain(value):
    """A numpy scalar as a plain number (12.0 as 12) for messages."""
    value = value.item() if hasattr(value, "item") else value
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _findings(exp: Expectation, result: dict, file: str | None) -> list[Finding]:
    code = exp.kind.removeprefix("Expect").replace("ColumnValues", "column-values").replace("TableRowCount", "row-count")
    code = "".join(f"-{c.lower()}" if c.isupper() else c for c in code).strip("-")
    items = [item for item in (result.get("unexpected_index_list") or []) if isinstance(item, dict) and ROW in item]
    if items and exp.kind != "ExpectColumnValuesToNotBeNull":
        return [Finding(code, _message(exp, result, _plain(item.get(exp.column))), exp.table, int(item[ROW]), exp.column, LAYER,
                        exp.severity, file, int(item[ROW])) for item in items[:MAX_ROWS]]
    return [Finding(code, _message(exp, result), exp.table, None, exp.column, LAYER, exp.severity, file)]


def _context(html_report: Path | None):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if html_report is not None:
        context.add_data_docs_site(site_name="report", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(html_report)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return context


def _pandas(table: TypedTable, columns: set[str]):
    wanted = [ROW] + sorted(c for c in columns if c in table.frame.columns)
    return table.frame.select(wanted).to_pandas()


def run(expectations: list[Expectation], tables: dict[str, TypedTable], html_report: Path | None) -> list[Finding]:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = _context(html_report)
    source = context.data_sources.add_pandas("package")
    by_table: dict[str, list[Expectation]] = {}
    for exp in expectations:
        if exp.table in tables:
            by_table.setdefault(exp.table, []).append(exp)
    definitions, frames = [], {}
    for name, exps in by_table.items():
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for exp in exps:
            suite.add_expectation(getattr(gxe, exp.kind)(**exp.kwargs))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
        definitions.append(context.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name)))
        frames[name] = _pandas(tables[name], {e.column for e in exps if e.column} | {k for e in exps for k in e.where})
    findings = []
    actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["report"])] if html_report is not None else []
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [ROW]}
    for definition in definitions:
        checkpoint = context.checkpoints.add(gx.Checkpoint(name=f"check-{definition.name}", validation_definitions=[definition],
                                                           actions=actions, result_format=result_format))
        outcome = checkpoint.run(batch_parameters={"dataframe": frames[definition.name]})
        for run_result in outcome.run_results.values():
            for exp, item in zip(by_table[definition.name], run_result.results):
                if not item.success:
                    findings += _findings(exp, item.result, tables[definition.name].file)
    return findings


def check(package: DataPackage, tables: dict[str, TypedTable], html_report: str | Path | None = None,
          baseline: DataPackage | None = None) -> tuple[list[Finding], list[str]]:
    """Findings of the expectations the Table Schemas state, those of every applicable rule
    set (on its tables and views), and the baseline row counts."""
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
    findings = broken + run(expectations, checked, report_dir)
    if report_dir is not None:
        notes.append(f"expectations: Data Docs written to {report_dir / 'index.html'}")
    return findings, notes
