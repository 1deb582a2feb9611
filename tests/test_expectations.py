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
