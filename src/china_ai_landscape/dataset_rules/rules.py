"""The business rules of the china-ai-landscape dataset.

Rules that follow a naming convention are generated from the Table Schemas: every date
field with a ``<field>_precision`` sibling, every ``*currency``/``*amount`` pair, every
``*_ids`` list field, every ``format: uri`` field, every ``*_zh`` field. Rules about
particular facts (investor ≠ investee, parent chains, model dates) name their columns.
"""

from __future__ import annotations

from typing import Iterator

import polars as pl

from ..package import DataPackage
from ..validation.rules import Rule, RuleContext

PACKAGE_NAME = "china-ai-landscape"
_HAN = r"[\p{Han}]"
_HTTPS_HOST = r"^https://[^/?#\s:@]+\.[^/?#\s:@.]+(:[0-9]+)?([/?#]\S*)?$"
# Dates that may lie ahead: a planned or rumoured event, a regulation taking effect later,
# the period of a target ("core-ai-industry-scale-target" for 2030).
_TARGET = pl.col("metric").str.contains("target")
_FUTURE_ALLOWED = {("events", "date"): pl.col("status").is_in(["planned", "rumoured"]),
                   ("programmes", "effective"): pl.lit(True),
                   ("statistics", "period_start"): _TARGET, ("statistics", "period_end"): _TARGET}


def applies_to(package: DataPackage) -> bool:
    """Only this dataset: other packages keep their own business rules."""
    return package.descriptor.get("name") == PACKAGE_NAME


def precision_of(field: str) -> str:
    return f"{field}_precision"


def period_end(ctx_fields: set[str], field: str) -> pl.Expr:
    """Last day a date of some precision may stand for (2023 with precision year: 2023-12-31)."""
    value = pl.col(field)
    if precision_of(field) not in ctx_fields:
        return value
    precision = pl.col(precision_of(field))
    return (pl.when(precision == "year").then(value.dt.offset_by("1y").dt.offset_by("-1d"))
            .when(precision == "month").then(value.dt.offset_by("1mo").dt.offset_by("-1d"))
            .otherwise(value))


def _names(ctx: RuleContext, table: str) -> set[str]:
    return {f["name"] for f in ctx.fields(table)}


def _date_rules(ctx: RuleContext) -> Iterator[Rule]:
    for table in ctx.tables:
        names = _names(ctx, table)
        for f in ctx.fields(table):
            if f.get("type") != "date":
                continue
            name = f["name"]
            allowed = _FUTURE_ALLOWED.get((table, name), pl.lit(False))
            yield Rule("date-in-future", table, name, lambda c, n=name, a=allowed: (pl.col(n) <= c.today) | a,
                       f"{name} {{{name}}} is in the future: give the date it happened (or the status that allows a future date)")
            precision = precision_of(name)
            if precision not in names:
                continue
            yield from _present_together(
                table, (name, "date-without-precision", "say whether the date is exact to the day, month or year"),
                (precision, "precision-without-date", "give the date or clear the precision"))
            yield Rule("date-precision-mismatch", table, name,
                       lambda c, n=name, p=precision: ~(((pl.col(p) == "month") & (pl.col(n).dt.day() != 1))
                                                        | ((pl.col(p) == "year") & ((pl.col(n).dt.day() != 1) | (pl.col(n).dt.month() != 1)))),
                       f"{name} {{{name}}} has precision {{{precision}}}: write a month as YYYY-MM-01 and a year as YYYY-01-01")


def _pair_rules(ctx: RuleContext) -> Iterator[Rule]:
    for table in ctx.tables:
        names = _names(ctx, table)
        for currency in sorted(n for n in names if n.endswith("currency")):
            amount = currency[: -len("currency")] + "amount"
            if amount not in names:
                continue
            yield from _present_together(
                table, (amount, "amount-without-currency", "give the ISO 4217 currency of the amount"),
                (currency, "currency-without-amount", "give the amount or clear the currency"))


def _present_together(table: str, first: tuple[str, str, str], second: tuple[str, str, str]) -> Iterator[Rule]:
    """Two fields filled together: for each (field, code, hint), a rule flagging it filled while the other is empty.

    The finding points at the empty field, which is the one to fix.
    """
    for (filled, code, hint), (empty, _, _) in ((first, second), (second, first)):
        yield Rule(code, table, empty,
                   lambda c, f=filled, e=empty: pl.col(f).is_null() | pl.col(e).is_not_null(),
                   f"{filled} is {{{filled}}} but {empty} is empty: {hint}")


