"""`dataset validate`: options, output formats, exit codes; results checked through the library."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from china_ai_landscape.cli import main
from china_ai_landscape.validation import Finding, Report, validate

CASES = Path(__file__).parent / "corpus" / "cases"


def _run(*args):
    return CliRunner().invoke(main, ["validate", *args])


def test_help_has_examples_and_layers():
    result = _run("--help")
    assert result.exit_code == 0
    for words in ("Examples:", "--format github", "--skip", "--html-report", "descriptor", "expectations"):
        assert words in result.output


def test_unknown_layer_is_a_usage_error():
    result = _run(str(CASES / "enum"), "--skip", "nonsense")
    assert result.exit_code == 2 and "nonsense" in result.stderr


def test_missing_package_is_unusable_input(tmp_path):
    result = _run(str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "not found" in result.stderr and "Traceback" not in result.stderr


def test_json_output_is_the_library_report():
    result = _run(str(CASES / "enum"), "--format", "json")
    data = json.loads(result.stdout)
    report = validate(CASES / "enum")
    assert result.exit_code == 1
    assert data["valid"] is False and data["counts"] == {"errors": 1, "warnings": 0}
    assert data["findings"] == [f.to_dict() for f in report.findings]


def test_text_output_groups_by_file_and_ends_with_a_summary():
    result = _run(str(CASES / "missing-column"), "--skip", "expectations")
    lines = result.output.splitlines()
    assert lines[0] == "data/orgs.csv"
    assert any("row 1, kind" in line and "[incorrect-label, tables]" in line for line in lines)
    assert "INVALID" in lines[-1] and "error(s)" in lines[-1] and "skipped: expectations" in lines[-1]


def test_github_annotations_point_at_the_physical_line(monkeypatch):
    """Row 3 of the file starts on line 4 because row 2 has a value spanning two lines."""
    monkeypatch.chdir(CASES)
    result = _run("value-spanning-lines", "--format", "github")
    annotation = next(line for line in result.output.splitlines() if line.startswith("::error"))
    assert annotation.startswith("::error file=value-spanning-lines/data/deals.csv,line=4,title=type-error (deals%2C date)::")
    report = validate(CASES / "value-spanning-lines")
    assert (report.errors[0].row, report.errors[0].line) == (3, 4)


def test_github_output_escapes_newlines_and_commas():
    report = Report("p", [Finding("x-y", "two\nlines, 100%", "t", 5, "f,g", file="data/t.csv")])
    assert report.render("github").splitlines()[0] == "::error file=data/t.csv,line=5,title=x-y (t%2C f%2Cg)::two%0Alines, 100%25"


def test_warnings_alone_exit_zero(monkeypatch):
    monkeypatch.chdir(CASES / "formula-cell")
    result = _run(".", "--format", "github")
    assert result.exit_code == 0
    assert result.output.startswith("::warning file=data/orgs.csv,line=4,")


def test_skipping_layers():
    report = validate(CASES / "enum", skip=("tables", "rules", "expectations"))
    assert report.layers == ["descriptor"] and report.ok


def test_the_shipped_package_is_valid():
    result = _run("--skip", "expectations")
    assert result.exit_code == 0, result.output


def test_importing_the_validation_api_loads_no_heavy_library():
    import subprocess
    import sys

    code = ("import sys, china_ai_landscape, china_ai_landscape.validation, china_ai_landscape.cli; "
            "print(sorted(m for m in ('frictionless', 'polars', 'pandera', 'great_expectations') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_with_no_path_the_current_folders_package_is_validated(package_copy, monkeypatch):
    """After a plain `pip install .`, edits in the checkout are what `dataset validate` checks."""
    path = package_copy / "data" / "models.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",model,", ",not-a-kind,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(package_copy)
    result = _run("--skip", "expectations", "--skip", "rules")
    assert result.exit_code == 1
    assert "not-a-kind" in result.output and "the data package in the current folder" in result.output


def test_with_no_path_and_no_package_here_the_installed_one_is_validated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run("--skip", "expectations", "--skip", "rules", "--skip", "tables")
    assert "no datapackage.json in the current folder" in result.output
