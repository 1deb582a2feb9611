"""The ``rules`` layer: business rules a Table Schema cannot express, run by pandera.

*What* a rule is lives in rule sets (this dataset's are in ``dataset_rules``); *how* they
run lives here: for each table a pandera ``DataFrameSchema`` (polars backend) is generated
from its Table Schema (columns and dtypes through ``arrow_types``), each rule becomes a
pandera ``Check``, and pandera's lazy validation collects every failing row.

Rule sets are pluggable. A package brings its own with an entry point in the group
``china_ai_landscape.rules`` (an object or zero-argument callable giving a ``RuleSet``), or
by calling ``register(ruleset)``. A rule set says which packages it applies to; this
dataset's rules apply only to a package whose descriptor ``name`` is
``china-ai-landscape``, so a foreign package gets the generic layers only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

import polars as pl

from ..package import DataPackage
from .cells import polars_dtype
from .findings import Finding
from .tables import TypedTable

LAYER = "rules"
ENTRY_POINT_GROUP = "china_ai_landscape.rules"
MAX_PER_RULE = 1000


@dataclass(frozen=True)
class Rule:
    """One business rule on one table: an expression that is True where a row is fine.

    ``message`` is a template filled with the row's values (``"{investor_id} ..."``) or a
    callable taking the row as a dict.
    """

    code: str
    table: str
    field: str | None
    check: Callable[["RuleContext"], pl.Expr]
    message: str | Callable[[dict], str]
    severity: str = "error"

    def describe(self, row: dict) -> str:
        if callable(self.message):
            return self.message(row)
        shown = {k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()}
        return self.message.format_map(_Blank(shown))


class _Blank(dict):
    def __missing__(self, key):
        return ""


@dataclass
class RuleContext:
    """What rules may look at: every typed table of the package, and today's date."""

    package: DataPackage
    tables: dict[str, TypedTable]
    today: date = field(default_factory=date.today)

    def has(self, table: str, *fields: str) -> bool:
        return table in self.tables and all(f in self.tables[table].columns for f in fields)

    def values(self, table: str, field_name: str) -> pl.Series:
        """Distinct non-null values of one column (empty if the table is absent)."""
        if not self.has(table, field_name):
            return pl.Series(field_name, [], dtype=pl.String)
        return self.tables[table].scan().select(pl.col(field_name).drop_nulls().unique()).collect().to_series()

    def fields(self, table: str) -> list[dict]:
        return self.tables[table].schema.get("fields", []) if table in self.tables else []


@dataclass(frozen=True)
class RuleSet:
    """Rules (and optional expectations) that a data package brings."""

    name: str
    applies_to: Callable[[DataPackage], bool]
    rules: Callable[[RuleContext], Iterable[Rule]]
    expectations: Callable[[RuleContext], Iterable] | None = None
    # Derived frames checked like tables: name -> (frame with __row, Table Schema with expectations)
    views: Callable[[RuleContext], dict] | None = None


_REGISTERED: dict[str, RuleSet] = {}


def register(ruleset: RuleSet) -> RuleSet:
    """Add a rule set for this process (entry points are found without this)."""
    _REGISTERED[ruleset.name] = ruleset
    return ruleset


class RuleSetError(Exception):
    """A plug-in rule set that cannot be loaded or asked what it applies to."""


def _load_entry_point(ep) -> RuleSet:
    try:
        loaded = ep.load()
        ruleset = loaded() if callable(loaded) and not isinstance(loaded, RuleSet) else loaded
    except Exception as exc:  # noqa: BLE001 (someone else's plug-in: a finding, not a traceback)
        raise RuleSetError(f"the rule set of entry point {ep.name!r} ({ep.value}) cannot be loaded "
                           f"({type(exc).__name__}: {exc})") from None
    if not isinstance(ruleset, RuleSet):
        raise RuleSetError(f"entry point {ep.name!r} ({ep.value}) gives {type(ruleset).__name__}, not a RuleSet")
    return ruleset