def _referenced_table(ctx: RuleContext, list_field: str) -> str | None:
    stem = list_field[: -len("_ids")]
    for candidate in (stem + "s", stem + "es", stem[:-1] + "ies"):
        if candidate in ctx.tables:
            return candidate
    return None


def _list_rules(ctx: RuleContext) -> Iterator[Rule]:
    for table in ctx.tables:
        for f in ctx.fields(table):
            name = f["name"]
            if f.get("type") != "list":
                continue
            yield Rule("list-item-empty", table, name,
                       lambda c, n=name: ~pl.col(n).list.eval(pl.element().str.strip_chars() == "").list.any(),
                       f'{name} "{{{name}}}" has an empty item: remove the doubled or trailing delimiter')
            yield Rule("list-item-repeated", table, name,
                       lambda c, n=name: pl.col(n).list.len() == pl.col(n).list.n_unique(),
                       f'{name} "{{{name}}}" names the same item twice: list each once', severity="warning")
            target = _referenced_table(ctx, name) if name.endswith("_ids") else None
            if target is None or not ctx.has(target, "id"):
                continue
            yield Rule("list-reference-not-found", table, name,
                       lambda c, n=name, t=target: pl.col(n).list.eval(pl.element().is_in(c.values(t, "id").implode()) | (pl.element() == "")).list.all(),
                       lambda row, n=name, t=target: _dangling_message(ctx, row, n, t))


def _dangling_message(ctx: RuleContext, row: dict, name: str, target: str) -> str:
    known = set(ctx.values(target, "id").to_list())
    missing = [v for v in row.get(name) or [] if v and v not in known]
    return f'{name} names {", ".join(missing)}, not found in {target}: add the row to {target} or fix the id'


def _text_rules(ctx: RuleContext) -> Iterator[Rule]:
    for table in ctx.tables:
        for f in ctx.fields(table):
            name = f["name"]
            if name.endswith("_zh") and f.get("type", "string") == "string":
                yield Rule("name-zh-not-chinese", table, name, lambda c, n=name: pl.col(n).str.contains(_HAN),
                           f'{name} "{{{name}}}" has no Chinese characters: give the name in Chinese (汉字) or leave it empty')
            if f.get("format") == "uri":
                # the Table Schema pattern may already demand https; then only the host is ours to check
                https_in_schema = "https" in (f.get("constraints") or {}).get("pattern", "")
                yield Rule("url-not-https", table, name,
                           lambda c, n=name, s=https_in_schema: pl.col(n).str.contains(_HTTPS_HOST) | (s & ~pl.col(n).str.starts_with("https://")),
                           f'{name} "{{{name}}}" is not an https URL with a host name: write it as https://host.tld/path')


def _parent_cycle_ids(ctx: RuleContext) -> list[str]:
    """Ids of companies whose parent chain comes back to them."""
    frame = ctx.tables["companies"].frame.select("id", "parent_id").drop_nulls()
    parent = dict(frame.iter_rows())
    cyclic = set()
    for start in parent:
        seen, node = set(), start
        while node in parent and node not in seen:
            seen.add(node)
            node = parent[node]
        if node == start:
            cyclic.add(start)
    return sorted(cyclic)


def _fact_rules(ctx: RuleContext) -> Iterator[Rule]:
    if ctx.has("companies", "id", "parent_id"):
        yield Rule("parent-is-self", "companies", "parent_id", lambda c: pl.col("parent_id") != pl.col("id"),
                   "company {id} names itself as parent: leave parent_id empty or name the real parent")
        yield Rule("parent-cycle", "companies", "parent_id",
                   lambda c: ~pl.col("id").is_in(_parent_cycle_ids(c)) | (pl.col("parent_id") == pl.col("id")),
                   "the parent chain of {id} (parent {parent_id}) comes back to {id}: break the cycle")
    if ctx.has("companies", "founded", "unicorn_year"):
        yield Rule("unicorn-before-founded", "companies", "unicorn_year", lambda c: pl.col("unicorn_year") >= pl.col("founded"),
                   "unicorn_year {unicorn_year} is before founded {founded}: check both years")
    if ctx.has("investment_investors", "investment_id", "investor_id") and ctx.has("investments", "id", "investee_id"):
        yield Rule("investor-is-investee", "investment_investors", "investor_id",
                   lambda c: pl.col("investor_id") != pl.col("investment_id").replace_strict(
                       c.tables["investments"].frame.get_column("id"), c.tables["investments"].frame.get_column("investee_id"),
                       default=None, return_dtype=pl.String),
                   "{investor_id} invests in itself in {investment_id} (it is the investee): check investor_id")
    yield from _model_rules(ctx)
    for table, start, end, code in (("statistics", "period_start", "period_end", "period-end-before-start"),
                                    ("sources", "published", "accessed", "accessed-before-published")):
        if ctx.has(table, start, end):
            names = _names(ctx, table)
            yield Rule(code, table, end, lambda c, s=start, e=end, n=names: period_end(n, e) >= pl.col(s),
                       f"{end} {{{end}}} is before {start} {{{start}}}: check both dates")
    if ctx.has("programmes", "announced", "effective"):
        names = _names(ctx, "programmes")
        yield Rule("effective-before-announced", "programmes", "effective",
                   lambda c, n=names: period_end(n, "effective") >= pl.col("announced"),
                   "effective {effective} is before announced {announced}: check both dates", severity="warning")


