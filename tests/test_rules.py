"""This dataset's business rules (rules layer, pandera on polars) and the rules plug-in API."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from china_ai_landscape.package import DataPackage
from china_ai_landscape.validation import validate
from china_ai_landscape.validation import rules as rules_api
from project_package import VALID_ROWS, changed, with_row, write_project_package

SKIP = ("expectations",)


def _rule_findings(tmp_path, changes):
    report = validate(write_project_package(tmp_path / "pkg", changes), skip=SKIP)
    return [(f.code, f.table, f.row, f.field) for f in report.findings if f.layer == "rules"], report


def test_valid_project_package_passes(tmp_path):
    report = validate(write_project_package(tmp_path / "pkg"), skip=SKIP)
    assert report.ok and not report.findings, report.render("text")


CASES = {
    "source id that does not exist": (changed("companies", 0, source_ids="src-a;src-zz"),
                                      ("list-reference-not-found", "companies", 2, "source_ids")),
    "empty item in a list": (changed("models", 0, source_ids="src-a;"), ("list-item-empty", "models", 2, "source_ids")),
    "investor is the investee": (with_row("investment_investors", investment_id="bigco-lab-a", investor_id="bigco-lab", role="participant",
                                          source_ids="src-b"), ("investor-is-investee", "investment_investors", 3, "investor_id")),
    "parent is itself": (changed("companies", 2, parent_id="fund"), ("parent-is-self", "companies", 4, "parent_id")),
    "parent chain cycle": (changed("companies", 0, parent_id="bigco-lab"), ("parent-cycle", "companies", 2, "parent_id")),
    "date in the future": (changed("sources", 0, published="2999-01-01", published_precision="day"),
                           ("date-in-future", "sources", 2, "published")),
    "month precision needs day 01": (changed("events", 0, date_precision="month"), ("date-precision-mismatch", "events", 2, "date")),
    "year precision needs 01-01": (changed("models", 1, released="2023-03-01"), ("date-precision-mismatch", "models", 3, "released")),
    "date without precision": (changed("investments", 0, date_precision=""), ("date-without-precision", "investments", 2, "date_precision")),
    "precision without date": (changed("models", 0, released="", released_precision="day"), ("precision-without-date", "models", 2, "released")),
    "amount without currency": (changed("investments", 0, currency=""), ("amount-without-currency", "investments", 2, "currency")),
    "budget currency without amount": (changed("programmes", 0, budget_amount=""), ("currency-without-amount", "programmes", 2, "budget_amount")),
    "Chinese name without CJK": (changed("companies", 0, name_zh="BigCo"), ("name-zh-not-chinese", "companies", 2, "name_zh")),
    "URL without a host": (changed("sources", 0, url="https://localhost"), ("url-not-https", "sources", 2, "url")),
    "base model is itself": (changed("models", 0, base_model_id="big-1"), ("base-model-is-self", "models", 2, "base_model_id")),
    "released before announced": (changed("models", 0, released="2023-02-10"), ("released-before-announced", "models", 2, "released")),
    "released before developer founded": (changed("models", 0, released="2016-05-01", announced="2016-01-01"),
                                          ("released-before-developer-founded", "models", 2, "released")),
    "statistics period ends before it starts": (changed("statistics", 0, period_end="2021-12-31"),
                                                ("period-end-before-start", "statistics", 2, "period_end")),
}


CASES |= {
    "an original named by a non-copy": (changed("sources", 0, original_url="https://elsewhere.example.com/x"),
                                        ("original-of-a-non-copy", "sources", 2, "original_url")),
    "a role start without precision": (changed("person_roles", 0, start_precision=""),
                                       ("date-without-precision", "person_roles", 2, "start_precision")),
}


WEAK = {
    "a company citing only a wiki": (changed("companies", 2, source_ids="src-wiki"), ("companies", 4)),
    "a model citing only a copy": (changed("models", 0, source_ids="src-copy"), ("models", 2)),
    "a person citing a wiki and a copy": (changed("people", 0, source_ids="src-wiki;src-copy"), ("people", 2)),
}


@pytest.mark.parametrize("changes,where", WEAK.values(), ids=WEAK.keys())
def test_no_row_rests_on_reference_and_republication_sources_alone(tmp_path, changes, where):
    found, _report = _rule_findings(tmp_path, changes)
    assert ("weak-sources-only", *where, "source_ids") in found


def test_a_republication_needs_its_original(tmp_path):
    found, _report = _rule_findings(tmp_path, changed("sources", 2, original_url=""))
    assert ("republication-without-original", "sources", 4, "original_url") in found


@pytest.mark.parametrize("changes,expected", CASES.values(), ids=CASES.keys())
def test_business_rule(tmp_path, changes, expected):
    found, report = _rule_findings(tmp_path, changes)
    assert expected in found, report.render("text")
    assert not report.ok


def test_a_planned_event_may_lie_ahead(tmp_path):
    found, _ = _rule_findings(tmp_path, changed("events", 0, date="2999-01-01", status="planned"))
    assert not [f for f in found if f[0] == "date-in-future"]


def test_a_date_of_year_precision_may_cover_the_other_date(tmp_path):
    """Released in 2023 (year precision) is not before announced 2023-03 (month precision)."""
    found, _ = _rule_findings(tmp_path, changed("models", 0, released="2023-01-01", released_precision="year"))
    assert not [f for f in found if f[0] == "released-before-announced"]


def test_rule_messages_name_the_values(tmp_path):
    _, report = _rule_findings(tmp_path, changed("companies", 0, source_ids="src-a;src-zz"))
    finding = next(f for f in report.findings if f.code == "list-reference-not-found")
    assert finding.message.startswith("source_ids names src-zz, not found in sources")
    assert finding.file == "data/companies.csv"


def test_another_package_brings_its_own_rules(tmp_path):
    """A rule set registered for a package applies to it; this dataset's rules do not."""
    from pathlib import Path

    corpus = Path(__file__).parent / "corpus" / "base"
    ruleset = rules_api.RuleSet(
        "corpus-rules", lambda package: package.descriptor.get("name") == "corpus-base",
        lambda ctx: [rules_api.Rule("deal-without-amount", "deals", "amount", lambda c: pl.col("amount").is_not_null(),
                                    "deal {id} has no amount", severity="warning")])
    rules_api.register(ruleset)
    try:
        report = validate(corpus, skip=SKIP)
    finally:
        rules_api._REGISTERED.pop("corpus-rules")
    assert [(f.code, f.row, f.severity) for f in report.findings] == [("deal-without-amount", 3, "warning")]
    assert report.ok
    assert "deal d2 has no amount" == report.findings[0].message