def rulesets(errors: list[str] | None = None) -> list[RuleSet]:
    """Rule sets of installed plug-ins (entry points), then those registered in code.

    A plug-in that cannot be loaded is left out; its reason goes into ``errors`` when given.
    """
    from importlib.metadata import entry_points

    found: dict[str, RuleSet] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            ruleset = _load_entry_point(ep)
        except RuleSetError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        found.setdefault(ruleset.name, ruleset)
    found.update(_REGISTERED)
    return list(found.values())


def _applies(ruleset: RuleSet, package: DataPackage, errors: list[str]) -> bool:
    try:
        return bool(ruleset.applies_to(package))
    except Exception as exc:  # noqa: BLE001
        errors.append(f"rule set {ruleset.name!r} cannot say whether it applies ({type(exc).__name__}: {exc})")
        return False


def applicable(package: DataPackage, errors: list[str] | None = None) -> list[RuleSet]:
    errors = [] if errors is None else errors
    return [rs for rs in rulesets(errors) if _applies(rs, package, errors)]


def _rules_of(ruleset: RuleSet, ctx: "RuleContext", errors: list[str]) -> list[Rule]:
    try:
        return list(ruleset.rules(ctx))
    except Exception as exc:  # noqa: BLE001
        errors.append(f"rule set {ruleset.name!r} cannot list its rules ({type(exc).__name__}: {exc})")
        return []


def _schema_for(table: TypedTable, rules: list[Rule], ctx: RuleContext):
    """A pandera schema generated from the Table Schema, with the rules as checks."""
    import pandera.polars as pa

    columns = {f["name"]: pa.Column(polars_dtype(f), nullable=True) for f in table.schema.get("fields", [])}
    checks = [
        pa.Check(lambda data, expr=rule.check(ctx): data.lazyframe.select(expr.fill_null(True)), name=rule.code, error=str(i))
        for i, rule in enumerate(rules)
    ]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, name=table.name)