def _model_rules(ctx: RuleContext) -> Iterator[Rule]:
    if not ctx.has("models", "id"):
        return
    names = _names(ctx, "models")
    if "base_model_id" in names:
        yield Rule("base-model-is-self", "models", "base_model_id", lambda c: pl.col("base_model_id") != pl.col("id"),
                   "model {id} names itself as its base model: leave base_model_id empty or name the model it builds on")
    if {"announced", "released"} <= names:
        yield Rule("released-before-announced", "models", "released",
                   lambda c, n=names: period_end(n, "released") >= pl.col("announced"),
                   "released {released} is before announced {announced}: check both dates (and their precision)")
    if {"internal_testing", "released"} <= names:
        yield Rule("testing-after-release", "models", "internal_testing",
                   lambda c, n=names: pl.col("internal_testing") <= period_end(n, "released"),
                   "internal_testing {internal_testing} is after released {released}: check both dates", severity="warning")
    if {"developer_id", "released"} <= names and ctx.has("companies", "id", "founded"):
        companies = ctx.tables["companies"].frame
        yield Rule("released-before-developer-founded", "models", "released",
                   lambda c: period_end(names, "released").dt.year() >= pl.col("developer_id").replace_strict(
                       companies.get_column("id"), companies.get_column("founded"), default=None, return_dtype=pl.Int64),
                   "released {released} is before its developer {developer_id} was founded: check the date or the developer")


# Kinds of source a row may not rest on alone: a copy or an encyclopedic page is a pointer to
# the publication that states the fact, not that publication.
WEAK_SOURCE_KINDS = ("reference", "republication")
# The tables whose rows must rest on at least one source of another kind.
MAIN_TABLES = ("companies", "models", "events", "investments", "programmes", "statistics", "people")
# A warning until every row is re-sourced (see the data-depth issue); then an error.
WEAK_SOURCES_SEVERITY = "warning"


def _strong_source_ids(ctx: RuleContext) -> pl.Series:
    frame = ctx.tables["sources"].frame
    return frame.filter(~pl.col("kind").is_in(WEAK_SOURCE_KINDS)).get_column("id")


def _source_kind_rules(ctx: RuleContext) -> Iterator[Rule]:
    if not ctx.has("sources", "id", "kind"):
        return
    if ctx.has("sources", "original_url"):
        yield Rule("republication-without-original", "sources", "original_url",
                   lambda c: (pl.col("kind") != "republication") | pl.col("original_url").is_not_null(),
                   "{id} is a republication but original_url is empty: give the address of the original "
                   "(and cite the original where it can be read)", severity="warning")
        yield Rule("original-of-a-non-copy", "sources", "original_url",
                   lambda c: pl.col("original_url").is_null() | (pl.col("kind") == "republication"),
                   "{id} has an original_url but its kind is {kind}: only a republication names an original")
    for table in MAIN_TABLES:
        if ctx.has(table, "source_ids"):
            yield Rule("weak-sources-only", table, "source_ids",
                       lambda c: pl.col("source_ids").list.eval(pl.element().is_in(_strong_source_ids(c).implode())).list.any(),
                       "every source of this row is a reference page or a republication ({source_ids}): "
                       "cite the original publication, the organisation's own material or a news report",
                       severity=WEAK_SOURCES_SEVERITY)


def project_rules(ctx: RuleContext) -> Iterator[Rule]:
    yield from _source_kind_rules(ctx)
    yield from _date_rules(ctx)
    yield from _pair_rules(ctx)
    yield from _list_rules(ctx)
    yield from _text_rules(ctx)
    yield from _fact_rules(ctx)