def test_project_rules_apply_by_descriptor_name(tmp_path):
    root = write_project_package(tmp_path / "pkg")
    assert [rs.name for rs in rules_api.applicable(DataPackage(root))] == ["china-ai-landscape"]
    renamed = (root / "datapackage.json").read_text().replace('"name": "china-ai-landscape"', '"name": "someone-else"')
    (root / "datapackage.json").write_text(renamed)
    assert rules_api.applicable(DataPackage(root)) == []


def test_rules_use_the_given_day(tmp_path):
    from china_ai_landscape.validation.tables import check as check_tables
    from china_ai_landscape.validation.descriptor import resolve
    from pathlib import Path as P

    package = DataPackage(write_project_package(tmp_path / "pkg"))
    resources, _ = resolve(package)
    tables = check_tables(resources, lambda r: P(r.location).read_bytes()).tables
    findings, _ = rules_api.check(package, tables, today=date(2023, 1, 1))
    assert {(f.code, f.table) for f in findings} >= {("date-in-future", "sources"), ("date-in-future", "events")}
    assert VALID_ROWS["sources"][0]["published"] > "2023-01-01"


def test_a_broken_plug_in_rule_is_a_finding_not_a_traceback():
    from pathlib import Path

    corpus = Path(__file__).parent / "corpus" / "base"
    ruleset = rules_api.RuleSet(
        "broken-rules", lambda package: package.descriptor.get("name") == "corpus-base",
        lambda ctx: [rules_api.Rule("needs-a-column", "deals", None, lambda c: pl.col("no_such_column") > 0, "never shown")])
    rules_api.register(ruleset)
    try:
        report = validate(corpus, skip=SKIP)
    finally:
        rules_api._REGISTERED.pop("broken-rules")
    assert [(f.code, f.table) for f in report.findings] == [("rule-error", "deals")]
    assert "needs-a-column" in report.findings[0].message and not report.ok


def test_pandera_runs_only_for_rules_that_fail():
    """Rules holding on every row are screened out in one polars pass: with none failing,
    pandera is not imported; with one failing, pandera reports it."""
    import subprocess
    import sys

    code = """
import sys
from pathlib import Path
import polars as pl
from china_ai_landscape.validation import rules as r, validate
corpus = Path({corpus!r})
holds = r.Rule("positive-amount", "deals", "amount", lambda c: pl.col("amount").is_null() | (pl.col("amount") > 0), "never")
fails = r.Rule("deal-without-amount", "deals", "amount", lambda c: pl.col("amount").is_not_null(), "deal {{id}} has no amount")
chosen = [holds] + ([fails] if sys.argv[1] == "fail" else [])
r.register(r.RuleSet("test-rules", lambda p: p.descriptor.get("name") == "corpus-base", lambda ctx: chosen))
report = validate(corpus, skip=("expectations",))
print("pandera" in sys.modules, sorted({{f.code for f in report.findings if f.layer == "rules"}}))
""".format(corpus=str(Path(__file__).parent / "corpus" / "base"))
    holding = subprocess.run([sys.executable, "-c", code, "hold"], capture_output=True, text=True, check=True).stdout
    failing = subprocess.run([sys.executable, "-c", code, "fail"], capture_output=True, text=True, check=True).stdout
    assert holding.strip() == "False []"
    assert failing.strip() == "True ['deal-without-amount']"
