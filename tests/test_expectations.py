"""The expectations layer (great-expectations): plausible values, row counts, Data Docs."""

from __future__ import annotations

from china_ai_landscape.validation import validate
from project_package import VALID_ROWS, changed, write_project_package


def test_implausible_values_baseline_and_data_docs(tmp_path):
    """One run (great-expectations is slow to import): ranges, shrinking tables, the HTML site."""
    baseline = write_project_package(tmp_path / "before")
    fewer = {"statistics": [], **changed("models", 0, parameters="7")}
    package = write_project_package(tmp_path / "after", fewer)
    report = validate(package, baseline=baseline, html_report=tmp_path / "site", skip=("rules",))
    found = {(f.code, f.table, f.row, f.field, f.severity) for f in report.findings if f.layer == "expectations"}
    assert ("column-values-to-be-between", "models", 2, "parameters", "warning") in found
    assert ("row-count-to-be-between", "statistics", None, None, "error") in found
    assert not report.ok
    assert (tmp_path / "site" / "index.html").is_file()
    message = next(f.message for f in report.findings if f.code == "row-count-to-be-between")
    assert "had 1 rows" in message and "MAJOR" in message
    assert len(VALID_ROWS["statistics"]) == 1


def test_thresholds_come_from_the_schemas_and_the_views(tmp_path):
    """companies.name_zh states a threshold for Chinese organisations in its schema; the
    dataset's views check models of Chinese developers. Both become findings when unmet."""
    package = write_project_package(tmp_path / "pkg")
    report = validate(package, skip=("rules",))
    found = {(f.code, f.table, f.field, f.severity): f.message for f in report.findings if f.layer == "expectations"}
    name_zh = found[("column-values-to-not-be-null", "companies", "name_zh", "error")]
    assert "33.3% of rows where country is CN" in name_zh
    primary = found[("column-values-to-not-be-null", "chinese_models", "primary_source", "error")]
    assert "filled in 0.0%" in primary


def test_renaming_a_field_keeps_its_expectation(tmp_path):
    """The threshold travels with the field: it is a property of the field, not a list elsewhere."""
    import json

    package = write_project_package(tmp_path / "pkg")
    schema_path = package / "schemas" / "companies.json"
    schema = json.loads(schema_path.read_text())
    field = next(f for f in schema["fields"] if f["name"] == "name_zh")
    field["name"] = "chinese_name"
    schema_path.write_text(json.dumps(schema))
    data = package / "data" / "companies.csv"
    data.write_text(data.read_text().replace("name_zh", "chinese_name", 1))
    report = validate(package, skip=("rules",))
    assert any(f.field == "chinese_name" and f.code == "column-values-to-not-be-null" for f in report.findings)


def test_the_worker_and_this_process_find_the_same(tmp_path, monkeypatch):
    """great-expectations runs in a worker started early; the findings must not depend on it.
    A worker that cannot start falls back to this process."""
    from china_ai_landscape.validation import gx

    package = write_project_package(tmp_path / "pkg", changed("models", 0, parameters="7"))
    jobs = []
    monkeypatch.setattr(gx, "run", lambda job, inline=gx.run: jobs.append(job) or inline(job))
    inline = validate(package, skip=("rules",)).findings  # the worker ran it: gx.run here was not called
    assert jobs == [] and any(f.layer == "expectations" and f.row == 2 for f in inline)
    monkeypatch.setattr(gx.subprocess, "Popen", lambda *a, **k: (_ for _ in ()).throw(OSError("no processes")))
    fallback = validate(package, skip=("rules",)).findings
    assert len(jobs) == 1 and fallback == inline