def _failing_rows(table: TypedTable, rules: list[Rule], ctx: RuleContext) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Row indexes failing each rule (by position in ``rules``), and rules that could not run."""
    import pandera.errors

    schema = _schema_for(table, rules, ctx)
    failing: dict[int, list[int]] = {}
    broken: dict[int, str] = {}
    try:
        schema.validate(table.frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.filter(pl.col("schema_context") == "DataFrameSchema")
        for check, index, case in cases.select("check", "index", "failure_case").iter_rows():
            if check is None or not check.isdigit():
                continue
            if index is None:  # pandera reports a check that raised as a case without a row
                broken[int(check)] = str(case)
            else:
                failing.setdefault(int(check), []).append(index)
    return failing, broken


def _screened(table: TypedTable, rules: list[Rule], ctx: RuleContext) -> list[Rule]:
    """The rules that fail on some row (or cannot be screened), found in one polars pass.

    Rules that hold on every row need no pandera run; when none fails, pandera is not even
    imported. What pandera reports on the rest is unchanged."""
    try:
        held = table.frame.select([rule.check(ctx).fill_null(True).all().alias(str(i)) for i, rule in enumerate(rules)]).row(0)
    except Exception:  # noqa: BLE001 (a rule that cannot run here is left to pandera, which reports it)
        return rules
    return [rule for rule, ok in zip(rules, held) if ok is not True]


def _broken(rule: Rule, table: TypedTable, error: str) -> Finding:
    return Finding("rule-error", f"rule {rule.code} could not run on {table.name} ({error}): fix the rule set "
                   "that defines it", table.name, None, rule.field, LAYER, "error", table.file)


def _finding(rule: Rule, table: TypedTable, row: dict) -> Finding:
    return Finding(rule.code, rule.describe(row), table.name, row["__row"], rule.field, LAYER, rule.severity, table.file, row["__line"])


def _more(rule: Rule, table: TypedTable, count: int) -> Finding:
    return Finding(rule.code, f"… and {count - MAX_PER_RULE} more rows with this problem", table.name, None, rule.field,
                   LAYER, rule.severity, table.file)


def _streamed_findings(table: TypedTable, rules: list[Rule], ctx: RuleContext) -> list[Finding]:
    """A table read in batches: each rule counted, then its first failing rows taken, by
    polars' streaming engine over the spill files (pandera would need the table in memory).
    A row-local rule runs in bounded memory; any other is still evaluated exactly, by
    whatever the engine must hold for it."""
    scan, out = table.scan(), []
    try:  # every rule counted in one pass
        exprs = [~rule.check(ctx).fill_null(True) for rule in rules]
        counts = scan.select([e.sum().alias(str(i)) for i, e in enumerate(exprs)]).collect(engine="streaming").row(0)
        failing = [(rule, e, n) for rule, e, n in zip(rules, exprs, counts) if n]
    except Exception:  # noqa: BLE001 (a rule that cannot run: find which, one pass each)
        failing = []
        for rule in rules:
            try:
                fails = ~rule.check(ctx).fill_null(True)
                count = scan.select(fails.sum()).collect(engine="streaming").item()
            except Exception as exc:  # noqa: BLE001 (someone else's rule: a finding, not a traceback)
                out.append(_broken(rule, table, f"{type(exc).__name__}: {exc}"))
                continue
            if count:
                failing.append((rule, fails, count))
    for rule, fails, count in failing:
        rows = scan.filter(fails).head(MAX_PER_RULE).collect(engine="streaming").sort("__row")
        out += [_finding(rule, table, row) for row in rows.iter_rows(named=True)]
        if count > MAX_PER_RULE:
            out.append(_more(rule, table, count))
    return out


def _table_findings(table: TypedTable, rules: list[Rule], ctx: RuleContext) -> list[Finding]:
    if table.streamed:
        return _streamed_findings(table, rules, ctx)
    out = []
    rules = _screened(table, rules, ctx)
    if not rules:
        return out
    failing, broken = _failing_rows(table, rules, ctx)
    out += [_broken(rules[position], table, error) for position, error in sorted(broken.items())]
    for position, indexes in sorted(failing.items()):
        rule = rules[position]
        indexes = sorted(set(indexes))
        out += [_finding(rule, table, row) for row in table.frame[indexes[:MAX_PER_RULE]].iter_rows(named=True)]
        if len(indexes) > MAX_PER_RULE:
            out.append(_more(rule, table, len(indexes)))
    return out


def check(package: DataPackage, tables: dict[str, TypedTable], today: date | None = None) -> tuple[list[Finding], list[str]]:
    """Findings of every rule set that applies to the package, and notes on what ran."""
    ctx = RuleContext(package, tables, today or date.today())
    errors: list[str] = []
    sets = applicable(package, errors)
    findings = [Finding("rule-error", f"{message}: fix or uninstall that plug-in", None, None, None, LAYER, "error")
                for message in errors]
    if not sets:
        name = package.descriptor.get("name") or str(package.path)
        return findings, [f"rules: no rule set applies to package '{name}'; only the Table Schema checks ran"]
    by_table: dict[str, list[Rule]] = {}
    for ruleset in sets:
        problems: list[str] = []
        rules = _rules_of(ruleset, ctx, problems)
        findings += [Finding("rule-error", message, None, None, None, LAYER, "error") for message in problems]
        for rule in rules:
            if rule.table in tables:
                by_table.setdefault(rule.table, []).append(rule)
    for name, rules in by_table.items():
        if tables[name].scan().select(pl.len()).collect().item() == 0:
            continue
        try:
            findings += _table_findings(tables[name], rules, ctx)
        except Exception as exc:  # noqa: BLE001 (a broken plug-in rule is a finding, not a traceback)
            names = ", ".join(sorted({r.code for r in rules}))
            findings.append(Finding("rule-error", f"the rules on {name} could not run ({type(exc).__name__}: {exc}); "
                                    f"fix the rule set that defines {names}", name, None, None, LAYER, "error", tables[name].file))
    return findings, [f"rules: {', '.join(rs.name for rs in sets)} ({sum(map(len, by_table.values()))} rules)"]
